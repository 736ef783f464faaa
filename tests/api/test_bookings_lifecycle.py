"""The booking lifecycle, the no-double-booking check on confirmation, and the board's SLA."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from skyluxse_api.bookings.clock import current_time
from tests.api.test_bookings import BOOKINGS, add_client, add_vehicle, at, create_booking
from tests.conftest import StaffFactory

NOW = datetime(2031, 3, 1, 9, 0, tzinfo=UTC)
ORDER = ["new", "preparation", "delivery", "in_rent", "settlement"]


def moment(hours: float) -> datetime:
    return datetime.fromisoformat(at(hours))


@pytest.fixture
def clock(app: FastAPI) -> Any:
    """Freeze the API's clock at NOW (tests may move it)."""
    state = {"now": NOW}
    app.dependency_overrides[current_time] = lambda: state["now"]
    yield state
    app.dependency_overrides.pop(current_time, None)


async def _move(
    client: httpx.AsyncClient, headers: dict[str, str], booking: str, **body: Any
) -> httpx.Response:
    return await client.post(f"{BOOKINGS}/{booking}/transitions", json=body, headers=headers)


async def _booking_on(
    client: httpx.AsyncClient, db: AsyncConnection, headers: dict[str, str], **extra: Any
) -> dict[str, Any]:
    client_id = await add_client(db)
    vehicle_id = extra.pop("vehicle_id", None) or await add_vehicle(db, mileage_km=8000)
    return await create_booking(
        client, headers, client_id=str(client_id), vehicle_id=str(vehicle_id),
        start_at=at(0), end_at=at(72), **extra,
    )  # fmt: skip


async def test_a_booking_goes_from_new_to_settlement(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory, clock: Any
) -> None:
    ops = await make_staff("operations")
    booking = await _booking_on(client, db, ops["headers"], sla_minutes=45)
    code, headers = booking["external_code"], ops["headers"]

    clock["now"] = NOW + timedelta(minutes=1)
    confirmed = await _move(client, headers, code, to_status="preparation", note="Car detailed")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "preparation"
    assert confirmed.json()["zoho_sync_status"] == "pending"
    outbox = await db.execute(
        text("SELECT event_type, target_system FROM integrations_outbox WHERE entity_id = :id"),
        {"id": booking["id"]},
    )
    assert outbox.all() == [("sales_order.create", "zoho")]

    clock["now"] = NOW + timedelta(minutes=2)
    delivering = await _move(client, headers, code, to_status="delivery")
    assert delivering.json()["promised_at"] == "2031-03-01T09:47:00Z"
    assert delivering.json()["actual_at"] is None

    clock["now"] = NOW + timedelta(minutes=40)
    missing_fuel = await _move(client, headers, code, to_status="in_rent", pickup_mileage=8100)
    assert missing_fuel.status_code == 422
    assert missing_fuel.json()["errors"][0]["pointer"] == "/body/pickup_fuel_level"
    missing_mileage = await _move(
        client, headers, code, to_status="in_rent", pickup_fuel_level="Full"
    )
    assert missing_mileage.status_code == 422
    below_odometer = await _move(
        client, headers, code, to_status="in_rent", pickup_mileage=7999, pickup_fuel_level="Full"
    )
    assert below_odometer.status_code == 422
    future = await _move(
        client, headers, code, to_status="in_rent", pickup_mileage=8100,
        pickup_fuel_level="Full", actual_at=(clock["now"] + timedelta(hours=1)).isoformat(),
    )  # fmt: skip
    assert future.status_code == 422
    renting = await _move(
        client, headers, code, to_status="in_rent", pickup_mileage=8100, pickup_fuel_level="Full"
    )
    assert renting.status_code == 200, renting.text
    assert renting.json()["actual_at"] == "2031-03-01T09:40:00Z"
    assert (renting.json()["pickup_mileage"], renting.json()["pickup_fuel_level"]) == (8100, "Full")

    clock["now"] = NOW + timedelta(days=3)
    backwards = await _move(
        client, headers, code, to_status="settlement", return_mileage=8099,
        return_fuel_level="3/4",
    )  # fmt: skip
    assert backwards.status_code == 422
    no_fuel = await _move(client, headers, code, to_status="settlement", return_mileage=8500)
    assert no_fuel.status_code == 422
    settled = await _move(
        client, headers, code, to_status="settlement", return_mileage=8650,
        return_fuel_level="3/4",
    )  # fmt: skip
    assert settled.status_code == 200, settled.text
    assert settled.json()["return_mileage"] == 8650
    odometer = await db.execute(
        text("SELECT mileage_km FROM vehicles WHERE id = :id"), {"id": booking["vehicle_id"]}
    )
    assert odometer.scalar_one() == 8650

    done = await _move(client, headers, code, to_status="new")
    assert done.status_code == 409
    assert done.json()["allowed"] == []
    timeline = await client.get(
        f"{BOOKINGS}/{code}/timeline", params={"sort": "event_ts"}, headers=headers
    )
    events = timeline.json()["items"]
    assert [event["status"] for event in events] == ORDER
    assert events[1]["note"] == "Car detailed"
    assert {event["actor_type"] for event in events} == {"staff"}
    assert {event["actor_id"] for event in events} == {str(ops["id"])}


@pytest.mark.parametrize("current", ORDER)
async def test_only_the_next_status_is_allowed(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory, current: str
) -> None:
    ops = await make_staff("operations")
    booking = await _booking_on(client, db, ops["headers"])
    await db.execute(
        text("UPDATE bookings SET status = :status WHERE id = :id"),
        {"status": current, "id": booking["id"]},
    )
    following = ORDER[ORDER.index(current) + 1 :][:1]
    for target in ORDER:
        if [target] == following:
            continue
        refused = await _move(client, ops["headers"], booking["id"], to_status=target)
        assert refused.status_code == 409, (current, target)
        assert refused.json()["allowed"] == following
        assert refused.json()["status"] == current
    unknown = await _move(client, ops["headers"], booking["id"], to_status="cancelled")
    assert unknown.status_code == 422


async def test_default_sla_is_thirty_minutes_and_fields_belong_to_their_step(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory, clock: Any
) -> None:
    ops = await make_staff("operations")
    booking = await _booking_on(client, db, ops["headers"], status="preparation")
    early = await _move(
        client, ops["headers"], booking["id"], to_status="delivery", pickup_mileage=10
    )
    assert early.status_code == 422
    assert early.json()["errors"][0]["pointer"] == "/body/pickup_mileage"
    delivering = await _move(client, ops["headers"], booking["id"], to_status="delivery")
    assert delivering.json()["promised_at"] == "2031-03-01T09:30:00Z"


async def test_confirmation_refuses_a_taken_car_naming_the_booking(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    car = await add_vehicle(db)
    client_id = str(await add_client(db))
    first = await create_booking(
        client, ops["headers"], client_id=client_id, vehicle_id=str(car),
        start_at=at(0), end_at=at(24), status="preparation",
    )  # fmt: skip
    overlapping = await create_booking(
        client, ops["headers"], client_id=client_id, vehicle_id=str(car),
        start_at=at(20), end_at=at(30),
    )  # fmt: skip
    # Within the 60-minute turnaround buffer after the first rental.
    too_soon = await create_booking(
        client, ops["headers"], client_id=client_id, vehicle_id=str(car),
        start_at=at(24.5), end_at=at(30),
    )  # fmt: skip
    after_buffer = await create_booking(
        client, ops["headers"], client_id=client_id, vehicle_id=str(car),
        start_at=at(25), end_at=at(30),
    )  # fmt: skip
    for booking in (overlapping, too_soon):
        refused = await _move(client, ops["headers"], booking["id"], to_status="preparation")
        assert refused.status_code == 409
        assert refused.json()["conflict"]["code"] == first["external_code"]
        assert first["external_code"] in refused.json()["detail"]
        still = await client.get(f"{BOOKINGS}/{booking['id']}", headers=ops["headers"])
        assert still.json()["status"] == "new"
    accepted = await _move(client, ops["headers"], after_buffer["id"], to_status="preparation")
    assert accepted.status_code == 200
    at_creation = await client.post(
        BOOKINGS,
        json={"client_id": client_id, "vehicle_id": str(car), "start_at": at(10),
              "end_at": at(12), "status": "preparation"},
        headers=ops["headers"],
    )  # fmt: skip
    assert at_creation.status_code == 409


async def test_confirmation_refuses_a_car_in_maintenance(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    car = await add_vehicle(db)
    job_id = (
        await db.execute(
            text(
                "INSERT INTO maintenance_jobs (vehicle_id, status, scheduled_start, scheduled_end)"
                " VALUES (:car, 'scheduled', :start, :end) RETURNING id"
            ),
            {"car": car, "start": moment(10), "end": moment(40)},
        )
    ).scalar_one()
    booking = await _booking_on(client, db, ops["headers"], vehicle_id=car)
    refused = await _move(client, ops["headers"], booking["id"], to_status="preparation")
    assert refused.status_code == 409
    assert refused.json()["conflict"] == {
        "kind": "maintenance_job", "id": str(job_id), "code": None,
        "start_at": moment(10).isoformat(), "end_at": moment(40).isoformat(),
    }  # fmt: skip


async def _with_sla(
    db: AsyncConnection,
    client_id: uuid.UUID,
    status: str,
    promised: datetime | None,
    actual: datetime | None,
    code: str,
) -> None:
    await db.execute(
        text(
            "INSERT INTO bookings (external_code, client_id, status, start_at, end_at, "
            "promised_at, actual_at) VALUES (:code, :client, :status, :start, :end, "
            ":promised, :actual)"
        ),
        {"code": code, "client": client_id, "status": status, "start": NOW,
         "end": NOW + timedelta(days=2), "promised": promised, "actual": actual},
    )  # fmt: skip


async def test_board_groups_by_status_with_sla_states(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory, clock: Any
) -> None:
    ops = await make_staff("operations")
    client_id = await add_client(db)
    minutes = lambda n: NOW + timedelta(minutes=n)  # noqa: E731
    cases = [
        ("BK-SLA-1", "delivery", minutes(60), None, "on_time"),
        ("BK-SLA-2", "delivery", minutes(10), None, "due_soon"),
        ("BK-SLA-3", "delivery", minutes(15), None, "due_soon"),
        ("BK-SLA-4", "delivery", minutes(-1), None, "breached"),
        ("BK-SLA-5", "in_rent", minutes(-30), minutes(-20), "breached"),
        ("BK-SLA-6", "in_rent", minutes(-30), minutes(-31), "on_time"),
        ("BK-SLA-7", "new", None, None, "none"),
    ]
    for code, status, promised, actual, _ in cases:
        await _with_sla(db, client_id, status, promised, actual, code)
    board = await client.get(f"{BOOKINGS}/board", headers=ops["headers"])
    assert board.status_code == 200, board.text
    body = board.json()
    assert body["generated_at"] == "2031-03-01T09:00:00Z"
    assert [column["status"] for column in body["columns"]] == ORDER
    counts = {column["status"]: column["count"] for column in body["columns"]}
    assert counts == {"new": 1, "preparation": 0, "delivery": 4, "in_rent": 2, "settlement": 0}
    states = {
        card["external_code"]: card["sla_state"]
        for column in body["columns"]
        for card in column["items"]
    }
    assert states == {code: state for code, _, _, _, state in cases}
    delivery = next(column for column in body["columns"] if column["status"] == "delivery")
    assert [card["external_code"] for card in delivery["items"]] == [
        "BK-SLA-4", "BK-SLA-2", "BK-SLA-3", "BK-SLA-1",
    ]  # fmt: skip

    clock["now"] = NOW + timedelta(minutes=50)
    later = (await client.get(f"{BOOKINGS}/board", headers=ops["headers"])).json()
    first = next(column for column in later["columns"] if column["status"] == "delivery")
    assert {card["external_code"]: card["sla_state"] for card in first["items"]}["BK-SLA-1"] == (
        "due_soon"
    )
    limited = (
        await client.get(f"{BOOKINGS}/board", params={"per_column": 2}, headers=ops["headers"])
    ).json()
    delivery = next(column for column in limited["columns"] if column["status"] == "delivery")
    assert delivery["count"] == 4 and len(delivery["items"]) == 2
    windowed = (
        await client.get(
            f"{BOOKINGS}/board",
            params={"from": (NOW + timedelta(days=3)).isoformat(),
                    "to": (NOW + timedelta(days=4)).isoformat()},
            headers=ops["headers"],
        )
    ).json()  # fmt: skip
    assert all(column["count"] == 0 for column in windowed["columns"])
