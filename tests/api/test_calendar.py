"""The fleet calendar: rentals from bookings beside maintenance/repair entries."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.api.test_bookings import (
    T0,
    add_client,
    add_vehicle,
    assign_driver_task,
    at,
    create_booking,
)
from tests.conftest import StaffFactory

CALENDAR = "/api/v1/calendar"
EVENTS = "/api/v1/calendar/events"


async def _grid(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[Any]:
    params = {"from": at(-24), "to": at(24 * 10), **params}
    response = await client.get(CALENDAR, params=params, headers=headers)
    assert response.status_code == 200, response.text
    items: list[Any] = response.json()["items"]
    return items


async def test_calendar_shows_rentals_and_entries_in_a_window(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    ghost, huracan = await add_vehicle(db), await add_vehicle(db, "Lamborghini Huracan")
    client_id = str(await add_client(db))
    rental = await create_booking(
        client, ops["headers"], client_id=client_id, vehicle_id=str(ghost),
        start_at=at(0), end_at=at(48), status="preparation", priority="high",
    )  # fmt: skip
    returned = await create_booking(
        client, ops["headers"], client_id=client_id, vehicle_id=str(huracan),
        start_at=at(100), end_at=at(120),
    )  # fmt: skip
    await db.execute(
        text("UPDATE bookings SET status = 'settlement' WHERE id = :id"), {"id": returned["id"]}
    )
    service = await client.post(
        EVENTS,
        json={"vehicle_id": str(huracan), "event_type": "maintenance", "title": "10k service",
              "start_at": at(24), "end_at": at(60), "color_token": "amber",
              "external_ref": "EVT-huracan-10k"},
        headers=ops["headers"],
    )  # fmt: skip
    assert service.status_code == 201, service.text

    entries = await _grid(client, ops["headers"])
    by_id = {entry["id"]: entry for entry in entries}
    assert by_id[rental["id"]]["event_type"] == "rental"
    assert by_id[rental["id"]]["status"] == "scheduled"
    assert by_id[rental["id"]]["source"] == "booking"
    assert by_id[rental["id"]]["title"] == f"{rental['external_code']} · Dmitri Ivanov"
    assert by_id[returned["id"]]["status"] == "completed"
    assert by_id[service.json()["id"]]["source"] == "calendar_event"
    assert [entry["id"] for entry in entries] == [
        rental["id"], service.json()["id"], returned["id"],
    ]  # fmt: skip

    assert {e["id"] for e in await _grid(client, ops["headers"], vehicle_id=str(huracan))} == {
        returned["id"], service.json()["id"],
    }  # fmt: skip
    maintenance = await _grid(client, ops["headers"], event_type="maintenance")
    assert [e["id"] for e in maintenance] == [service.json()["id"]]
    assert [e["id"] for e in await _grid(client, ops["headers"], status="completed")] == [
        returned["id"]
    ]
    narrow = await _grid(client, ops["headers"], **{"from": at(49), "to": at(99)})
    assert [e["id"] for e in narrow] == [service.json()["id"]]
    paged = await client.get(
        CALENDAR, params={"from": at(-24), "to": at(240), "limit": 2}, headers=ops["headers"]
    )
    assert len(paged.json()["items"]) == 2 and paged.json()["next_cursor"]
    missing = await client.get(CALENDAR, params={"from": at(0)}, headers=ops["headers"])
    assert missing.status_code == 422
    backwards = await client.get(
        CALENDAR, params={"from": at(10), "to": at(0)}, headers=ops["headers"]
    )
    assert backwards.status_code == 422


async def test_drivers_see_only_their_rentals(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ops, driver = await make_staff("operations"), await make_staff("driver")
    car = await add_vehicle(db)
    client_id = str(await add_client(db))
    mine = await create_booking(
        client, ops["headers"], client_id=client_id, vehicle_id=str(car),
        start_at=at(0), end_at=at(10),
    )  # fmt: skip
    await create_booking(
        client, ops["headers"], client_id=client_id, vehicle_id=str(car),
        start_at=at(20), end_at=at(30),
    )  # fmt: skip
    await client.post(
        EVENTS,
        json={"vehicle_id": str(car), "event_type": "repair", "title": "Windscreen",
              "start_at": at(40), "end_at": at(50)},
        headers=ops["headers"],
    )  # fmt: skip
    await assign_driver_task(db, driver["driver_id"], mine["id"])
    assert [e["id"] for e in await _grid(client, driver["headers"])] == [mine["id"]]
    events = await client.get(EVENTS, headers=driver["headers"])
    assert events.json()["items"] == []


async def test_calendar_entries_crud(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ops, ceo = await make_staff("operations"), await make_staff("ceo")
    car, other_car = await add_vehicle(db), await add_vehicle(db, "Bentley Bentayga")
    booking = await create_booking(
        client, ops["headers"], client_id=str(await add_client(db)), vehicle_id=str(other_car)
    )
    body = {"vehicle_id": str(car), "event_type": "repair", "title": "Windscreen",
            "start_at": at(0), "end_at": at(5), "external_ref": "EVT-ghost-glass"}  # fmt: skip
    assert (await client.post(EVENTS, json=body, headers=ceo["headers"])).status_code == 403
    for wrong in (
        {"event_type": "rental"},
        {"end_at": at(-1)},
        {"vehicle_id": str(booking["client_id"])},
        {"booking_id": booking["id"]},
    ):
        refused = await client.post(EVENTS, json={**body, **wrong}, headers=ops["headers"])
        assert refused.status_code == 422, wrong
    created = await client.post(EVENTS, json=body, headers=ops["headers"])
    assert created.status_code == 201
    etag = created.headers["etag"]
    fetched = await client.get(f"{EVENTS}/EVT-ghost-glass", headers=ceo["headers"])
    assert fetched.json()["id"] == created.json()["id"]
    await asyncio.sleep(0.001)
    moved = await client.patch(
        f"{EVENTS}/EVT-ghost-glass",
        json={"end_at": at(8), "status": "in_progress"},
        headers={**ops["headers"], "If-Match": etag},
    )
    assert moved.status_code == 200
    assert moved.json()["status"] == "in_progress"
    stale = await client.patch(
        f"{EVENTS}/EVT-ghost-glass",
        json={"title": "Glass"},
        headers={**ops["headers"], "If-Match": etag},
    )
    assert stale.status_code == 412
    backwards = await client.patch(
        f"{EVENTS}/EVT-ghost-glass", json={"start_at": at(9)}, headers=ops["headers"]
    )
    assert backwards.status_code == 422
    deleted = await client.delete(f"{EVENTS}/{created.json()['id']}", headers=ops["headers"])
    assert deleted.status_code == 204
    gone = await client.get(f"{EVENTS}/EVT-ghost-glass", headers=ops["headers"])
    assert gone.status_code == 404


async def test_a_maintenance_jobs_entry_is_managed_by_the_job(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    car = await add_vehicle(db)
    job = (
        await db.execute(
            text("INSERT INTO maintenance_jobs (vehicle_id) VALUES (:car) RETURNING id"),
            {"car": car},
        )
    ).scalar_one()
    event = (
        await db.execute(
            text(
                "INSERT INTO calendar_events (vehicle_id, maintenance_job_id, event_type, title,"
                " start_at, end_at) VALUES (:car, :job, 'maintenance', 'Service', :s, :e)"
                " RETURNING id"
            ),
            {"car": car, "job": job, "s": T0, "e": T0 + timedelta(hours=5)},
        )
    ).scalar_one()
    changed = await client.patch(f"{EVENTS}/{event}", json={"title": "x"}, headers=ops["headers"])
    assert changed.status_code == 409
    assert changed.json()["maintenance_job_id"] == str(job)
    deleted = await client.delete(f"{EVENTS}/{event}", headers=ops["headers"])
    assert deleted.status_code == 409
    listed = await client.get(EVENTS, params={"vehicle_id": str(car)}, headers=ops["headers"])
    assert [item["maintenance_job_id"] for item in listed.json()["items"]] == [str(job)]
    grid = await _grid(client, ops["headers"], vehicle_id=str(car))
    assert grid[0]["maintenance_job_id"] == str(job)
