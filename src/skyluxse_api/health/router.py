"""Liveness and readiness probes (public, no token)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import text

from skyluxse_api.api.problems import ServiceUnavailable

log = logging.getLogger(__name__)
router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live", operation_id="health_live", summary="The process is up")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/ready",
    operation_id="health_ready",
    summary="The database is reachable and migrated to head",
    responses={503: {"description": "Database unreachable or not migrated"}},
)
async def ready(request: Request) -> dict[str, Any]:
    head: str = request.app.state.migration_head
    try:
        async with request.app.state.sessionmaker() as session:
            current = (
                await session.execute(text("SELECT version_num FROM alembic_version"))
            ).scalar_one_or_none()
    except Exception as exc:
        log.warning("readiness check failed: %s", exc)
        raise ServiceUnavailable(f"Database unreachable: {type(exc).__name__}.") from exc
    if current != head:
        raise ServiceUnavailable(
            f"Database schema is at {current or 'nothing'}, expected {head}; run migrations.",
            extra={"current_revision": current, "expected_revision": head},
        )
    return {"status": "ok", "revision": current}
