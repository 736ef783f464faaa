"""Routers, path lookups and the documented error responses every operation shares."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement

from skyluxse_api.api.problems import PROBLEM_JSON

API_PREFIX = "/api/v1"


def api_router(prefix: str, tag: str) -> APIRouter:
    return APIRouter(prefix=f"{API_PREFIX}{prefix}", tags=[tag])


class FieldError(BaseModel):
    pointer: str = Field(examples=["/body/email"])
    detail: str = Field(examples=["value is not a valid email address"])


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(examples=["/problems/not-found"])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["No booking BK-9999."])
    errors: list[FieldError] | None = None


_DESCRIPTIONS = {
    400: "Malformed request",
    401: "Missing, expired or invalid access token",
    403: "Your role may not do this",
    404: "Not found (or outside what you may see)",
    409: "Conflicts with the current state (duplicate, overlap, concurrent change)",
    412: "If-Match is stale: someone else changed the record",
    413: "Upload too large",
    415: "File type not allowed",
    422: "Invalid input",
    503: "A dependency is unavailable",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: 400/401/403/422 always, plus the given statuses."""
    codes = sorted({400, 401, 403, 422, *statuses})
    return {
        code: {
            "description": _DESCRIPTIONS[code],
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code in codes
    }


# A path segment that is a UUID or a natural code (`BK-1052`, `LD-1201`, `1`).
IdOrCode = Annotated[
    str,
    Path(min_length=1, max_length=100, description="UUID or the natural code", examples=["1"]),
]


def matches_id_or_code(id_column: Any, code_column: Any, value: str) -> ColumnElement[bool]:
    """`id = <uuid>` when the value is a UUID, else `<code column> = value`."""
    try:
        matched: ColumnElement[bool] = id_column == uuid.UUID(value)
    except ValueError:
        matched = code_column == value
    return matched
