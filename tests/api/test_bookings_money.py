"""Booking money: price lines, Decimal rounding, invoices, balances, extensions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.api.test_bookings import BOOKINGS, add_client, add_vehicle, at, create_booking
from tests.conftest import StaffFactory


async def _confirmed(
    client: httpx.AsyncClient, db: AsyncConnection, headers: dict[str, str], **client_columns: Any
) -> dict[str, Any]:
    client_id = await add_client(db, **client_columns)
    return await create_booking(
        client, headers, client_id=str(client_id), vehicle_id=str(await add_vehicle(db)),
        start_at=at(0), end_at=at(48), status="preparation", deposit_amount="5000.00",
    )  # fmt: skip


async def _line(
    client: httpx.AsyncClient, headers: dict[str, str], booking: str, **body: Any
) -> httpx.Response:
    return await client.post(f"{BOOKINGS}/{booking}/addons", json=body, headers=headers)


async def _booking(client: httpx.AsyncClient, headers: dict[str, str], booking: str) -> Any:
    return (await client.get(f"{BOOKINGS}/{booking}", headers=headers)).json()


async def _client_outstanding(db: AsyncConnection, client_id: str) -> str:
    value = await db.scalar(
        text("SELECT outstanding_amount FROM clients WHERE id = :id"), {"id": client_id}
    )
    return f"{value:.2f}"


async def test_price_lines_make_the_total(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    sales = await make_staff("sales")
    booking = await _confirmed(client, db, sales["headers"])
    code, headers = booking["external_code"], sales["headers"]
    base = await _line(client, headers, code, label="Ghost, 2 days", amount="1000", category="base")
    assert base.status_code == 201, base.text
    assert base.json()["amount"] == "1000.00"
    await _line(client, headers, code, label="chauffeur", amount="250.50")
    discount = await _line(
        client, headers, code, label="Loyalty", amount="100.25", category="discount"
    )
    current = await _booking(client, headers, code)
    assert current["total_amount"] == "1150.25"
    assert current["outstanding_amount"] == "1150.25"
    assert await _client_outstanding(db, booking["client_id"]) == "1150.25"

    changed = await client.patch(
        f"{BOOKINGS}/{code}/addons/{discount.json()['id']}",
        json={"amount": "150"},
        headers=headers,
    )
    assert changed.status_code == 200
    assert (await _booking(client, headers, code))["total_amount"] == "1100.50"
    lines = await client.get(f"{BOOKINGS}/{code}/addons", headers=headers)
    assert sorted(line["category"] for line in lines.json()["items"]) == [
        "addon", "base", "discount",
    ]  # fmt: skip

    removed = await client.delete(
        f"{BOOKINGS}/{code}/addons/{discount.json()['id']}", headers=headers
    )
    assert removed.status_code == 204
    assert (await _booking(client, headers, code))["total_amount"] == "1250.50"


async def test_amounts_round_half_up_to_cents_line_by_line(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    code = (await _confirmed(client, db, ops["headers"]))["external_code"]
    first = await _line(client, ops["headers"], code, label="a", amount="10.005")
    await _line(client, ops["headers"], code, label="b", amount="10.005")
    assert first.json()["amount"] == "10.01"
    # Rounded per line: 10.01 + 10.01, not round(20.01) = 20.01.
    assert (await _booking(client, ops["headers"], code))["total_amount"] == "20.02"
    # 2.675 is 2.67499... as a float; as a decimal it rounds half up.
    assert (await _line(client, ops["headers"], code, label="c", amount=2.675)).json()[
        "amount"
    ] == "2.68"
    assert (await _line(client, ops["headers"], code, label="d", amount="0.004")).json()[
        "amount"
    ] == "0.00"
    too_precise = await _line(client, ops["headers"], code, label="e", amount="1.00001")
    assert too_precise.status_code == 422
    negative = await _line(client, ops["headers"], code, label="f", amount="-1")
    assert negative.status_code == 422
    huge = await _line(client, ops["headers"], code, label="g", amount="99999999999")
    assert huge.status_code == 422
    assert (await _booking(client, ops["headers"], code))["total_amount"] == "22.70"


async def test_discounts_may_not_exceed_the_price(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    code = (await _confirmed(client, db, ops["headers"]))["external_code"]
    base = await _line(client, ops["headers"], code, label="base", amount="100", category="base")
    exact = await _line(
        client, ops["headers"], code, label="gift", amount="100", category="discount"
    )
    assert exact.status_code == 201
    assert (await _booking(client, ops["headers"], code))["total_amount"] == "0.00"
    beyond = await _line(
        client, ops["headers"], code, label="more", amount="0.01", category="discount"
    )
    assert beyond.status_code == 422
    assert beyond.json()["total_amount"] == "-0.01"
    without_base = await client.delete(
        f"{BOOKINGS}/{code}/addons/{base.json()['id']}", headers=ops["headers"]
    )
    assert without_base.status_code == 422
    lines = await client.get(f"{BOOKINGS}/{code}/addons", headers=ops["headers"])
    assert len(lines.json()["items"]) == 2


async def test_one_currency_per_booking(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    code = (await _confirmed(client, db, ops["headers"]))["external_code"]
    usd_line = await _line(client, ops["headers"], code, label="x", amount="1", currency="USD")
    assert usd_line.status_code == 422
    aed_line = await _line(client, ops["headers"], code, label="x", amount="1", currency="AED")
    assert aed_line.status_code == 201
    usd_invoice = await client.post(
        f"{BOOKINGS}/{code}/invoices",
        json={"label": "Rental", "amount": "1", "currency": "USD"},
        headers=ops["headers"],
    )
    assert usd_invoice.status_code == 422
    usd_extension = await client.post(
        f"{BOOKINGS}/{code}/extensions",
        json={"end_at": at(60), "lines": [{"label": "x", "amount": "1"}], "currency": "USD"},
        headers=ops["headers"],
    )
    assert usd_extension.status_code == 422
    recurrency = await client.patch(
        f"{BOOKINGS}/{code}", json={"currency": "EUR"}, headers=ops["headers"]
    )
    assert recurrency.status_code == 409
    fresh = await create_booking(client, ops["headers"], client_id=str(await add_client(db)))
    euro = await client.patch(
        f"{BOOKINGS}/{fresh['id']}", json={"currency": "EUR"}, headers=ops["headers"]
    )
    assert euro.json()["currency"] == "EUR"


async def test_invoices_drive_paid_outstanding_and_the_client_balance(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    booking = await _confirmed(client, db, ops["headers"])
    code, headers = booking["external_code"], ops["headers"]
    number = code.removeprefix("BK-")
    await _line(client, headers, code, label="base", amount="1000", category="base")

    async def invoice(**body: Any) -> httpx.Response:
        return await client.post(f"{BOOKINGS}/{code}/invoices", json=body, headers=headers)

    rental = await invoice(label="Rental", amount="600", status="paid")
    deposit = await invoice(label="Deposit", scope="deposit", amount="5000", status="paid")
    draft = await invoice(label="Damage", amount="50", status="draft")
    assert [r.json()["external_ref"] for r in (rental, deposit, draft)] == [
        f"INV-{number}-1", f"INV-{number}-2", f"INV-{number}-3",
    ]  # fmt: skip
    assert rental.json()["paid_at"] is not None and rental.json()["issued_at"] is not None
    assert draft.json()["issued_at"] is None
    current = await _booking(client, headers, code)
    assert (current["paid_amount"], current["outstanding_amount"]) == ("600.00", "400.00")
    assert await _client_outstanding(db, booking["client_id"]) == "400.00"

    path = f"{BOOKINGS}/{code}/invoices/{draft.json()['external_ref']}"
    edited = await client.patch(path, json={"amount": "75"}, headers=headers)
    assert edited.json()["amount"] == "75.00"
    paid = await client.patch(path, json={"status": "paid"}, headers=headers)
    assert paid.status_code == 200
    assert paid.json()["issued_at"] is not None and paid.json()["paid_at"] is not None
    assert (await _booking(client, headers, code))["paid_amount"] == "675.00"
    frozen = await client.patch(path, json={"amount": "80"}, headers=headers)
    assert frozen.status_code == 409
    backwards = await client.patch(path, json={"status": "issued"}, headers=headers)
    assert backwards.status_code == 409
    assert backwards.json()["allowed"] == ["void"]
    refund = await client.patch(
        f"{BOOKINGS}/{code}/invoices/{rental.json()['id']}", json={"status": "void"},
        headers=headers,
    )  # fmt: skip
    assert refund.status_code == 200
    assert (await _booking(client, headers, code))["paid_amount"] == "75.00"
    assert await _client_outstanding(db, booking["client_id"]) == "925.00"

    negative_rental = await invoice(label="Credit", amount="-10")
    assert negative_rental.status_code == 422
    deposit_refund = await invoice(label="Deposit back", scope="deposit", amount="-5000")
    assert deposit_refund.status_code == 201
    listed = await client.get(
        f"{BOOKINGS}/{code}/invoices", params={"scope": "deposit"}, headers=headers
    )
    assert sorted(item["amount"] for item in listed.json()["items"]) == ["-5000.00", "5000.00"]


async def test_client_balance_sums_what_each_booking_still_owes(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    client_id = await add_client(db)
    owing = await create_booking(client, ops["headers"], client_id=str(client_id))
    overpaid = await create_booking(client, ops["headers"], client_id=str(client_id))
    for booking, price, paid in ((owing, "300", "100"), (overpaid, "200", "250")):
        await _line(client, ops["headers"], booking["id"], label="base", amount=price)
        await client.post(
            f"{BOOKINGS}/{booking['id']}/invoices",
            json={"label": "Rental", "amount": paid, "status": "paid"},
            headers=ops["headers"],
        )
    assert (await _booking(client, ops["headers"], overpaid["id"]))["outstanding_amount"] == (
        "-50.00"
    )
    # 200 owed on one booking; the 50 paid too much on the other is not netted against it.
    assert await _client_outstanding(db, str(client_id)) == "200.00"
    moved = await client.patch(
        f"{BOOKINGS}/{owing['id']}",
        json={"client_id": str(await add_client(db, "Someone Else"))},
        headers=ops["headers"],
    )
    assert moved.status_code == 200
    assert await _client_outstanding(db, str(client_id)) == "0.00"


async def _extend(
    client: httpx.AsyncClient, headers: dict[str, str], booking: str, **body: Any
) -> httpx.Response:
    payload = {
        "end_at": at(72),
        "lines": [
            {"label": "Two more nights", "amount": "6000", "category": "base"},
            {"label": "chauffeur", "amount": "1000", "category": "addon"},
            {"label": "airport fee", "amount": "150.005", "category": "fee"},
            {"label": "loyalty", "amount": "300", "category": "discount"},
        ],
        "deposit_adjustment": "2500",
        **body,
    }
    return await client.post(f"{BOOKINGS}/{booking}/extensions", json=payload, headers=headers)


async def test_extension_approval_moves_the_end_and_bills_it(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    booking = await _confirmed(
        client, db, ops["headers"], phone="+971501234567", email="dmitri@example.com"
    )
    code, headers = booking["external_code"], ops["headers"]
    number = code.removeprefix("BK-")
    await _line(client, headers, code, label="base", amount="10000", category="base")
    not_later = await _extend(client, headers, code, end_at=at(48))
    assert not_later.status_code == 422
    requested = await _extend(client, headers, code)
    assert requested.status_code == 201, requested.text
    extension = requested.json()
    assert extension["label"] == f"EXT-{number}-1"
    assert extension["status"] == "requested"
    assert (extension["start_at"], extension["end_at"]) == (
        at(48).replace("+00:00", "Z"), at(72).replace("+00:00", "Z"),
    )  # fmt: skip
    assert [extension[f"pricing_{part}"] for part in ("base", "addons", "fees", "discounts")] == [
        "6000.00", "1000.00", "150.01", "300.00",
    ]  # fmt: skip
    assert extension["pricing_total"] == "6850.01"
    assert (await _booking(client, headers, code))["end_at"] == at(48).replace("+00:00", "Z")

    approved = await client.post(
        f"{BOOKINGS}/{code}/extensions/{extension['label']}/approve",
        json={"note": "Client confirmed by phone"},
        headers=headers,
    )
    assert approved.status_code == 200, approved.text
    result = approved.json()
    assert result["extension"]["status"] == "approved"
    assert result["extension"]["decided_by"] == str(ops["id"])
    assert result["invoice"]["scope"] == "extension"
    assert result["invoice"]["status"] == "issued"
    assert result["invoice"]["amount"] == "6850.01"
    assert result["invoice"]["external_ref"] == f"INV-{number}-1"
    assert result["notification"]["channel"] == "whatsapp"
    assert result["notification"]["recipient"] == "+971501234567"
    assert code in result["notification"]["message"]
    assert "6850.01 AED" in result["notification"]["message"]
    assert result["task"]["status"] == "todo"
    assert extension["label"] in result["task"]["label"]

    after = await _booking(client, headers, code)
    assert after["end_at"] == at(72).replace("+00:00", "Z")
    assert after["total_amount"] == "16850.01"
    assert after["deposit_amount"] == "7500.00"
    rows = await db.execute(
        text(
            "SELECT (SELECT count(*) FROM extension_notifications WHERE extension_id = :id), "
            "(SELECT count(*) FROM extension_tasks WHERE extension_id = :id)"
        ),
        {"id": extension["id"]},
    )
    assert rows.one() == (1, 1)
    timeline = await client.get(f"{BOOKINGS}/{code}/timeline", headers=headers)
    assert any(
        extension["label"] in (event["note"] or "") and "Client confirmed" in event["note"]
        for event in timeline.json()["items"]
    )
    again = await client.post(
        f"{BOOKINGS}/{code}/extensions/{extension['id']}/approve", json={}, headers=headers
    )
    assert again.status_code == 409


async def test_extension_colliding_with_the_next_booking_is_refused_naming_it(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    booking = await _confirmed(client, db, ops["headers"], email="dmitri@example.com")
    code, headers = booking["external_code"], ops["headers"]
    requested = (await _extend(client, headers, code, deposit_adjustment="0")).json()
    # Meanwhile the car is sold to someone else right after the current end.
    next_booking = await create_booking(
        client, headers, client_id=str(await add_client(db, "Fatima Al Noor")),
        vehicle_id=booking["vehicle_id"], start_at=at(60), end_at=at(90), status="preparation",
    )  # fmt: skip
    refused = await client.post(
        f"{BOOKINGS}/{code}/extensions/{requested['label']}/approve", json={}, headers=headers
    )
    assert refused.status_code == 409
    assert refused.json()["conflict"]["code"] == next_booking["external_code"]
    assert next_booking["external_code"] in refused.json()["detail"]
    unchanged = await _booking(client, headers, code)
    assert unchanged["end_at"] == at(48).replace("+00:00", "Z")
    assert unchanged["total_amount"] == "0.00"
    at_request = await _extend(client, headers, code, end_at=at(61))
    assert at_request.status_code == 409
    assert at_request.json()["conflict"]["code"] == next_booking["external_code"]
    fits = (await _extend(client, headers, code, end_at=at(58), deposit_adjustment="0")).json()
    rejected = await client.post(
        f"{BOOKINGS}/{code}/extensions/{requested['label']}/reject",
        json={"note": "Car is booked"},
        headers=headers,
    )
    assert rejected.json()["status"] == "rejected"
    approved = await client.post(
        f"{BOOKINGS}/{code}/extensions/{fits['label']}/approve", json={}, headers=headers
    )
    assert approved.status_code == 200
    assert approved.json()["notification"]["channel"] == "email"
    assert approved.json()["notification"]["recipient"] == "dmitri@example.com"


async def test_only_confirmed_running_bookings_are_extended(
    client: httpx.AsyncClient, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    enquiry = await create_booking(
        client, ops["headers"], client_id=str(await add_client(db)), start_at=at(0), end_at=at(5)
    )
    refused = await _extend(client, ops["headers"], enquiry["id"], end_at=at(10))
    assert refused.status_code == 409
    booking = await _confirmed(client, db, ops["headers"])
    requested = (await _extend(client, ops["headers"], booking["id"])).json()
    await db.execute(
        text("UPDATE bookings SET status = 'settlement', deposit_amount = 0 WHERE id = :id"),
        {"id": booking["id"]},
    )
    late = await client.post(
        f"{BOOKINGS}/{booking['id']}/extensions/{requested['id']}/approve",
        json={},
        headers=ops["headers"],
    )
    assert late.status_code == 409
    listed = await client.get(f"{BOOKINGS}/{booking['id']}/extensions", headers=ops["headers"])
    assert [item["status"] for item in listed.json()["items"]] == ["requested"]
    assert datetime.fromisoformat(listed.json()["items"][0]["end_at"]) == datetime.fromisoformat(
        at(72)
    ).astimezone(UTC)
