"""Outbox administration: list, inspect, retry, stats, and a booking's Zoho sync retry."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.conftest import StaffFactory

OUTBOX = "/api/v1/integrations/outbox"


async def outbox_row(db: AsyncConnection, **columns: Any) -> uuid.UUID:
    values = {
        "entity_type": "client",
        "entity_id": uuid.uuid4(),
        "target_system": "zoho",
        "event_type": "contact.upsert",
        **columns,
    }
    names = ", ".join(values)
    binds = ", ".join(f":{name}" for name in values)
    result = await db.execute(
        text(f"INSERT INTO integrations_outbox ({names}) VALUES ({binds}) RETURNING id"), values
    )
    return result.scalar_one()  # type: ignore[no-any-return]


async def booking(db: AsyncConnection, code: str, **columns: Any) -> uuid.UUID:
    values = {"external_code": code, "status": "preparation", **columns}
    names = ", ".join(values)
    binds = ", ".join(f":{name}" for name in values)
    result = await db.execute(
        text(f"INSERT INTO bookings ({names}) VALUES ({binds}) RETURNING id"), values
    )
    return result.scalar_one()  # type: ignore[no-any-return]


async def one(db: AsyncConnection, sql: str, **params: Any) -> dict[str, Any]:
    return dict((await db.execute(text(sql), params)).one()._mapping)


@pytest.mark.parametrize(("role", "status"), [("ceo", 200), ("operations", 200), ("sales", 403),
                                              ("driver", 403)])  # fmt: skip
async def test_only_ceo_and_operations_see_the_outbox(
    client: httpx.AsyncClient, make_staff: StaffFactory, role: str, status: int
) -> None:
    staff = await make_staff(role)

    for path in (OUTBOX, f"{OUTBOX}/stats"):
        assert (await client.get(path, headers=staff["headers"])).status_code == status


async def test_list_filters_by_status_target_event_and_entity(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    headers = (await make_staff("operations"))["headers"]
    client_id = uuid.uuid4()
    failed = await outbox_row(db, status="failed", last_error="Zoho HTTP 400: INVALID_DATA")
    to_kommo = await outbox_row(db, target_system="kommo", entity_id=client_id)
    order = await outbox_row(
        db, entity_type="booking", event_type="sales_order.create", status="succeeded"
    )

    async def ids(**params: Any) -> set[str]:
        response = await client.get(OUTBOX, params=params, headers=headers)
        assert response.status_code == 200
        return {item["id"] for item in response.json()["items"]}

    assert await ids() >= {str(failed), str(to_kommo), str(order)}
    assert await ids(status="failed") == {str(failed)}
    assert await ids(target_system="kommo") == {str(to_kommo)}
    assert await ids(event_type="sales_order.create") == {str(order)}
    assert await ids(entity_type="booking") == {str(order)}
    assert await ids(entity_id=str(client_id)) == {str(to_kommo)}
    refused = await client.get(OUTBOX, params={"status": "lost"}, headers=headers)
    assert refused.status_code == 422


async def test_one_row_shows_its_payload_error_and_attempts(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    headers = (await make_staff("ceo"))["headers"]
    row_id = await outbox_row(
        db,
        status="pending",
        attempts=3,
        last_error="Zoho HTTP 503: INTERNAL_ERROR: internal error",
        payload='{"requested_by": "someone"}',
    )

    response = await client.get(f"{OUTBOX}/{row_id}", headers=headers)

    assert response.status_code == 200
    assert response.headers["ETag"]
    body = response.json()
    assert body["payload"] == {"requested_by": "someone"}
    assert (body["attempts"], body["last_error"]) == (
        3,
        "Zoho HTTP 503: INTERNAL_ERROR: internal error",
    )
    missing = await client.get(f"{OUTBOX}/{uuid.uuid4()}", headers=headers)
    assert missing.status_code == 404


async def test_retrying_a_failed_row_makes_it_due_now_with_attempts_reset(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    headers = (await make_staff("operations"))["headers"]
    booking_id = await booking(
        db, "BK-9101", zoho_sync_status="failed", zoho_sync_error="INVALID_DATA: bad product"
    )
    row_id = await outbox_row(
        db, entity_type="booking", entity_id=booking_id, event_type="sales_order.create",
        status="failed", attempts=10, next_run_at=datetime(2020, 1, 1, tzinfo=UTC),
        last_error="INVALID_DATA: bad product",
    )  # fmt: skip

    response = await client.post(f"{OUTBOX}/{row_id}/retry", headers=headers)

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["attempts"]) == ("pending", 0)
    stored = await one(
        db, "SELECT status, next_run_at <= now() AS due FROM integrations_outbox WHERE id = :id",
        id=row_id,
    )  # fmt: skip
    assert stored == {"status": "pending", "due": True}
    synced = await one(
        db, "SELECT zoho_sync_status, zoho_sync_error FROM bookings WHERE id = :id", id=booking_id
    )
    assert synced == {"zoho_sync_status": "pending", "zoho_sync_error": None}

    again = await client.post(f"{OUTBOX}/{row_id}/retry", headers=headers)
    assert again.status_code == 409
    assert again.json()["outbox_status"] == "pending"


async def test_a_sales_person_cannot_retry(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    row_id = await outbox_row(db, status="failed")

    response = await client.post(
        f"{OUTBOX}/{row_id}/retry", headers=(await make_staff("sales"))["headers"]
    )

    assert response.status_code == 403
    assert (await one(db, "SELECT status FROM integrations_outbox WHERE id = :id", id=row_id)) == {
        "status": "failed"
    }


async def test_stats_count_rows_by_status_and_target(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    headers = (await make_staff("ceo"))["headers"]
    before = (await client.get(f"{OUTBOX}/stats", headers=headers)).json()
    for target, status in [("zoho", "pending"), ("zoho", "pending"), ("zoho", "failed"),
                           ("kommo", "succeeded")]:  # fmt: skip
        await outbox_row(db, target_system=target, status=status)

    after = (await client.get(f"{OUTBOX}/stats", headers=headers)).json()

    def grew(path: tuple[str, ...]) -> int:
        old: Any = before
        new: Any = after
        for key in path:
            old, new = old[key], new[key]
        return int(new) - int(old)

    assert grew(("by_status", "pending")) == 2
    assert grew(("by_status", "failed")) == 1
    assert grew(("by_target", "zoho", "pending")) == 2
    assert grew(("by_target", "kommo", "succeeded")) == 1
    assert grew(("by_target", "kommo", "failed")) == 0
    assert after["oldest_pending_created_at"] is not None


async def test_a_booking_whose_sync_failed_can_be_retried_by_code(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    staff = await make_staff("operations")
    booking_id = await booking(
        db, "BK-9102", zoho_sync_status="failed", zoho_sync_error="Zoho HTTP 400: INVALID_DATA"
    )

    response = await client.post(
        "/api/v1/bookings/BK-9102/zoho-sync/retry", headers=staff["headers"]
    )

    assert response.status_code == 202
    body = response.json()
    assert (body["entity_id"], body["event_type"], body["target_system"], body["status"]) == (
        str(booking_id),
        "booking.retry",
        "zoho",
        "pending",
    )
    assert body["payload"] == {"requested_by": str(staff["id"])}
    synced = await one(db, "SELECT zoho_sync_status FROM bookings WHERE id = :id", id=booking_id)
    assert synced == {"zoho_sync_status": "pending"}

    twice = await client.post(
        f"/api/v1/bookings/{booking_id}/zoho-sync/retry", headers=staff["headers"]
    )
    assert twice.status_code == 409


@pytest.mark.parametrize("sync_status", [None, "pending", "synced"])
async def test_a_booking_whose_sync_did_not_fail_is_409(
    client: httpx.AsyncClient,
    db: AsyncConnection,
    make_staff: StaffFactory,
    sync_status: str | None,
) -> None:
    await booking(db, "BK-9103", zoho_sync_status=sync_status)
    headers = (await make_staff("ceo"))["headers"]

    response = await client.post("/api/v1/bookings/BK-9103/zoho-sync/retry", headers=headers)

    assert response.status_code == 409
    assert (await one(db, "SELECT count(*) AS n FROM integrations_outbox")) == {"n": 0}


async def test_retrying_an_unknown_booking_is_404_and_sales_may_not(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    await booking(db, "BK-9104", zoho_sync_status="failed")
    ops = (await make_staff("operations"))["headers"]
    sales = (await make_staff("sales"))["headers"]

    assert (
        await client.post("/api/v1/bookings/BK-0000/zoho-sync/retry", headers=ops)
    ).status_code == 404
    assert (
        await client.post("/api/v1/bookings/BK-9104/zoho-sync/retry", headers=sales)
    ).status_code == 403
