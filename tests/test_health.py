"""Health probes, problem+json for unknown routes, request ids."""

from __future__ import annotations

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection


async def test_live_and_ready(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health/live")).json() == {"status": "ok"}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"


async def test_ready_is_503_when_schema_is_behind(
    client: httpx.AsyncClient, db: AsyncConnection
) -> None:
    await db.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    response = await client.get("/health/ready")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["expected_revision"] != body["current_revision"] == "0001"


async def test_unknown_route_is_problem_json_with_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/nope", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404
    assert response.headers["x-request-id"] == "abc-123"
    forged = await client.get("/health/live", headers={"X-Request-ID": "bad\nline"})
    assert forged.headers["x-request-id"] != "bad\nline"
