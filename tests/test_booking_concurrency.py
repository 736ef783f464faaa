"""No double-booking under concurrency: 50 simultaneous requests for one car, one winner.

These requests really commit (each in its own transaction on its own pooled
connection), so this module uses its own engine instead of the rolled-back `db`
fixture, and deletes what it committed.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from skyluxse_api.app import create_app
from skyluxse_api.auth.tokens import mint_token
from skyluxse_api.db.engine import create_sessionmaker
from skyluxse_api.settings import Settings
from tests.conftest import TEST_SECRET

REQUESTS = 50
START = datetime(2032, 6, 1, 10, 0, tzinfo=UTC)


@dataclass
class World:
    engine: AsyncEngine
    http: httpx.AsyncClient
    headers: dict[str, str]
    client_id: uuid.UUID
    vehicle_id: uuid.UUID
    staff_id: uuid.UUID


@pytest.fixture
async def world(database_url: str, settings: Settings) -> AsyncIterator[World]:
    engine = create_async_engine(
        database_url,
        pool_size=REQUESTS,
        max_overflow=0,
        connect_args={"server_settings": {"timezone": "UTC"}},
    )
    app = create_app(settings)
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)
    staff_id = uuid.uuid4()
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO staff_accounts (id, full_name, email, role) "
                "VALUES (:id, 'Race Ops', :email, 'operations')"
            ),
            {"id": staff_id, "email": f"race-{staff_id.hex[:8]}@test.skyluxse.ae"},
        )
        client_id = await conn.scalar(
            text("INSERT INTO clients (name) VALUES ('Race Client') RETURNING id")
        )
        vehicle_id = await conn.scalar(
            text("INSERT INTO vehicles (name) VALUES ('Race Ghost') RETURNING id")
        )
    token = mint_token(TEST_SECRET, subject=staff_id)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield World(
            engine,
            http,
            {"Authorization": f"Bearer {token}"},
            client_id,
            vehicle_id,
            staff_id,
        )
    async with engine.begin() as conn:
        booking_ids = (
            (
                await conn.execute(
                    text("SELECT id FROM bookings WHERE vehicle_id = :car"), {"car": vehicle_id}
                )
            )
            .scalars()
            .all()
        )
        await conn.execute(
            text("DELETE FROM integrations_outbox WHERE entity_id = ANY(:ids)"),
            {"ids": list(booking_ids)},
        )
        await conn.execute(
            text("DELETE FROM bookings WHERE vehicle_id = :car"), {"car": vehicle_id}
        )
        await conn.execute(text("DELETE FROM vehicles WHERE id = :id"), {"id": vehicle_id})
        await conn.execute(text("DELETE FROM clients WHERE id = :id"), {"id": client_id})
        await conn.execute(text("DELETE FROM staff_accounts WHERE id = :id"), {"id": staff_id})
    await engine.dispose()


async def _blocking_bookings(world: World) -> list[tuple[str, str]]:
    async with world.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT external_code, status FROM bookings "
                "WHERE vehicle_id = :car AND status <> 'new'"
            ),
            {"car": world.vehicle_id},
        )
        return [(row.external_code, str(row.status)) for row in rows]


def _window(i: int) -> tuple[str, str]:
    # Every window overlaps every other: they all contain START + 24 h.
    start = START + timedelta(minutes=i)
    return start.isoformat(), (start + timedelta(days=2)).isoformat()


async def test_fifty_simultaneous_confirmations_of_one_car_have_one_winner(world: World) -> None:
    async with world.engine.begin() as conn:
        for i in range(REQUESTS):
            start, end = _window(i)
            await conn.execute(
                text(
                    "INSERT INTO bookings (external_code, client_id, vehicle_id, start_at, end_at)"
                    " VALUES (:code, :client, :car, :start, :end)"
                ),
                {"code": f"BK-RACE-{world.vehicle_id.hex[:6]}-{i}", "client": world.client_id,
                 "car": world.vehicle_id, "start": datetime.fromisoformat(start),
                 "end": datetime.fromisoformat(end)},
            )  # fmt: skip
    codes = [f"BK-RACE-{world.vehicle_id.hex[:6]}-{i}" for i in range(REQUESTS)]

    responses = await asyncio.gather(
        *(
            world.http.post(
                f"/api/v1/bookings/{code}/transitions",
                json={"to_status": "preparation"},
                headers=world.headers,
            )
            for code in codes
        )
    )

    statuses = Counter(response.status_code for response in responses)
    assert statuses == {200: 1, 409: REQUESTS - 1}, [
        r.text for r in responses if r.status_code >= 500
    ]
    winner = next(r.json()["external_code"] for r in responses if r.status_code == 200)
    for response in responses:
        if response.status_code == 409:
            assert response.json()["conflict"]["code"] == winner
    assert await _blocking_bookings(world) == [(winner, "preparation")]


async def test_fifty_simultaneous_confirmed_creations_of_one_car_have_one_winner(
    world: World,
) -> None:
    def body(i: int) -> dict[str, str]:
        start, end = _window(i)
        return {
            "client_id": str(world.client_id),
            "vehicle_id": str(world.vehicle_id),
            "start_at": start,
            "end_at": end,
            "status": "preparation",
        }

    responses = await asyncio.gather(
        *(world.http.post("/api/v1/bookings", json=body(i), headers=world.headers)
          for i in range(REQUESTS))
    )  # fmt: skip

    statuses = Counter(response.status_code for response in responses)
    assert statuses == {201: 1, 409: REQUESTS - 1}, [
        r.text for r in responses if r.status_code >= 500
    ]
    winner = next(r.json()["external_code"] for r in responses if r.status_code == 201)
    assert await _blocking_bookings(world) == [(winner, "preparation")]
    async with world.engine.connect() as conn:
        every = await conn.scalar(
            text("SELECT count(*) FROM bookings WHERE vehicle_id = :car"), {"car": world.vehicle_id}
        )
    assert every == 1
