"""Bookings: CRUD, natural codes, filters, sorts, pagination, tags, rating, driver masking."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import TypeAdapter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from skyluxse_api.bookings.schemas import BookingDriverRead, BookingRead
from tests.conftest import StaffFactory

T0 = datetime(2031, 3, 1, 10, 0, tzinfo=UTC)
BOOKINGS = "/api/v1/bookings"
MONEY_WORDS = {
    "amount", "paid", "deposit", "outstanding", "currency", "pricing", "zoho",
    "rating", "rated",
}  # fmt: skip


def at(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).isoformat()


async def add_client(db: AsyncConnection, name: str = "Dmitri Ivanov", **columns: Any) -> uuid.UUID:
    values = {"name": name, "phone": None, "email": None, **columns}
    client_id: uuid.UUID = (
        await db.execute(
            text(
                "INSERT INTO clients (name, phone, email) VALUES (:name, :phone, :email) "
                "RETURNING id"
            ),
            values,
        )
    ).scalar_one()
    return client_id


async def add_vehicle(
    db: AsyncConnection, name: str = "Rolls-Royce Ghost", **columns: Any
) -> uuid.UUID:
    vehicle_id: uuid.UUID = (
        await db.execute(
            text("INSERT INTO vehicles (name, mileage_km) VALUES (:name, :mileage) RETURNING id"),
            {"name": name, "mileage": columns.get("mileage_km")},
        )
    ).scalar_one()
    return vehicle_id


async def create_booking(
    client: httpx.AsyncClient, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    response = await client.post(BOOKINGS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def assign_driver_task(db: AsyncConnection, driver_id: uuid.UUID, booking_id: str) -> None:
    await db.execute(
        text(
            "INSERT INTO tasks (booking_id, task_type, category, status, title, "
            "assignee_driver_id) VALUES (:booking, 'delivery', 'logistics', 'todo', "
            "'Deliver the car', :driver)"
        ),
        {"booking": booking_id, "driver": driver_id},
    )


def money_keys(document: Any) -> list[str]:
    """Every key, at any depth, that names money (or CRM sync) in a JSON document."""
    found: list[str] = []
    if isinstance(document, dict):
        for key, value in document.items():
            if MONEY_WORDS & set(key.split("_")):
                found.append(key)
            found.extend(money_keys(value))
    elif isinstance(document, list):
        for item in document:
            found.extend(money_keys(item))
    return found


async def test_create_generates_code_snapshots_segment_and_reads_by_code(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    client_id = await add_client(db)
    await db.execute(
        text("UPDATE clients SET segment = 'dormant_vip' WHERE id = :id"), {"id": client_id}
    )
    vehicle_id = await add_vehicle(db)
    first = await create_booking(
        client, ops["headers"], client_id=str(client_id), vehicle_id=str(vehicle_id),
        start_at=at(0), end_at=at(48), booking_type="vip", channel="Website",
        pickup_location={"label": "Atlantis The Royal"}, sla_minutes=45,
    )  # fmt: skip
    second = await create_booking(client, ops["headers"], client_id=str(client_id))
    assert first["external_code"].startswith("BK-")
    number = int(first["external_code"][3:])
    assert second["external_code"] == f"BK-{number + 1}"
    assert first["status"] == "new"
    assert first["segment"] == "dormant_vip"
    assert first["total_amount"] == "0.00"
    assert first["outstanding_amount"] == "0.00"
    assert first["client_name"] == "Dmitri Ivanov"
    assert first["vehicle_name"] == "Rolls-Royce Ghost"
    assert first["pickup_location"] == {"label": "Atlantis The Royal"}

    by_code = await client.get(f"{BOOKINGS}/{first['external_code']}", headers=ops["headers"])
    by_id = await client.get(f"{BOOKINGS}/{first['id']}", headers=ops["headers"])
    assert by_code.status_code == by_id.status_code == 200
    assert by_code.json() == by_id.json()
    assert by_code.headers["etag"] == by_id.headers["etag"]
    BookingRead.model_validate(by_code.json())
    assert set(by_code.json()) == set(BookingRead.model_fields)
    missing = await client.get(f"{BOOKINGS}/BK-999999999", headers=ops["headers"])
    assert missing.status_code == 404

    timeline = await client.get(f"{BOOKINGS}/{first['id']}/timeline", headers=ops["headers"])
    assert [event["note"] for event in timeline.json()["items"]] == ["Booking created"]
    assert timeline.json()["items"][0]["actor_id"] == str(ops["id"])


async def test_computed_and_integration_fields_are_not_writable(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    client_id = await add_client(db)
    for field, value in [
        ("total_amount", "10.00"), ("paid_amount", "5.00"), ("segment", "general"),
        ("promised_at", at(1)), ("actual_at", at(1)), ("sales_rating_value", 5),
        ("zoho_sales_order_id", "ZSO-1"), ("zoho_sync_status", "synced"),
        ("pickup_mileage", 100),
    ]:  # fmt: skip
        response = await client.post(
            BOOKINGS, json={"client_id": str(client_id), field: value}, headers=ops["headers"]
        )
        assert response.status_code == 422, field
    booking = await create_booking(client, ops["headers"], client_id=str(client_id))
    patched = await client.patch(
        f"{BOOKINGS}/{booking['id']}", json={"paid_amount": "1.00"}, headers=ops["headers"]
    )
    assert patched.status_code == 422
    beyond = await client.post(
        BOOKINGS, json={"client_id": str(client_id), "status": "delivery"}, headers=ops["headers"]
    )
    assert beyond.status_code == 422


async def test_create_validates_references_and_window(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    client_id = await add_client(db)
    no_client = await client.post(
        BOOKINGS, json={"client_id": str(uuid.uuid4())}, headers=ops["headers"]
    )
    assert no_client.status_code == 422
    no_car = await client.post(
        BOOKINGS,
        json={"client_id": str(client_id), "vehicle_id": str(uuid.uuid4())},
        headers=ops["headers"],
    )
    assert no_car.status_code == 422
    backwards = await client.post(
        BOOKINGS,
        json={"client_id": str(client_id), "start_at": at(5), "end_at": at(1)},
        headers=ops["headers"],
    )
    assert backwards.status_code == 422
    assert backwards.json()["errors"][0]["pointer"] == "/body/end_at"
    confirm_without_car = await client.post(
        BOOKINGS, json={"client_id": str(client_id), "status": "preparation"},
        headers=ops["headers"],
    )  # fmt: skip
    assert confirm_without_car.status_code == 422
    await create_booking(client, ops["headers"], client_id=str(client_id), external_code="BK-77")
    duplicate = await client.post(
        BOOKINGS, json={"client_id": str(client_id), "external_code": "BK-77"},
        headers=ops["headers"],
    )  # fmt: skip
    assert duplicate.status_code == 409


async def test_update_with_etag_and_moving_a_confirmed_booking_is_checked(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    sales = await make_staff("sales")
    client_id, other_client = await add_client(db), await add_client(db, "Fatima Al Noor")
    car = await add_vehicle(db)
    taken = await create_booking(
        client, sales["headers"], client_id=str(client_id), vehicle_id=str(car),
        start_at=at(0), end_at=at(24), status="preparation",
    )  # fmt: skip
    mine = await create_booking(
        client, sales["headers"], client_id=str(other_client), vehicle_id=str(car),
        start_at=at(48), end_at=at(72), status="preparation",
    )  # fmt: skip
    etag = (await client.get(f"{BOOKINGS}/{mine['id']}", headers=sales["headers"])).headers["etag"]
    await asyncio.sleep(0.001)
    onto_taken = await client.patch(
        f"{BOOKINGS}/{mine['id']}", json={"start_at": at(20)}, headers=sales["headers"]
    )
    assert onto_taken.status_code == 409
    assert onto_taken.json()["conflict"]["code"] == taken["external_code"]
    moved = await client.patch(
        f"{BOOKINGS}/{mine['id']}",
        json={"start_at": at(30), "priority": "high", "client_id": str(client_id)},
        headers={**sales["headers"], "If-Match": etag},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["start_at"] == at(30).replace("+00:00", "Z")
    assert moved.json()["client_name"] == "Dmitri Ivanov"
    assert moved.headers["etag"] != etag
    stale = await client.patch(
        f"{BOOKINGS}/{mine['id']}",
        json={"priority": "low"},
        headers={**sales["headers"], "If-Match": etag},
    )
    assert stale.status_code == 412
    unset_car = await client.patch(
        f"{BOOKINGS}/{mine['id']}", json={"vehicle_id": None}, headers=sales["headers"]
    )
    assert unset_car.status_code == 422


async def test_only_new_bookings_are_deleted(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    client_id, car = await add_client(db), await add_vehicle(db)
    enquiry = await create_booking(client, ops["headers"], client_id=str(client_id))
    confirmed = await create_booking(
        client, ops["headers"], client_id=str(client_id), vehicle_id=str(car),
        start_at=at(0), end_at=at(5), status="preparation",
    )  # fmt: skip
    refused = await client.delete(f"{BOOKINGS}/{confirmed['id']}", headers=ops["headers"])
    assert refused.status_code == 409
    deleted = await client.delete(f"{BOOKINGS}/{enquiry['external_code']}", headers=ops["headers"])
    assert deleted.status_code == 204
    gone = await client.get(f"{BOOKINGS}/{enquiry['id']}", headers=ops["headers"])
    assert gone.status_code == 404


async def _seed_list(
    client: httpx.AsyncClient, db: AsyncConnection, headers: dict[str, str]
) -> dict[str, Any]:
    dmitri, fatima = await add_client(db), await add_client(db, "Fatima Al Noor")
    ghost, huracan = await add_vehicle(db), await add_vehicle(db, "Lamborghini Huracan")
    owner = (await db.execute(text("SELECT id FROM staff_accounts LIMIT 1"))).scalar_one()
    specs = [
        (dmitri, ghost, 0, 24, "vip", "high", "Kommo"),
        (fatima, huracan, 10, 30, "short", "low", "Website"),
        (dmitri, huracan, 100, 120, "corporate", "medium", "Kommo"),
        (fatima, ghost, 200, 230, "vip", "low", "Referral"),
        (dmitri, None, None, None, "short", "high", "Website"),
    ]
    made = []
    for client_id, car, start, end, kind, priority, channel in specs:
        body: dict[str, Any] = {
            "client_id": str(client_id), "booking_type": kind, "priority": priority,
            "channel": channel, "owner_id": str(owner),
        }  # fmt: skip
        if car is not None:
            body |= {"vehicle_id": str(car), "start_at": at(start), "end_at": at(end)}
        made.append(await create_booking(client, headers, **body))
    confirm = {"to_status": "preparation"}
    for booking in made[:2]:
        moved = await client.post(
            f"{BOOKINGS}/{booking['id']}/transitions", json=confirm, headers=headers
        )
        assert moved.status_code == 200, moved.text
    return {"bookings": made, "dmitri": dmitri, "ghost": ghost, "owner": owner}


async def test_filters(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    world = await _seed_list(client, db, ops["headers"])
    codes = [booking["external_code"] for booking in world["bookings"]]

    async def listed(**params: Any) -> list[str]:
        response = await client.get(BOOKINGS, params=params, headers=ops["headers"])
        assert response.status_code == 200, response.text
        return sorted(item["external_code"] for item in response.json()["items"])

    assert await listed(status="preparation") == sorted(codes[:2])
    assert await listed(status=["preparation", "new"]) == sorted(codes)
    assert await listed(booking_type="vip") == sorted([codes[0], codes[3]])
    assert await listed(priority="low") == sorted([codes[1], codes[3]])
    assert await listed(client_id=str(world["dmitri"])) == sorted([codes[0], codes[2], codes[4]])
    assert await listed(vehicle_id=str(world["ghost"])) == sorted([codes[0], codes[3]])
    assert await listed(owner_id=str(world["owner"])) == sorted(codes)
    assert await listed(driver_id=str(uuid.uuid4())) == []
    assert await listed(channel="Kommo") == sorted([codes[0], codes[2]])
    # Overlapping [5h, 15h): the first (0-24h) and second (10-30h), not the one ending at 24h+.
    assert await listed(**{"from": at(5), "to": at(15)}) == sorted(codes[:2])
    assert await listed(**{"from": at(24), "to": at(100)}) == [codes[1]]
    assert await listed(q="fatima") == sorted([codes[1], codes[3]])
    assert await listed(q=codes[2]) == [codes[2]]
    assert await listed(q="100%_") == []
    backwards = await client.get(
        BOOKINGS, params={"from": at(5), "to": at(1)}, headers=ops["headers"]
    )
    assert backwards.status_code == 422


async def test_sorts_and_keyset_pages_without_gaps(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    world = await _seed_list(client, db, ops["headers"])
    codes = [booking["external_code"] for booking in world["bookings"]]
    # One test transaction: every created_at is the same, the id breaks the tie.
    by_id = [b["external_code"] for b in sorted(world["bookings"], key=lambda b: b["id"])]
    expected = {
        "start_at": [codes[0], codes[1], codes[2], codes[3], codes[4]],
        "-start_at": [codes[3], codes[2], codes[1], codes[0], codes[4]],
        "created_at": by_id,
        "-created_at": by_id[::-1],
    }
    for sort, order in expected.items():
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"sort": sort, "limit": 2, "include_total": True}
            if cursor:
                params["cursor"] = cursor
            page = (await client.get(BOOKINGS, params=params, headers=ops["headers"])).json()
            assert page["total"] == 5
            seen += [item["external_code"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == order, sort
    for sort in ("total_amount", "-total_amount", "promised_at", "-promised_at"):
        page = await client.get(BOOKINGS, params={"sort": sort}, headers=ops["headers"])
        assert page.status_code == 200
        assert sorted(item["external_code"] for item in page.json()["items"]) == sorted(codes)
    wrong_cursor = await client.get(
        BOOKINGS, params={"sort": "created_at", "cursor": "bm9wZQ"}, headers=ops["headers"]
    )
    assert wrong_cursor.status_code == 422


async def test_pages_cross_bookings_without_dates_or_amounts(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    client_id = str(await add_client(db))
    undated = [(await create_booking(client, ops["headers"], client_id=client_id))["id"]]
    undated += [(await create_booking(client, ops["headers"], client_id=client_id))["id"]]
    await db.execute(
        text("UPDATE bookings SET total_amount = NULL WHERE id = :id"), {"id": undated[0]}
    )
    dated = await create_booking(
        client, ops["headers"], client_id=client_id, start_at=at(0), end_at=at(1)
    )
    for sort in ("start_at", "-start_at", "promised_at", "-promised_at", "total_amount"):
        seen, cursor = [], None
        while True:
            params: dict[str, Any] = {"sort": sort, "limit": 1}
            if cursor:
                params["cursor"] = cursor
            page = (await client.get(BOOKINGS, params=params, headers=ops["headers"])).json()
            seen += [item["id"] for item in page["items"]]
            if not (cursor := page["next_cursor"]):
                break
        assert sorted(seen) == sorted([*undated, dated["id"]]), sort
        if sort.endswith("start_at"):
            # A booking without a start comes last, whichever the direction.
            assert seen[0] == dated["id"], sort


async def test_every_list_item_is_a_booking_read(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ceo = await make_staff("ceo")
    await _seed_list(client, db, ceo["headers"])
    page = (await client.get(BOOKINGS, headers=ceo["headers"])).json()
    items = TypeAdapter(list[BookingRead]).validate_python(page["items"])
    assert len(items) == 5
    assert all(set(item) == set(BookingRead.model_fields) for item in page["items"])


async def test_driver_sees_only_their_bookings_and_no_money(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ops, driver = await make_staff("operations"), await make_staff("driver")
    world = await _seed_list(client, db, ops["headers"])
    mine, other = world["bookings"][0], world["bookings"][1]
    await assign_driver_task(db, driver["driver_id"], mine["id"])
    for money_path in ("addons", "invoices", "extensions"):
        response = await client.post(
            f"{BOOKINGS}/{mine['id']}/{money_path}",
            json={"label": "x", "amount": "1.00"},
            headers=ops["headers"],
        )
        assert response.status_code in (201, 422)

    listed = await client.get(BOOKINGS, headers=driver["headers"])
    assert [item["external_code"] for item in listed.json()["items"]] == [mine["external_code"]]
    one = await client.get(f"{BOOKINGS}/{mine['external_code']}", headers=driver["headers"])
    assert one.status_code == 200
    assert money_keys(one.json()) == []
    assert money_keys(listed.json()) == []
    assert set(one.json()) == set(BookingDriverRead.model_fields)
    assert "owner_id" not in one.json() and "segment" not in one.json()
    hidden = await client.get(f"{BOOKINGS}/{other['id']}", headers=driver["headers"])
    assert hidden.status_code == 404
    for money_path in ("addons", "invoices", "extensions"):
        refused = await client.get(
            f"{BOOKINGS}/{mine['id']}/{money_path}", headers=driver["headers"]
        )
        assert refused.status_code == 403, money_path
        assert "permission" not in refused.json()
    board = await client.get(f"{BOOKINGS}/board", headers=driver["headers"])
    cards = [card for column in board.json()["columns"] for card in column["items"]]
    assert [card["external_code"] for card in cards] == [mine["external_code"]]
    assert money_keys(board.json()) == []
    writes = await client.post(
        f"{BOOKINGS}/{mine['id']}/transitions",
        json={"to_status": "delivery"},
        headers=driver["headers"],
    )
    assert writes.status_code == 403


async def test_tags_are_replaced_and_unknown_ones_created(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    sales = await make_staff("sales")
    booking = await create_booking(client, sales["headers"], client_id=str(await add_client(db)))
    path = f"{BOOKINGS}/{booking['id']}/tags"
    first = await client.put(path, json={"tags": ["vip", "long-rent"]}, headers=sales["headers"])
    assert first.status_code == 200, first.text
    assert [(tag["slug"], tag["label"]) for tag in first.json()] == [
        ("long-rent", "Long rent"), ("vip", "Vip"),
    ]  # fmt: skip
    before = await client.get(f"{BOOKINGS}/{booking['id']}", headers=sales["headers"])
    assert before.json()["tags"] == ["long-rent", "vip"]
    await asyncio.sleep(0.001)
    second = await client.put(path, json={"tags": ["vip", "airport"]}, headers=sales["headers"])
    assert [tag["slug"] for tag in second.json()] == ["airport", "vip"]
    after = await client.get(f"{BOOKINGS}/{booking['id']}", headers=sales["headers"])
    assert after.json()["tags"] == ["airport", "vip"]
    assert after.headers["etag"] != before.headers["etag"]
    everything = await client.get("/api/v1/booking-tags", headers=sales["headers"])
    assert {"airport", "long-rent", "vip"} <= {tag["slug"] for tag in everything.json()["items"]}
    bad = await client.put(path, json={"tags": ["Not A Slug"]}, headers=sales["headers"])
    assert bad.status_code == 422
    by_tag = await client.get(
        BOOKINGS, params={"q": booking["external_code"]}, headers=sales["headers"]
    )
    assert by_tag.json()["items"][0]["tags"] == ["airport", "vip"]


async def test_rating_is_the_ceos_alone(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ceo, ops = await make_staff("ceo"), await make_staff("operations")
    booking = await create_booking(client, ops["headers"], client_id=str(await add_client(db)))
    path = f"{BOOKINGS}/{booking['id']}/rating"
    refused = await client.put(path, json={"value": 7}, headers=ops["headers"])
    assert refused.status_code == 403
    out_of_range = await client.put(path, json={"value": 11}, headers=ceo["headers"])
    assert out_of_range.status_code == 422
    rated = await client.put(
        path, json={"value": 9, "feedback": "Smooth hand-over"}, headers=ceo["headers"]
    )
    assert rated.status_code == 200, rated.text
    body = rated.json()
    assert (body["sales_rating_value"], body["sales_rating_feedback"]) == (9, "Smooth hand-over")
    assert body["rated_by_role"] == "ceo"
    assert body["rated_at"] is not None
