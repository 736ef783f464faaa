"""RFC 9457 problem details: the one shape of every error this API answers."""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from asyncpg.exceptions._base import DataError as ClientSideDataError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.schema import ColumnCollectionConstraint
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class AppError(Exception):
    """A failure the client can act on; services raise these, handlers render them."""

    status = 500
    slug = "internal-error"
    title = "Internal server error"

    def __init__(
        self,
        detail: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}
        self.headers = headers or {}


class BadRequest(AppError):
    status, slug, title = 400, "bad-request", "Bad request"


class Unauthorized(AppError):
    status, slug, title = 401, "unauthorized", "Unauthorized"


class Forbidden(AppError):
    status, slug, title = 403, "forbidden", "Forbidden"


class NotFound(AppError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(AppError):
    status, slug, title = 409, "conflict", "Conflict"


class PreconditionFailed(AppError):
    status, slug, title = 412, "precondition-failed", "Precondition failed"


class PayloadTooLarge(AppError):
    status, slug, title = 413, "payload-too-large", "Payload too large"


class UnsupportedMediaType(AppError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class Unprocessable(AppError):
    status, slug, title = 422, "unprocessable", "Unprocessable content"


class PreconditionRequired(AppError):
    status, slug, title = 428, "precondition-required", "Precondition required"


class ServiceUnavailable(AppError):
    status, slug, title = 503, "service-unavailable", "Service unavailable"


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    slug: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{slug}" if slug else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update(extra or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _json_pointer(location: tuple[Any, ...]) -> str:
    # FastAPI locations start with the part of the request ("body", "query", ...).
    parts = [str(part).replace("~", "~0").replace("/", "~1") for part in location]
    return "/" + "/".join(parts)


# SQLSTATEs that are the client's to fix or retry, never a server fault.
_SQLSTATE_PROBLEMS: dict[str, tuple[int, str, str]] = {
    "23505": (409, "duplicate", "Duplicate value"),
    "23503": (409, "reference-conflict", "Reference conflict"),
    "23001": (409, "reference-conflict", "Reference conflict"),
    "23514": (422, "constraint-violated", "Value out of the allowed range"),
    "23502": (422, "missing-value", "Missing required value"),
    "23P01": (409, "conflict", "Conflict"),
    "22001": (422, "value-too-long", "Value too long"),
    "22003": (422, "out-of-range", "Number out of range"),
    "22007": (422, "invalid-value", "Invalid value"),
    "22008": (422, "invalid-value", "Invalid value"),
    "22P02": (422, "invalid-value", "Invalid value"),
    "22P05": (422, "invalid-value", "Invalid value"),
    "22021": (422, "invalid-value", "Invalid value"),
    "40001": (409, "retry", "Concurrent update, retry"),
    "40P01": (409, "retry", "Concurrent update, retry"),
    "55P03": (409, "retry", "Row is locked, retry"),
}


@cache
def _constraint_fields() -> dict[str, list[str]]:
    """Constraint name -> the columns it guards, from the models' naming convention."""
    from skyluxse_api.models import Base

    fields: dict[str, list[str]] = {}
    for table in Base.metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, ColumnCollectionConstraint) and isinstance(
                constraint.name, str
            ):
                fields[constraint.name] = [column.name for column in constraint.columns]
        for index in table.indexes:
            if index.unique and isinstance(index.name, str):
                fields[index.name] = [column.name for column in index.columns]
    return fields


def _database_problem(exc: DBAPIError) -> JSONResponse | None:
    cause = exc.orig.__cause__ if exc.orig is not None else None
    sqlstate = getattr(cause, "sqlstate", None) or getattr(exc.orig, "sqlstate", None)
    if sqlstate is None and isinstance(cause, ClientSideDataError):
        # The driver refused a parameter (e.g. an integer beyond int4) before sending it.
        sqlstate = "22003"
    if sqlstate not in _SQLSTATE_PROBLEMS:
        return None
    status, slug, title = _SQLSTATE_PROBLEMS[sqlstate]
    extra: dict[str, Any] = {}
    constraint = getattr(cause, "constraint_name", None)
    columns = _constraint_fields().get(constraint or "", [])
    column = getattr(cause, "column_name", None) or (", ".join(columns) if columns else None)
    if constraint:
        extra["constraint"] = constraint
    if column:
        extra["field"] = column
    detail = getattr(cause, "detail", None) or getattr(cause, "message", None) or title
    if sqlstate == "23505":
        detail = f"Another record already has this {column or 'value'} ({detail})."
    elif sqlstate in ("23503", "23001"):
        what = column or "record"
        detail = f"The referenced {what} does not exist or is still in use ({detail})."
    elif sqlstate in ("40001", "40P01", "55P03"):
        detail = "Another request changed the same data at the same time; retry the request."
    return problem_response(status, title, str(detail), slug=slug, extra=extra)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return problem_response(
            exc.status, exc.title, exc.detail, slug=exc.slug, extra=exc.extra, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"pointer": _json_pointer(tuple(err.get("loc", ()))), "detail": err.get("msg", "")}
            for err in exc.errors()
        ]
        return problem_response(
            422,
            "Validation failed",
            "The request has invalid fields; see `errors`.",
            slug="validation-failed",
            extra={"errors": errors},
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "Request failed."
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "HTTP error")
        return problem_response(
            exc.status_code, title, detail, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        mapped = _database_problem(exc)
        if mapped is not None:
            return mapped
        log.exception("unexpected database error", exc_info=exc)
        return problem_response(500, "Internal server error", "Unexpected database error.")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return problem_response(500, "Internal server error", "Unexpected error.")
