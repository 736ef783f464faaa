"""An in-memory stand-in for Supabase Storage's object REST API, for tests and local runs.

It answers the way the real service does (supabase/storage): most errors travel as HTTP 400
with the meaningful status as a string in the body, e.g.
`{"statusCode": "404", "code": "NoSuchKey", "error": "not_found", "message": "Object not found"}`;
a bad `apikey` is stopped by the API gateway with 401 and `{"message": "Invalid API key"}`.
Buckets and objects live in `app.state.buckets` (bucket -> name -> StoredObject).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class StoredObject:
    data: bytes
    content_type: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())


def _storage_error(status: str, error: str, message: str, code: str | None = None) -> Response:
    body: dict[str, Any] = {"statusCode": status, "error": error, "message": message}
    if code:
        body["code"] = code
    # Supabase Storage sends every non-500 error with HTTP 400.
    return JSONResponse(body, status_code=500 if status == "500" else 400)


def create_fake_supabase_storage(
    service_key: str, buckets: Iterable[str] = ("documents",)
) -> Starlette:
    store: dict[str, dict[str, StoredObject]] = {name: {} for name in buckets}

    def refuse(request: Request) -> Response | None:
        apikey = request.headers.get("apikey")
        if apikey is None:
            return JSONResponse({"message": "No API key found in request"}, status_code=401)
        if apikey != service_key:
            return JSONResponse(
                {
                    "message": "Invalid API key",
                    "hint": "Double check your Supabase `anon` or `service_role` API key.",
                },
                status_code=401,
            )
        if request.headers.get("authorization") != f"Bearer {service_key}":
            return _storage_error("403", "Unauthorized", "invalid signature", "AccessDenied")
        return None

    def bucket_of(request: Request) -> dict[str, StoredObject] | Response:
        objects = store.get(request.path_params["bucket"])
        if objects is None:
            return _storage_error("404", "Bucket not found", "Bucket not found", "NoSuchBucket")
        return objects

    async def upload(request: Request) -> Response:
        if (refusal := refuse(request)) is not None:
            return refusal
        objects = bucket_of(request)
        if isinstance(objects, Response):
            return objects
        name = request.path_params["name"]
        if name in objects and request.headers.get("x-upsert") != "true":
            return _storage_error(
                "409", "Duplicate", "The resource already exists", "KeyAlreadyExists"
            )
        body = bytearray()
        try:
            async for chunk in request.stream():
                body.extend(chunk)
        except ClientDisconnect:
            # An aborted body never becomes an object; nobody is left to read the answer.
            return Response(status_code=400)
        obj = StoredObject(
            bytes(body), request.headers.get("content-type", "application/octet-stream")
        )
        objects[name] = obj
        return JSONResponse({"Id": obj.id, "Key": f"{request.path_params['bucket']}/{name}"})

    async def download(request: Request) -> Response:
        if (refusal := refuse(request)) is not None:
            return refusal
        objects = bucket_of(request)
        if isinstance(objects, Response):
            return objects
        obj = objects.get(request.path_params["name"])
        if obj is None:
            return _storage_error("404", "not_found", "Object not found", "NoSuchKey")
        return Response(obj.data, media_type=obj.content_type)

    async def remove(request: Request) -> Response:
        if (refusal := refuse(request)) is not None:
            return refusal
        objects = bucket_of(request)
        if isinstance(objects, Response):
            return objects
        bucket = request.path_params["bucket"]
        removed = []
        # Exact names, as Supabase does despite the field's name.
        for name in (await request.json())["prefixes"]:
            obj = objects.pop(name, None)
            if obj is not None:
                removed.append(
                    {
                        "id": obj.id,
                        "name": name,
                        "bucket_id": bucket,
                        "created_at": obj.created_at,
                        "metadata": {"size": len(obj.data), "mimetype": obj.content_type},
                    }
                )
        return JSONResponse(removed)

    app = Starlette(
        routes=[
            Route(
                "/storage/v1/object/authenticated/{bucket}/{name:path}",
                download,
                methods=["GET"],
            ),
            Route("/storage/v1/object/{bucket}/{name:path}", upload, methods=["POST"]),
            Route("/storage/v1/object/{bucket}/{name:path}", download, methods=["GET"]),
            Route("/storage/v1/object/{bucket}", remove, methods=["DELETE"]),
        ]
    )
    app.state.buckets = store
    return app
