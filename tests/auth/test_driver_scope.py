"""Row scopes as a driver sees them: only what hangs off their own tasks, and no money."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.auth.test_access_matrix import api_operations
from tests.conftest import StaffFactory

# Any key that names money, wherever it appears in a response.
MONEY_KEY = re.compile(r"amount|price|pricing|revenue|cost|deposit|outstanding|lifetime_value|paid")


async def _world(db: AsyncConnection, driver_id: uuid.UUID, code: str) -> dict[str, uuid.UUID]:
    """A client, a car, a booking and a task assigned to `driver_id`."""
    client = (
        await db.execute(
            text("INSERT INTO clients (name, phone) VALUES (:n, '+971500000000') RETURNING id"),
            {"n": f"Client {code}"},
        )
    ).scalar_one()
    vehicle = (
        await db.execute(
            text("INSERT INTO vehicles (name, revenue_ytd) VALUES (:n, 1000) RETURNING id"),
            {"n": f"Car {code}"},
        )
    ).scalar_one()
    booking = (
        await db.execute(
            text(
                "INSERT INTO bookings (external_code, client_id, vehicle_id, status, "
                "total_amount, paid_amount, deposit_amount, start_at, end_at) "
                "VALUES (:code, :client, :vehicle, 'preparation', 5000, 1000, 2000, "
                "now() + interval '1 day', now() + interval '3 days') RETURNING id"
            ),
            {"code": code, "client": client, "vehicle": vehicle},
        )
    ).scalar_one()
    task = (
        await db.execute(
            text(
                "INSERT INTO tasks (task_type, title, assignee_driver_id, booking_id, "
                "vehicle_id, client_id) VALUES ('delivery', :t, :d, :b, :v, :c) RETURNING id"
            ),
            {"t": f"Deliver {code}", "d": driver_id, "b": booking, "v": vehicle, "c": client},
        )
    ).scalar_one()
    return {"client": client, "vehicle": vehicle, "booking": booking, "task": task}


async def test_driver_cannot_read_list_or_guess_another_drivers_rows(
    client: httpx.AsyncClient, make_staff: StaffFactory, db: AsyncConnection
) -> None:
    me, other = await make_staff("driver"), await make_staff("driver")
    mine = await _world(db, me["driver_id"], "BK-7001")
    theirs = await _world(db, other["driver_id"], "BK-7002")
    resources = {
        "task": "/api/v1/tasks",
        "booking": "/api/v1/bookings",
        "client": "/api/v1/clients",
        "vehicle": "/api/v1/vehicles",
    }
    for kind, base in resources.items():
        own = await client.get(f"{base}/{mine[kind]}", headers=me["headers"])
        assert own.status_code == 200, f"{kind}: {own.status_code} {own.text[:200]}"
        guessed = await client.get(f"{base}/{theirs[kind]}", headers=me["headers"])
        assert guessed.status_code == 404, f"{kind} of another driver: {guessed.status_code}"
        listed = await client.get(base, headers=me["headers"])
        ids = {item["id"] for item in listed.json()["items"]}
        assert str(theirs[kind]) not in ids and str(mine[kind]) in ids, kind
    by_code = await client.get("/api/v1/bookings/BK-7002", headers=me["headers"])
    assert by_code.status_code == 404


def _money_keys(value: Any, path: str = "") -> list[str]:
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if MONEY_KEY.search(key):
                found.append(f"{path}/{key}")
            found.extend(_money_keys(item, f"{path}/{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_money_keys(item, f"{path}/{index}"))
    return found


async def test_driver_never_sees_a_money_field(
    app: FastAPI, client: httpx.AsyncClient, make_staff: StaffFactory, db: AsyncConnection
) -> None:
    driver = await make_staff("driver")
    mine = await _world(db, driver["driver_id"], "BK-7003")
    ids = {
        "booking": mine["booking"], "client": mine["client"], "vehicle": mine["vehicle"],
        "task": mine["task"],
    }  # fmt: skip

    def concrete(path: str) -> str | None:
        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            for kind, value in ids.items():
                if name.startswith(kind):
                    return str(value)
            raise KeyError(name)

        try:
            return re.sub(r"\{([^}]+)\}", substitute, path)
        except KeyError:
            return None

    seen = 0
    leaks = []
    for method, path, access in api_operations(app):
        url = concrete(path)
        if method != "GET" or url is None or str(access[0]).startswith("public:"):
            continue
        response = await client.get(url, headers=driver["headers"])
        if response.status_code != 200 or "json" not in response.headers["content-type"]:
            continue
        seen += 1
        leaks.extend(f"{path}: {key}" for key in _money_keys(response.json()))
    assert seen >= 5
    assert leaks == []
