"""Vehicles, availability, reminders, inspections, maintenance jobs and the fleet overview."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.conftest import StaffFactory

WINDOW_START = datetime(2031, 3, 10, 10, 0, tzinfo=UTC)
WINDOW_END = datetime(2031, 3, 12, 10, 0, tzinfo=UTC)


async def create_vehicle(
    client: httpx.AsyncClient, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    body = {"name": f"Car {uuid.uuid4().hex[:6]}", **fields}
    response = await client.post("/api/v1/vehicles", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def insert_booking(
    db: AsyncConnection,
    vehicle_id: str,
    code: str,
    status: str,
    start: datetime,
    end: datetime,
    total: str = "5000.00",
) -> uuid.UUID:
    booking_id: uuid.UUID = (
        await db.execute(
            text(
                "INSERT INTO bookings (external_code, vehicle_id, status, start_at, end_at, "
                "total_amount) VALUES (:code, :vehicle, :status, :start, :end, :total) "
                "RETURNING id"
            ),
            {
                "code": code,
                "vehicle": vehicle_id,
                "status": status,
                "start": start,
                "end": end,
                "total": total,
            },
        )
    ).scalar_one()
    return booking_id


async def give_task(db: AsyncConnection, driver_id: uuid.UUID, vehicle_id: str) -> None:
    await db.execute(
        text(
            "INSERT INTO tasks (task_type, title, assignee_driver_id, vehicle_id) "
            "VALUES ('delivery', 't', :driver_id, :vehicle_id)"
        ),
        {"driver_id": driver_id, "vehicle_id": vehicle_id},
    )


async def dubai_today(db: AsyncConnection) -> date:
    today: date = (
        await db.execute(text("SELECT (now() AT TIME ZONE 'Asia/Dubai')::date"))
    ).scalar_one()
    return today


def job_body(vehicle_id: str, start: datetime, hours: int = 4, **fields: Any) -> dict[str, Any]:
    return {
        "vehicle_id": vehicle_id,
        "scheduled_start": start.isoformat(),
        "scheduled_end": (start + timedelta(hours=hours)).isoformat(),
        **fields,
    }


async def test_vehicle_crud_by_natural_code_with_etag(
    client: httpx.AsyncClient, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    created = await client.post(
        "/api/v1/vehicles",
        json={
            "name": "Rolls-Royce Ghost",
            "external_ref": "901",
            "make": "Rolls-Royce",
            "class": "Luxury",
            "model_year": 2024,
            "seating_capacity": 4,
            "engine_displacement_l": "6.75",
            "revenue_ytd": "125000.50",
        },
        headers=ops["headers"],
    )
    assert created.status_code == 201, created.text
    body, etag = created.json(), created.headers["etag"]
    assert body["class"] == "Luxury"
    assert "vehicle_class" not in body
    assert body["revenue_ytd"] == "125000.50"
    assert body["utilization_pct"] == "0.00"
    assert body["status"] == "available"
    assert body["created_by"] == str(ops["id"])

    by_code = await client.get("/api/v1/vehicles/901", headers=ops["headers"])
    assert by_code.status_code == 200
    assert by_code.json()["id"] == body["id"]
    assert by_code.headers["etag"] == etag

    await asyncio.sleep(0.001)
    changed = await client.patch(
        "/api/v1/vehicles/901",
        json={"class": "Sport", "mileage_km": 12000},
        headers={**ops["headers"], "If-Match": etag},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["class"] == "Sport"
    assert changed.headers["etag"] != etag
    stale = await client.patch(
        f"/api/v1/vehicles/{body['id']}",
        json={"mileage_km": 1},
        headers={**ops["headers"], "If-Match": etag},
    )
    assert stale.status_code == 412
    assert (await client.get("/api/v1/vehicles/901", headers=ops["headers"])).json()[
        "mileage_km"
    ] == 12000

    gone = await client.delete("/api/v1/vehicles/901", headers=ops["headers"])
    assert gone.status_code == 204
    assert (await client.get("/api/v1/vehicles/901", headers=ops["headers"])).status_code == 404


async def test_duplicate_vin_and_code_are_409_naming_the_field(
    client: httpx.AsyncClient, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    await create_vehicle(client, ops["headers"], vin="SCA664S58RUX12345", external_ref="902")
    same_vin = await client.post(
        "/api/v1/vehicles",
        json={"name": "Other", "vin": "sca664s58rux12345"},
        headers=ops["headers"],
    )
    assert same_vin.status_code == 409
    assert same_vin.json()["field"] == "vin"
    same_code = await client.post(
        "/api/v1/vehicles", json={"name": "Other", "external_ref": "902"}, headers=ops["headers"]
    )
    assert same_code.status_code == 409
    assert same_code.json()["field"] == "external_ref"


async def test_read_only_fields_and_guard_rails_are_422_at_the_field(
    client: httpx.AsyncClient, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    for field, value in (
        ("utilization_pct", "0.5"),
        ("health_score", "0.9"),
        ("vehicle_class", "SUV"),
    ):
        response = await client.post(
            "/api/v1/vehicles", json={"name": "X", field: value}, headers=ops["headers"]
        )
        assert response.status_code == 422, field
        assert [e["pointer"] for e in response.json()["errors"]] == [f"/body/{field}"]
    for field, value in (
        ("model_year", 1979),
        ("model_year", 2101),
        ("seating_capacity", 21),
        ("seating_capacity", 0),
        ("power_hp", 49),
        ("power_hp", 1201),
        ("cylinders", 1),
        ("cylinders", 17),
    ):
        response = await client.post(
            "/api/v1/vehicles", json={"name": "X", field: value}, headers=ops["headers"]
        )
        assert response.status_code == 422, (field, value)
        assert response.json()["errors"][0]["pointer"] == f"/body/{field}"
    car = await create_vehicle(client, ops["headers"])
    for body in ({"utilization_pct": "0.1"}, {"name": None}, {"power_hp": 2000}):
        response = await client.patch(
            f"/api/v1/vehicles/{car['id']}", json=body, headers=ops["headers"]
        )
        assert response.status_code == 422, body
    uuid_code = await client.post(
        "/api/v1/vehicles",
        json={"name": "X", "external_ref": str(uuid.uuid4())},
        headers=ops["headers"],
    )
    assert uuid_code.status_code == 422


async def test_filters_and_sorts(client: httpx.AsyncClient, make_staff: StaffFactory) -> None:
    ops = await make_staff("operations")
    make = f"Make{uuid.uuid4().hex[:6]}"
    urus = await create_vehicle(
        client,
        ops["headers"],
        name="Lamborghini Urus",
        make=make,
        model="Urus",
        body_style="SUV",
        seating_capacity=5,
        model_year=2023,
        plate_number="DXB A 777",
    )
    huracan = await create_vehicle(
        client,
        ops["headers"],
        name="Lamborghini Huracan",
        make=make,
        body_style="Coupe",
        seating_capacity=2,
        model_year=2022,
        status="maintenance",
        **{"class": "Sport"},
    )
    old = await create_vehicle(client, ops["headers"], name="Classic", make=make)

    async def names(**params: Any) -> list[str]:
        response = await client.get(
            "/api/v1/vehicles", params={"make": make.upper(), **params}, headers=ops["headers"]
        )
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()["items"]]

    assert await names(**{"class": "sport"}) == [huracan["name"]]
    assert await names(min_seats=4) == [urus["name"]]
    assert await names(body_style="suv") == [urus["name"]]
    assert await names(status="maintenance") == [huracan["name"]]
    assert await names(q="a 777") == [urus["name"]]
    assert await names(q="%") == []
    assert await names(sort="-model_year") == [urus["name"], huracan["name"], old["name"]]
    assert await names(sort="model_year") == [old["name"], huracan["name"], urus["name"]]
    assert await names(sort="-name") == sorted(
        [urus["name"], huracan["name"], old["name"]], reverse=True
    )
    first = await client.get(
        "/api/v1/vehicles",
        params={"make": make, "sort": "utilization_pct", "limit": 2},
        headers=ops["headers"],
    )
    rest = await client.get(
        "/api/v1/vehicles",
        params={"make": make, "sort": "utilization_pct", "cursor": first.json()["next_cursor"]},
        headers=ops["headers"],
    )
    paged = [item["id"] for item in first.json()["items"] + rest.json()["items"]]
    assert sorted(paged) == sorted([urus["id"], huracan["id"], old["id"]])


async def test_available_between_honours_bookings_jobs_and_the_buffer(
    client: httpx.AsyncClient, make_staff: StaffFactory, db: AsyncConnection
) -> None:
    ops = await make_staff("operations")
    make = f"Avail{uuid.uuid4().hex[:6]}"
    cars = {
        label: await create_vehicle(
            client, ops["headers"], name=label, make=make, seating_capacity=4
        )
        for label in ("booked", "enquiry", "in-buffer", "after-buffer", "in-shop", "sold")
    }
    await insert_booking(
        db,
        cars["booked"]["id"],
        "BK-A1",
        "preparation",
        WINDOW_START + timedelta(hours=5),
        WINDOW_START + timedelta(hours=9),
    )
    await insert_booking(db, cars["enquiry"]["id"], "BK-A2", "new", WINDOW_START, WINDOW_END)
    # Ends 30 minutes before the window: inside the 60-minute turnaround buffer.
    await insert_booking(
        db,
        cars["in-buffer"]["id"],
        "BK-A3",
        "in_rent",
        WINDOW_START - timedelta(days=1),
        WINDOW_START - timedelta(minutes=30),
    )
    await insert_booking(
        db,
        cars["after-buffer"]["id"],
        "BK-A4",
        "in_rent",
        WINDOW_START - timedelta(days=1),
        WINDOW_START - timedelta(minutes=90),
    )
    job = await client.post(
        "/api/v1/maintenance-jobs",
        json=job_body(cars["in-shop"]["id"], WINDOW_END - timedelta(hours=1)),
        headers=ops["headers"],
    )
    assert job.status_code == 201, job.text
    sold = await client.patch(
        f"/api/v1/vehicles/{cars['sold']['id']}", json={"status": "sold"}, headers=ops["headers"]
    )
    assert sold.status_code == 200

    window = {"available_from": WINDOW_START.isoformat(), "available_to": WINDOW_END.isoformat()}
    listed = await client.get(
        "/api/v1/vehicles", params={"make": make, **window}, headers=ops["headers"]
    )
    assert listed.status_code == 200, listed.text
    assert {item["name"] for item in listed.json()["items"]} == {
        "enquiry",
        "after-buffer",
        "sold",
    }

    available = await client.get(
        "/api/v1/vehicles/availability",
        params={
            "make": make,
            "start": WINDOW_START.isoformat(),
            "end": WINDOW_END.isoformat(),
            "min_seats": 4,
        },
        headers=ops["headers"],
    )
    assert available.status_code == 200, available.text
    assert {item["name"] for item in available.json()["items"]} == {"enquiry", "after-buffer"}

    half = await client.get(
        "/api/v1/vehicles",
        params={"available_from": WINDOW_START.isoformat()},
        headers=ops["headers"],
    )
    assert half.status_code == 422
    assert half.json()["errors"][0]["pointer"] == "/query/available_to"
    for start, end in (
        (WINDOW_END, WINDOW_START),
        (WINDOW_START, WINDOW_START + timedelta(days=400)),
    ):
        refused = await client.get(
            "/api/v1/vehicles/availability",
            params={"start": start.isoformat(), "end": end.isoformat()},
            headers=ops["headers"],
        )
        assert refused.status_code == 422
    naive = await client.get(
        "/api/v1/vehicles/availability",
        params={"start": "2031-03-10T10:00:00", "end": "2031-03-11T10:00:00"},
        headers=ops["headers"],
    )
    assert naive.status_code == 422


async def test_vehicle_with_history_is_retired_not_deleted(
    client: httpx.AsyncClient, make_staff: StaffFactory, db: AsyncConnection
) -> None:
    ops = await make_staff("operations")
    car = await create_vehicle(client, ops["headers"])
    await client.post(
        f"/api/v1/vehicles/{car['id']}/reminders",
        json={"reminder_type": "insurance"},
        headers=ops["headers"],
    )
    await insert_booking(db, car["id"], "BK-H1", "settlement", WINDOW_START, WINDOW_END)
    refused = await client.delete(f"/api/v1/vehicles/{car['id']}", headers=ops["headers"])
    assert refused.status_code == 409
    assert refused.json()["referenced_by"] == "bookings"
    assert "sold" in refused.json()["detail"]
    still = await client.get(f"/api/v1/vehicles/{car['id']}/reminders", headers=ops["headers"])
    assert len(still.json()["items"]) == 1

    plain = await create_vehicle(client, ops["headers"])
    await client.post(
        f"/api/v1/vehicles/{plain['id']}/reminders",
        json={"reminder_type": "insurance", "external_ref": "RM-plain-insurance"},
        headers=ops["headers"],
    )
    assert (
        await client.delete(f"/api/v1/vehicles/{plain['id']}", headers=ops["headers"])
    ).status_code == 204
    assert (
        await client.get("/api/v1/reminders/RM-plain-insurance", headers=ops["headers"])
    ).status_code == 404


async def test_reminder_status_follows_the_dubai_date(
    client: httpx.AsyncClient, make_staff: StaffFactory, db: AsyncConnection
) -> None:
    ops = await make_staff("operations")
    car = await create_vehicle(client, ops["headers"])
    today = await dubai_today(db)
    expected = {-1: "critical", 0: "warning", 14: "warning", 15: "scheduled"}
    for offset in expected:
        created = await client.post(
            f"/api/v1/vehicles/{car['id']}/reminders",
            json={
                "reminder_type": "mulkiya",
                "external_ref": f"RM-{offset}",
                "due_date": (today + timedelta(days=offset)).isoformat(),
            },
            headers=ops["headers"],
        )
        assert created.status_code == 201, created.text
        assert created.json()["status"] == expected[offset], offset
    listed = await client.get(f"/api/v1/vehicles/{car['id']}/reminders", headers=ops["headers"])
    assert [item["status"] for item in listed.json()["items"]] == list(expected.values())
    warnings = await client.get(
        f"/api/v1/vehicles/{car['id']}/reminders",
        params={"status": "warning"},
        headers=ops["headers"],
    )
    assert [item["external_ref"] for item in warnings.json()["items"]] == ["RM-0", "RM-14"]

    # A stored status gone stale (the row was written days ago) is still read right.
    await db.execute(text("UPDATE vehicle_reminders SET status = 'scheduled'"))
    stale = await client.get("/api/v1/reminders/RM--1", headers=ops["headers"])
    assert stale.json()["status"] == "critical"

    moved = await client.patch(
        "/api/v1/reminders/RM-15",
        json={"due_date": (today - timedelta(days=3)).isoformat()},
        headers=ops["headers"],
    )
    assert moved.status_code == 200
    assert moved.json()["status"] == "critical"
    stored = await db.execute(
        text("SELECT status FROM vehicle_reminders WHERE external_ref = 'RM-15'")
    )
    assert stored.scalar_one() == "critical"
    not_writable = await client.patch(
        "/api/v1/reminders/RM-15", json={"status": "scheduled"}, headers=ops["headers"]
    )
    assert not_writable.status_code == 422
    deleted = await client.delete("/api/v1/reminders/RM-15", headers=ops["headers"])
    assert deleted.status_code == 204


async def test_driver_sees_and_inspects_only_their_tasks_cars_without_money(
    client: httpx.AsyncClient, make_staff: StaffFactory, db: AsyncConnection
) -> None:
    ops = await make_staff("operations")
    driver = await make_staff("driver", full_name="Omar Haddad")
    mine = await create_vehicle(client, ops["headers"], external_ref="903", revenue_ytd="9.00")
    other = await create_vehicle(client, ops["headers"])
    await give_task(db, driver["driver_id"], mine["id"])

    seen = await client.get("/api/v1/vehicles/903", headers=driver["headers"])
    assert seen.status_code == 200
    assert "revenue_ytd" not in seen.json()
    assert "utilization_pct" not in seen.json()
    assert seen.json()["class"] is None
    listed = await client.get("/api/v1/vehicles", headers=driver["headers"])
    assert [item["id"] for item in listed.json()["items"]] == [mine["id"]]
    assert "revenue_ytd" not in listed.json()["items"][0]
    assert (
        await client.get(f"/api/v1/vehicles/{other['id']}", headers=driver["headers"])
    ).status_code == 404

    inspected = await client.post(
        "/api/v1/vehicles/903/inspections",
        json={"notes": "Scratch on the rear bumper"},
        headers=driver["headers"],
    )
    assert inspected.status_code == 201, inspected.text
    body = inspected.json()
    assert body["driver_id"] == str(driver["driver_id"])
    assert body["performed_by"] == "Omar Haddad"
    assert body["inspection_date"] == (await dubai_today(db)).isoformat()
    assert body["photo_document_ids"] == []
    assert inspected.headers["etag"]

    elsewhere = await client.post(
        f"/api/v1/vehicles/{other['id']}/inspections", json={}, headers=driver["headers"]
    )
    assert elsewhere.status_code == 404
    colleague = await make_staff("driver")
    as_colleague = await client.post(
        "/api/v1/vehicles/903/inspections",
        json={"driver_id": str(colleague["driver_id"])},
        headers=driver["headers"],
    )
    assert as_colleague.status_code == 403
    not_allowed = await client.patch(
        f"/api/v1/inspections/{body['id']}", json={"notes": "x"}, headers=driver["headers"]
    )
    assert not_allowed.status_code == 403


async def test_inspection_photos_must_be_documents_the_caller_sees(
    client: httpx.AsyncClient, make_staff: StaffFactory, db: AsyncConnection
) -> None:
    ops = await make_staff("operations")
    driver = await make_staff("driver")
    car = await create_vehicle(client, ops["headers"])
    await give_task(db, driver["driver_id"], car["id"])
    photo = (
        await db.execute(
            text("INSERT INTO documents (original_name) VALUES ('bumper.jpg') RETURNING id")
        )
    ).scalar_one()
    missing = uuid.uuid4()
    refused = await client.post(
        f"/api/v1/vehicles/{car['id']}/inspections",
        json={"photo_document_ids": [str(photo), str(missing)]},
        headers=ops["headers"],
    )
    assert refused.status_code == 422
    assert str(missing) in refused.json()["detail"]
    assert [e["pointer"] for e in refused.json()["errors"]] == ["/body/photo_document_ids/1"]

    accepted = await client.post(
        f"/api/v1/vehicles/{car['id']}/inspections",
        json={
            "photo_document_ids": [str(photo), str(photo)],
            "driver_id": str(driver["driver_id"]),
        },
        headers=ops["headers"],
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["photo_document_ids"] == [str(photo)]
    assert accepted.json()["performed_by"] == "Test driver"

    # The office's document is not one of the driver's task documents.
    unseen = await client.post(
        f"/api/v1/vehicles/{car['id']}/inspections",
        json={"photo_document_ids": [str(photo)]},
        headers=driver["headers"],
    )
    assert unseen.status_code == 422

    inspection_id = accepted.json()["id"]
    changed = await client.patch(
        f"/api/v1/inspections/{inspection_id}",
        json={"photo_document_ids": [], "performed_by": "Contractor"},
        headers={**ops["headers"], "If-Match": accepted.headers["etag"]},
    )
    assert changed.status_code == 200
    assert changed.json()["photo_document_ids"] == []
    listed = await client.get(f"/api/v1/vehicles/{car['id']}/inspections", headers=ops["headers"])
    assert [item["id"] for item in listed.json()["items"]] == [inspection_id]
    assert (
        await client.delete(f"/api/v1/inspections/{inspection_id}", headers=ops["headers"])
    ).status_code == 204


async def test_sales_read_the_fleet_but_cannot_change_it(
    client: httpx.AsyncClient, make_staff: StaffFactory
) -> None:
    ops, sales = await make_staff("operations"), await make_staff("sales")
    car = await create_vehicle(client, ops["headers"])
    assert (await client.get("/api/v1/vehicles", headers=sales["headers"])).status_code == 200
    readable = await client.get(f"/api/v1/vehicles/{car['id']}", headers=sales["headers"])
    assert "revenue_ytd" in readable.json()
    for method, url, body in (
        ("POST", "/api/v1/vehicles", {"name": "Mine"}),
        ("PATCH", f"/api/v1/vehicles/{car['id']}", {"name": "Mine"}),
        ("DELETE", f"/api/v1/vehicles/{car['id']}", None),
        ("POST", f"/api/v1/vehicles/{car['id']}/reminders", {"reminder_type": "insurance"}),
        ("POST", f"/api/v1/vehicles/{car['id']}/inspections", {}),
        ("POST", "/api/v1/maintenance-jobs", job_body(car["id"], WINDOW_START)),
    ):
        response = await client.request(method, url, json=body, headers=sales["headers"])
        assert response.status_code == 403, (method, url)


async def test_job_may_not_overlap_a_confirmed_booking_or_another_job(
    client: httpx.AsyncClient, make_staff: StaffFactory, db: AsyncConnection
) -> None:
    ops = await make_staff("operations")
    car = await create_vehicle(client, ops["headers"])
    await insert_booking(db, car["id"], "BK-7001", "preparation", WINDOW_START, WINDOW_END)
    await insert_booking(
        db,
        car["id"],
        "BK-7002",
        "new",
        WINDOW_END + timedelta(days=2),
        WINDOW_END + timedelta(days=3),
    )

    clash = await client.post(
        "/api/v1/maintenance-jobs",
        json=job_body(car["id"], WINDOW_START + timedelta(hours=2)),
        headers=ops["headers"],
    )
    assert clash.status_code == 409
    assert "BK-7001" in clash.json()["detail"]
    assert clash.json()["conflict"]["code"] == "BK-7001"
    # Within the turnaround buffer after the booking ends.
    too_soon = await client.post(
        "/api/v1/maintenance-jobs",
        json=job_body(car["id"], WINDOW_END + timedelta(minutes=30)),
        headers=ops["headers"],
    )
    assert too_soon.status_code == 409

    over_enquiry = await client.post(
        "/api/v1/maintenance-jobs",
        json=job_body(car["id"], WINDOW_END + timedelta(days=2), job_type="repair"),
        headers=ops["headers"],
    )
    assert over_enquiry.status_code == 201, over_enquiry.text
    second = await client.post(
        "/api/v1/maintenance-jobs",
        json=job_body(car["id"], WINDOW_END + timedelta(days=2, hours=1)),
        headers=ops["headers"],
    )
    assert second.status_code == 409
    assert second.json()["conflict"]["id"] == over_enquiry.json()["id"]

    moved_into_booking = await client.patch(
        f"/api/v1/maintenance-jobs/{over_enquiry.json()['id']}",
        json={
            "scheduled_start": WINDOW_START.isoformat(),
            "scheduled_end": (WINDOW_START + timedelta(hours=1)).isoformat(),
        },
        headers=ops["headers"],
    )
    assert moved_into_booking.status_code == 409
    # Its own window never conflicts with itself.
    extended = await client.patch(
        f"/api/v1/maintenance-jobs/{over_enquiry.json()['id']}",
        json={"scheduled_end": (WINDOW_END + timedelta(days=2, hours=6)).isoformat()},
        headers=ops["headers"],
    )
    assert extended.status_code == 200, extended.text


async def test_job_status_transitions_stamp_the_actual_window(
    client: httpx.AsyncClient, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    car = await create_vehicle(client, ops["headers"])
    start = datetime.now(UTC) - timedelta(hours=1)
    created = await client.post(
        "/api/v1/maintenance-jobs",
        json=job_body(car["id"], start, hours=48, odometer_start=12000, cost_estimate="1500.00"),
        headers=ops["headers"],
    )
    assert created.status_code == 201, created.text
    job = created.json()
    assert job["status"] == "scheduled"
    assert job["actual_start"] is None
    url = f"/api/v1/maintenance-jobs/{job['id']}"

    skipped = await client.patch(url, json={"status": "done"}, headers=ops["headers"])
    assert skipped.status_code == 409
    assert skipped.json()["allowed"] == ["cancelled", "in_progress"]
    started = await client.patch(url, json={"status": "in_progress"}, headers=ops["headers"])
    assert started.status_code == 200, started.text
    assert started.json()["actual_start"] is not None
    backwards = await client.patch(url, json={"odometer_end": 11000}, headers=ops["headers"])
    assert backwards.status_code == 422
    assert backwards.json()["errors"][0]["pointer"] == "/body/odometer_end"
    done = await client.patch(
        url, json={"status": "done", "odometer_end": 12150}, headers=ops["headers"]
    )
    assert done.status_code == 200, done.text
    assert done.json()["actual_end"] is not None
    assert done.json()["actual_end"] >= done.json()["actual_start"]
    reopened = await client.patch(url, json={"status": "scheduled"}, headers=ops["headers"])
    assert reopened.status_code == 409
    assert (await client.delete(url, headers=ops["headers"])).status_code == 409
    status_null = await client.patch(url, json={"status": None}, headers=ops["headers"])
    assert status_null.status_code == 422

    cancelled = await client.post(
        "/api/v1/maintenance-jobs",
        json=job_body(car["id"], WINDOW_START, status="in_progress"),
        headers=ops["headers"],
    )
    assert cancelled.status_code == 201
    assert cancelled.json()["actual_start"] is not None
    cancel_url = f"/api/v1/maintenance-jobs/{cancelled.json()['id']}"
    assert (
        await client.patch(cancel_url, json={"status": "cancelled"}, headers=ops["headers"])
    ).status_code == 200
    assert (await client.delete(cancel_url, headers=ops["headers"])).status_code == 204
    assert (await client.get(cancel_url, headers=ops["headers"])).status_code == 404
    born_done = await client.post(
        "/api/v1/maintenance-jobs",
        json=job_body(car["id"], WINDOW_END, status="done"),
        headers=ops["headers"],
    )
    assert born_done.status_code == 422


async def test_calendar_event_follows_the_job(
    client: httpx.AsyncClient, make_staff: StaffFactory, db: AsyncConnection
) -> None:
    ops = await make_staff("operations")
    car = await create_vehicle(client, ops["headers"], name="Bentley Bentayga")

    async def calendar(job_id: str) -> Any:
        return (
            await db.execute(
                text(
                    "SELECT event_type, status, start_at, end_at, title, vehicle_id "
                    "FROM calendar_events WHERE maintenance_job_id = :id"
                ),
                {"id": job_id},
            )
        ).first()

    created = await client.post(
        "/api/v1/maintenance-jobs",
        json=job_body(car["id"], WINDOW_START, job_type="repair"),
        headers=ops["headers"],
    )
    job = created.json()
    url = f"/api/v1/maintenance-jobs/{job['id']}"
    row = await calendar(job["id"])
    assert (row.event_type, row.status, row.start_at) == ("repair", "scheduled", WINDOW_START)
    assert row.title == "Repair: Bentley Bentayga"
    assert str(row.vehicle_id) == car["id"]

    later = WINDOW_START + timedelta(days=1)
    await client.patch(
        url,
        json={
            "scheduled_start": later.isoformat(),
            "scheduled_end": (later + timedelta(hours=2)).isoformat(),
            "job_type": "detailing",
        },
        headers=ops["headers"],
    )
    row = await calendar(job["id"])
    assert (row.event_type, row.start_at, row.end_at) == (
        "maintenance",
        later,
        later + timedelta(hours=2),
    )
    started = await client.patch(url, json={"status": "in_progress"}, headers=ops["headers"])
    row = await calendar(job["id"])
    assert row.status == "in_progress"
    assert row.start_at.isoformat() == started.json()["actual_start"].replace("Z", "+00:00")
    await client.patch(
        url,
        json={"status": "done", "actual_end": (later + timedelta(hours=3)).isoformat()},
        headers=ops["headers"],
    )
    row = await calendar(job["id"])
    assert (row.status, row.end_at) == ("completed", later + timedelta(hours=3))

    other = await client.post(
        "/api/v1/maintenance-jobs",
        json=job_body(car["id"], WINDOW_END + timedelta(days=5)),
        headers=ops["headers"],
    )
    assert await calendar(other.json()["id"]) is not None
    await client.patch(
        f"/api/v1/maintenance-jobs/{other.json()['id']}",
        json={"status": "cancelled"},
        headers=ops["headers"],
    )
    assert await calendar(other.json()["id"]) is None


async def test_job_list_filters_and_driver_view(
    client: httpx.AsyncClient, make_staff: StaffFactory, db: AsyncConnection
) -> None:
    ops = await make_staff("operations")
    driver = await make_staff("driver")
    car = await create_vehicle(client, ops["headers"], external_ref="904")
    other = await create_vehicle(client, ops["headers"])
    await give_task(db, driver["driver_id"], car["id"])
    repair = await client.post(
        "/api/v1/maintenance-jobs",
        json=job_body(car["id"], WINDOW_START, job_type="repair", cost_estimate="800.00"),
        headers=ops["headers"],
    )
    await client.post(
        "/api/v1/maintenance-jobs",
        json=job_body(car["id"], WINDOW_START + timedelta(days=3)),
        headers=ops["headers"],
    )
    await client.post(
        "/api/v1/maintenance-jobs",
        json=job_body(other["id"], WINDOW_START),
        headers=ops["headers"],
    )

    async def ids(headers: dict[str, str], **params: Any) -> list[str]:
        response = await client.get("/api/v1/maintenance-jobs", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    window = {
        "window_start": (WINDOW_START + timedelta(hours=3)).isoformat(),
        "window_end": (WINDOW_START + timedelta(days=1)).isoformat(),
    }
    assert await ids(ops["headers"], vehicle="904", **window) == [repair.json()["id"]]
    assert await ids(ops["headers"], vehicle="904", job_type="repair") == [repair.json()["id"]]
    assert len(await ids(ops["headers"], vehicle="904", status="scheduled")) == 2
    assert await ids(ops["headers"], vehicle="904", status="done") == []

    seen = await client.get("/api/v1/maintenance-jobs", headers=driver["headers"])
    assert {item["vehicle_id"] for item in seen.json()["items"]} == {car["id"]}
    assert all("cost_estimate" not in item for item in seen.json()["items"])
    one = await client.get(
        f"/api/v1/maintenance-jobs/{repair.json()['id']}", headers=driver["headers"]
    )
    assert one.status_code == 200
    assert "cost_estimate" not in one.json()
    office = await client.get(
        f"/api/v1/maintenance-jobs/{repair.json()['id']}", headers=ops["headers"]
    )
    assert office.json()["cost_estimate"] == "800.00"


async def test_overview_in_one_call_without_n_plus_one(
    client: httpx.AsyncClient, make_staff: StaffFactory, db: AsyncConnection
) -> None:
    ops = await make_staff("operations")
    driver = await make_staff("driver")
    car = await create_vehicle(client, ops["headers"], external_ref="905", revenue_ytd="100.00")
    today = await dubai_today(db)
    now = datetime.now(UTC)

    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    async def overview(headers: dict[str, str]) -> tuple[dict[str, Any], int]:
        statements.clear()
        event.listen(db.sync_connection, "before_cursor_execute", count)
        try:
            response = await client.get("/api/v1/vehicles/905/overview", headers=headers)
        finally:
            event.remove(db.sync_connection, "before_cursor_execute", count)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body, len(statements)

    _, queries_when_empty = await overview(ops["headers"])

    for offset in (20, -2, 5):
        await client.post(
            "/api/v1/vehicles/905/reminders",
            json={
                "reminder_type": "insurance",
                "due_date": (today + timedelta(days=offset)).isoformat(),
            },
            headers=ops["headers"],
        )
    for day in range(6):
        await client.post(
            "/api/v1/vehicles/905/inspections",
            json={"inspection_date": (today - timedelta(days=day)).isoformat()},
            headers=ops["headers"],
        )
    upcoming = await client.post(
        "/api/v1/maintenance-jobs",
        json=job_body(car["id"], now + timedelta(days=10), cost_estimate="300.00"),
        headers=ops["headers"],
    )
    finished = await client.post(
        "/api/v1/maintenance-jobs",
        json=job_body(car["id"], now + timedelta(days=12)),
        headers=ops["headers"],
    )
    finished_url = f"/api/v1/maintenance-jobs/{finished.json()['id']}"
    await client.patch(finished_url, json={"status": "cancelled"}, headers=ops["headers"])
    await insert_booking(
        db, car["id"], "BK-OV-past", "settlement", now - timedelta(days=9), now - timedelta(days=8)
    )
    await insert_booking(
        db, car["id"], "BK-OV-now", "in_rent", now - timedelta(days=1), now + timedelta(days=1)
    )
    mine = await insert_booking(
        db, car["id"], "BK-OV-next", "preparation", now + timedelta(days=3), now + timedelta(days=4)
    )
    await db.execute(
        text(
            "INSERT INTO tasks (task_type, title, assignee_driver_id, booking_id) "
            "VALUES ('delivery', 't', :driver_id, :booking_id)"
        ),
        {"driver_id": driver["driver_id"], "booking_id": mine},
    )

    body, queries_when_full = await overview(ops["headers"])
    # Savepoint + sign-in + vehicle, reminders, inspections, jobs, bookings + release.
    assert queries_when_full == queries_when_empty <= 8
    assert body["vehicle"]["revenue_ytd"] == "100.00"
    assert [r["status"] for r in body["reminders"]] == ["critical", "warning", "scheduled"]
    assert [i["inspection_date"] for i in body["recent_inspections"]] == [
        (today - timedelta(days=day)).isoformat() for day in range(5)
    ]
    assert [j["id"] for j in body["open_maintenance_jobs"]] == [upcoming.json()["id"]]
    assert body["open_maintenance_jobs"][0]["cost_estimate"] == "300.00"
    assert [b["external_code"] for b in body["upcoming_bookings"]] == ["BK-OV-now", "BK-OV-next"]
    assert body["upcoming_bookings"][0]["total_amount"] == "5000.00"

    as_driver, _ = await overview(driver["headers"])
    assert "revenue_ytd" not in as_driver["vehicle"]
    assert "cost_estimate" not in as_driver["open_maintenance_jobs"][0]
    assert [b["external_code"] for b in as_driver["upcoming_bookings"]] == ["BK-OV-next"]
    assert "total_amount" not in as_driver["upcoming_bookings"][0]
