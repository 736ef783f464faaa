"""POST /api/v1/integrations/kommo/webhook/{secret} with bodies in Kommo's form encoding."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker

from skyluxse_api.app import create_app
from skyluxse_api.integrations import webhook_intake
from skyluxse_api.settings import Settings

SECRET = "kommo-hook-7f3a9c1e"
URL = f"/api/v1/integrations/kommo/webhook/{SECRET}"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
STAGE_NEW, STAGE_CONFIRMED, STAGE_WON = 41893093, 42100270, 142
START_FIELD, END_FIELD, CAR_FIELD = 645087, 645089, 645091
PICKUP = datetime(2026, 12, 20, 10, tzinfo=UTC)


def _app(settings: Settings, db: AsyncConnection) -> Any:
    application = create_app(settings)
    application.state.engine = db.engine
    application.state.sessionmaker = async_sessionmaker(
        bind=db, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
    )
    return application


@pytest.fixture
def app(settings: Settings, db: AsyncConnection) -> Any:
    return _app(
        settings.model_copy(
            update={
                "kommo_webhook_secret": SECRET,
                "kommo_status_map": {
                    str(STAGE_NEW): "new",
                    str(STAGE_CONFIRMED): "preparation",
                    str(STAGE_WON): "settlement",
                },
                "kommo_lead_field_map": {
                    str(START_FIELD): "start_at",
                    str(END_FIELD): "end_at",
                    str(CAR_FIELD): "vehicle",
                },
            }
        ),
        db,
    )


def kommo_body(section: str, action: str, items: list[dict[str, Any]]) -> bytes:
    """A webhook body as Kommo sends it: bracketed keys, url-encoded, plus the account."""
    pairs: list[tuple[str, str]] = []

    def flatten(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                flatten(f"{prefix}[{key}]", inner)
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                flatten(f"{prefix}[{index}]", inner)
        else:
            pairs.append((prefix, str(value)))

    for index, item in enumerate(items):
        flatten(f"{section}[{action}][{index}]", item)
    pairs += [("account[subdomain]", "skyluxse"), ("account[id]", "29638927")]
    return urlencode(pairs).encode()


def contact(contact_id: int, name: str, phone: str, email: str) -> dict[str, Any]:
    return {
        "id": contact_id,
        "name": name,
        "responsible_user_id": 8283409,
        "custom_fields": [
            {"id": 2031462, "name": "Phone", "code": "PHONE",
             "values": [{"value": phone, "enum": 1364056}]},
            {"id": 2031464, "name": "Email", "code": "EMAIL",
             "values": [{"value": email, "enum": 1364060}]},
        ],
        "type": "contact",
    }  # fmt: skip


def lead(lead_id: int, status_id: int, **fields: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": lead_id,
        "name": "Cullinan, 3 days",
        "status_id": status_id,
        "pipeline_id": 4542166,
        "responsible_user_id": 8283409,
    }
    item.update(fields)
    return item


def window_fields(car: str, start: datetime, days: int) -> list[dict[str, Any]]:
    end = start + timedelta(days=days)
    return [
        {"id": START_FIELD, "name": "Pickup", "values": [str(int(start.timestamp()))]},
        {"id": END_FIELD, "name": "Return", "values": [str(int(end.timestamp()))]},
        {"id": CAR_FIELD, "name": "Car", "values": [{"value": car}]},
    ]


async def rows(db: AsyncConnection, sql: str, **params: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in await db.execute(text(sql), params)]


async def insert(db: AsyncConnection, table: str, **columns: Any) -> uuid.UUID:
    names = ", ".join(columns)
    values = ", ".join(f":{name}" for name in columns)
    result = await db.execute(
        text(f"INSERT INTO {table} ({names}) VALUES ({values}) RETURNING id"), columns
    )
    return result.scalar_one()  # type: ignore[no-any-return]


async def deliveries(db: AsyncConnection) -> list[dict[str, Any]]:
    return await rows(db, "SELECT * FROM kommo_webhook_deliveries ORDER BY received_at, id")


# --- authentication by secret ---------------------------------------------------------------


async def test_a_wrong_secret_is_404_and_stores_nothing(
    client: httpx.AsyncClient, db: AsyncConnection
) -> None:
    body = kommo_body("contacts", "add", [contact(1, "X", "+971500000001", "x@example.ae")])
    response = await client.post(f"{URL}x", content=body, headers=FORM)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert await deliveries(db) == []


async def test_without_a_configured_secret_the_webhook_does_not_exist(
    settings: Settings, db: AsyncConnection
) -> None:
    transport = httpx.ASGITransport(app=_app(settings, db))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        response = await http.post(URL, content=b"account%5Bid%5D=1", headers=FORM)

    assert response.status_code == 404
    assert await deliveries(db) == []


# --- contacts -> clients --------------------------------------------------------------------


async def test_a_new_kommo_contact_becomes_a_client_synced_to_zoho_only(
    client: httpx.AsyncClient, db: AsyncConnection
) -> None:
    body = kommo_body(
        "contacts", "add", [contact(43684612, "Aisha Al Mansouri", "+971501234567", "aisha@ex.ae")]
    )

    response = await client.post(URL, content=body, headers=FORM)

    assert response.status_code == 200
    assert response.json()["status"] == "processed"
    (created,) = await rows(db, "SELECT * FROM clients WHERE kommo_contact_id = '43684612'")
    assert (created["name"], created["phone"], created["email"]) == (
        "Aisha Al Mansouri",
        "+971501234567",
        "aisha@ex.ae",
    )
    outbox = await rows(
        db, "SELECT target_system, event_type FROM integrations_outbox WHERE entity_id = :id",
        id=created["id"],
    )  # fmt: skip
    assert outbox == [{"target_system": "zoho", "event_type": "contact.upsert"}]
    (stored,) = await deliveries(db)
    assert str(stored["id"]) == response.json()["delivery_id"]
    assert stored["body"] == body.decode()
    assert (stored["status"], stored["account_subdomain"]) == ("processed", "skyluxse")
    assert stored["content_type"] == "application/x-www-form-urlencoded"


async def test_an_edited_contact_updates_the_client_and_an_echo_changes_nothing(
    client: httpx.AsyncClient, db: AsyncConnection
) -> None:
    client_id = await insert(
        db, "clients", name="Aisha M.", phone="+971501234567", email="aisha@ex.ae",
        kommo_contact_id="43684612", zoho_contact_id="5725767000000400001",
    )  # fmt: skip
    edit = kommo_body(
        "contacts",
        "update",
        [contact(43684612, "Aisha Al Mansouri", "+971509999999", "AISHA@ex.ae")],
    )

    assert (await client.post(URL, content=edit, headers=FORM)).json()["status"] == "processed"

    (updated,) = await rows(db, "SELECT * FROM clients WHERE id = :id", id=client_id)
    assert (updated["name"], updated["phone"], updated["email"]) == (
        "Aisha Al Mansouri",
        "+971509999999",
        "aisha@ex.ae",  # an email differing only in case is the same email
    )
    queued = "SELECT target_system, status FROM integrations_outbox WHERE entity_id = :id"
    assert await rows(db, queued, id=client_id) == [{"target_system": "zoho", "status": "pending"}]
    await db.execute(text("UPDATE integrations_outbox SET status = 'succeeded'"))
    # Kommo reports our own change back with another timestamp: nothing differs, nothing queued.
    echo = edit + b"&contacts%5Bupdate%5D%5B0%5D%5Blast_modified%5D=1689256999"

    assert (await client.post(URL, content=echo, headers=FORM)).json()["status"] == "processed"
    assert await rows(db, queued, id=client_id) == [
        {"target_system": "zoho", "status": "succeeded"}
    ]


async def test_a_contact_created_here_is_linked_by_email_not_duplicated(
    client: httpx.AsyncClient, db: AsyncConnection
) -> None:
    client_id = await insert(db, "clients", name="Omar Saeed", email="omar@ex.ae")
    body = kommo_body(
        "contacts", "add", [contact(555, "Omar Saeed", "+971500000555", "omar@ex.ae")]
    )

    await client.post(URL, content=body, headers=FORM)

    linked = await rows(
        db, "SELECT id, kommo_contact_id, phone FROM clients WHERE email = 'omar@ex.ae'"
    )
    assert linked == [{"id": client_id, "kommo_contact_id": "555", "phone": "+971500000555"}]


# --- leads -> bookings ----------------------------------------------------------------------


async def test_a_confirmed_lead_becomes_a_booking_and_queues_its_sales_order(
    client: httpx.AsyncClient, db: AsyncConnection
) -> None:
    vehicle_id = await insert(db, "vehicles", name="Rolls-Royce Cullinan", kommo_vehicle_id="887")
    client_id = await insert(db, "clients", name="Dmitri Ivanov", kommo_contact_id="43684612")
    body = kommo_body(
        "leads",
        "add",
        [
            lead(
                30307415,
                STAGE_CONFIRMED,
                price="4500.50",
                contacts=[{"id": 43684612}],
                custom_fields=window_fields("887", PICKUP, 3),
            )
        ],
    )

    response = await client.post(URL, content=body, headers=FORM)

    assert response.json()["status"] == "processed"
    (booking,) = await rows(db, "SELECT * FROM bookings WHERE source_payload_id = '30307415'")
    assert booking["status"] == "preparation"
    assert booking["kommo_status_id"] == STAGE_CONFIRMED
    assert booking["channel"] == "Kommo"
    assert str(booking["total_amount"]) == "4500.50"
    assert (booking["client_id"], booking["vehicle_id"]) == (client_id, vehicle_id)
    assert (booking["start_at"], booking["end_at"]) == (PICKUP, PICKUP + timedelta(days=3))
    assert booking["zoho_sync_status"] == "pending"
    outbox = await rows(
        db, "SELECT event_type, target_system FROM integrations_outbox WHERE entity_id = :id",
        id=booking["id"],
    )  # fmt: skip
    assert outbox == [{"event_type": "sales_order.create", "target_system": "zoho"}]


async def test_a_stage_change_moves_the_booking_and_keeps_the_raw_stage(
    client: httpx.AsyncClient, db: AsyncConnection
) -> None:
    await client.post(URL, content=kommo_body("leads", "add", [lead(777, STAGE_NEW)]), headers=FORM)
    (booking,) = await rows(
        db, "SELECT status, kommo_status_id FROM bookings WHERE source_payload_id = '777'"
    )
    assert booking == {"status": "new", "kommo_status_id": STAGE_NEW}
    unmapped = {"id": 777, "status_id": 55501, "old_status_id": STAGE_NEW, "pipeline_id": 4542166}

    await client.post(URL, content=kommo_body("leads", "status", [unmapped]), headers=FORM)

    (booking,) = await rows(
        db, "SELECT status, kommo_status_id FROM bookings WHERE source_payload_id = '777'"
    )
    assert booking == {"status": "new", "kommo_status_id": 55501}  # unmapped stage: status kept
    won = {**unmapped, "status_id": STAGE_WON, "old_status_id": 55501}

    await client.post(URL, content=kommo_body("leads", "status", [won]), headers=FORM)

    (booking,) = await rows(
        db, "SELECT status, kommo_status_id FROM bookings WHERE source_payload_id = '777'"
    )
    assert booking == {"status": "settlement", "kommo_status_id": STAGE_WON}


async def test_a_replayed_delivery_changes_nothing(
    client: httpx.AsyncClient, db: AsyncConnection
) -> None:
    body = kommo_body("leads", "add", [lead(888, STAGE_NEW, price="1200")])
    first = await client.post(URL, content=body, headers=FORM)
    # Meanwhile an operator moves the booking on; replaying the old body must not undo it.
    await db.execute(
        text("UPDATE bookings SET total_amount = 1500 WHERE source_payload_id = '888'")
    )

    replay = await client.post(URL, content=body, headers=FORM)

    assert (first.json()["status"], replay.json()["status"]) == ("processed", "duplicate")
    (booking,) = await rows(db, "SELECT total_amount FROM bookings WHERE source_payload_id = '888'")
    assert str(booking["total_amount"]) == "1500.00"
    stored = {str(d["id"]): d["status"] for d in await deliveries(db)}
    assert stored == {
        first.json()["delivery_id"]: "processed",
        replay.json()["delivery_id"]: "duplicate",
    }


async def test_an_overlapping_import_is_stored_and_the_conflict_recorded(
    client: httpx.AsyncClient, db: AsyncConnection
) -> None:
    vehicle_id = await insert(db, "vehicles", name="Lamborghini Huracan", kommo_vehicle_id="901")
    taken = await insert(
        db, "bookings", external_code="BK-7001", vehicle_id=vehicle_id, status="in_rent",
        start_at=PICKUP - timedelta(days=1), end_at=PICKUP + timedelta(days=1),
    )  # fmt: skip
    body = kommo_body(
        "leads", "add", [lead(999, STAGE_CONFIRMED, custom_fields=window_fields("901", PICKUP, 2))]
    )

    response = await client.post(URL, content=body, headers=FORM)

    assert response.json()["status"] == "processed"
    (imported,) = await rows(db, "SELECT id, status FROM bookings WHERE source_payload_id = '999'")
    assert imported["status"] == "preparation"
    conflicts = await rows(
        db, "SELECT booking_id, conflicting_booking_id, source, note FROM booking_conflicts"
    )
    assert conflicts == [
        {
            "booking_id": imported["id"],
            "conflicting_booking_id": taken,
            "source": "kommo_import",
            "note": "Kommo lead 999 overlaps booking BK-7001",
        }
    ]


# --- bodies that cannot be imported --------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"leads%5Badd%5D%5B0%5D%5Bname%5D=No+id", "leads[add][0] has no numeric id"),
        (b'{"leads": {"add": [{"id": 1}]}}', "undecodable form body"),
        (b"hello=world", "no Kommo section"),
        (b"contacts%5Badd%5D%5B0%5D%5Bname%5D=%FF%FE", "undecodable form body"),
    ],
)
async def test_a_malformed_delivery_is_400_and_kept_as_rejected(
    client: httpx.AsyncClient, db: AsyncConnection, body: bytes, reason: str
) -> None:
    response = await client.post(URL, content=body, headers=FORM)

    assert response.status_code == 400
    problem = response.json()
    assert reason in problem["detail"]
    (stored,) = await deliveries(db)
    assert str(stored["id"]) == problem["delivery_id"]
    assert stored["status"] == "rejected"
    assert reason in stored["error"]
    assert await rows(db, "SELECT id FROM bookings") == []


async def test_a_delivery_whose_import_fails_is_still_stored(
    client: httpx.AsyncClient, db: AsyncConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self: Any, event: Any) -> None:
        raise RuntimeError("importer bug")

    monkeypatch.setattr(webhook_intake._Importer, "lead", broken)
    body = kommo_body("contacts", "add", [contact(4242, "Kept", "+971500004242", "kept@ex.ae")])
    body += b"&" + kommo_body("leads", "add", [lead(4243, STAGE_NEW)])

    response = await client.post(URL, content=body, headers=FORM)

    assert response.status_code == 200
    assert response.json()["status"] == "failed"
    (stored,) = await deliveries(db)
    assert stored["status"] == "failed"
    assert "importer bug" in stored["error"]
    assert stored["body"] == body.decode()
    # The import is all or nothing: the contact of the failed delivery is not half-imported.
    assert await rows(db, "SELECT id FROM clients WHERE kommo_contact_id = '4242'") == []
