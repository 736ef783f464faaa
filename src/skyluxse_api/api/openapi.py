"""The OpenAPI document: clean operation ids, problem+json errors, an example everywhere."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from skyluxse_api.api.problems import PROBLEM_JSON
from skyluxse_api.api.routing import Problem

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def operation_id(route: APIRoute) -> str:
    """`clients_list`, `vehicles_create`: the endpoint function's name."""
    return route.name


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def example_for(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """A plausible example value built from a JSON schema (its own examples first)."""
    schema = _resolve(schema, components)
    if schema.get("examples"):
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    for union in ("anyOf", "oneOf", "allOf"):
        if union in schema:
            options = [s for s in schema[union] if _resolve(s, components).get("type") != "null"]
            return example_for(options[0], components, depth) if options else None
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        return {
            name: example_for(prop, components, depth + 1)
            for name, prop in schema.get("properties", {}).items()
        }
    if kind == "array":
        return [example_for(schema.get("items", {}), components, depth + 1)] if depth <= 4 else []
    formats = {
        "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "date-time": "2026-11-25T14:00:00+04:00",
        "date": "2026-11-25",
        "email": "client@example.com",
        "uri": "https://example.com",
    }
    if kind == "string":
        return formats.get(schema.get("format", ""), "string")
    return {"integer": 1, "number": 1.0, "boolean": True}.get(str(kind))


def build_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    spec = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = spec.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components["FieldError"] = components["Problem"].pop("$defs")["FieldError"]
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for path_item in spec.get("paths", {}).values():
        for operation in path_item.values():
            for status, response in operation.get("responses", {}).items():
                content = response.setdefault("content", {})
                if status >= "400":
                    # FastAPI documents its own validation error; ours is problem+json.
                    response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
                    continue
                for media in content.values():
                    if "schema" in media and "example" not in media and "examples" not in media:
                        media["example"] = example_for(media["schema"], components)
    app.openapi_schema = spec
    return spec
