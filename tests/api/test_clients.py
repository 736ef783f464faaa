"""Clients: CRUD, computed tier/segment shown read-only, LTV, the feed, preferences, CRM sync."""

from __future__ import annotations

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.conftest import StaffFactory


async def _outbox_rows(db: AsyncConnection, client_id: str) -> list[tuple[str, str, str]]:
    rows = await db.execute(
        text(
            "SELECT target_system, event_type, status FROM integrations_outbox "
            "WHERE entity_id = :id ORDER BY target_system"
        ),
        {"id": client_id},
    )
    return [tuple(row) for row in rows.all()]  # type: ignore[misc]


async def test_create_shows_computed_metrics_and_enqueues_crm_sync(
    client: httpx.AsyncClient, make_staff: StaffFactory, db: AsyncConnection
) -> None:
    sales = await make_staff("sales")
    created = await client.post(
        "/api/v1/clients",
        json={
            "name": "Aisha Rahman",
            "phone": "+971509998877",
            "email": "aisha@example.com",
            "residency_country": "AE",
        },
        headers=sales["headers"],
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["tier"], body["segment"]) == ("silver", "general")
    assert body["lifetime_value"] == "0.00"
    assert body["last_booking_at"] is None
    assert body["created_by"] == str(sales["id"])
    assert await _outbox_rows(db, body["id"]) == [
        ("kommo", "contact.upsert", "pending"),
        ("zoho", "contact.upsert", "pending"),
    ]

    await db.execute(
        text(
            "INSERT INTO bookings (client_id, total_amount, start_at, status) "
            "VALUES (:id, 52000, now() - interval '3 days', 'settlement')"
        ),
        {"id": body["id"]},
    )
    fetched = (await client.get(f"/api/v1/clients/{body['id']}", headers=sales["headers"])).json()
    assert (fetched["tier"], fetched["segment"]) == ("vip", "premier_loyalist")
    assert fetched["lifetime_value"] == "52000.00"
    assert fetched["last_booking_at"] is not None


async def test_computed_columns_cannot_be_written(
    client: httpx.AsyncClient, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    for field, value in (("tier", "vip"), ("segment", "dormant_vip"), ("lifetime_value", "1")):
        response = await client.post(
            "/api/v1/clients", json={"name": "X", field: value}, headers=ops["headers"]
        )
        assert response.status_code == 422
        assert any(field in error["pointer"] for error in response.json()["errors"])


async def test_only_crm_fields_changes_enqueue_and_pending_rows_collapse(
    client: httpx.AsyncClient, make_staff: StaffFactory, db: AsyncConnection
) -> None:
    ops = await make_staff("operations")
    created = (
        await client.post("/api/v1/clients", json={"name": "Omar"}, headers=ops["headers"])
    ).json()
    await client.patch(
        f"/api/v1/clients/{created['id']}", json={"nps_score": 9}, headers=ops["headers"]
    )
    await client.patch(
        f"/api/v1/clients/{created['id']}", json={"phone": "+971501112233"}, headers=ops["headers"]
    )
    # Still one pending row per CRM: the worker sends the latest state once.
    assert len(await _outbox_rows(db, created["id"])) == 2


async def test_filters_search_and_driver_view(
    client: httpx.AsyncClient, make_staff: StaffFactory, db: AsyncConnection
) -> None:
    ceo = await make_staff("ceo")
    ids = {}
    for name, country in (("Search Alpha", "AE"), ("Search Beta", "GB"), ("Other", "AE")):
        response = await client.post(
            "/api/v1/clients",
            json={"name": name, "residency_country": country, "email": f"{name[-4:]}@x.io"},
            headers=ceo["headers"],
        )
        ids[name] = response.json()["id"]
    found = await client.get(
        "/api/v1/clients", params={"q": "search", "residency_country": "AE"}, headers=ceo["headers"]
    )
    assert [c["name"] for c in found.json()["items"]] == ["Search Alpha"]

    driver = await make_staff("driver")
    await db.execute(
        text(
            "INSERT INTO tasks (task_type, title, assignee_driver_id, client_id) "
            "VALUES ('delivery', 'Deliver', :driver, :client)"
        ),
        {"driver": driver["driver_id"], "client": ids["Search Beta"]},
    )
    listed = (await client.get("/api/v1/clients", headers=driver["headers"])).json()["items"]
    assert listed == [{"id": ids["Search Beta"], "name": "Search Beta", "phone": None}]
    assert (
        await client.get(f"/api/v1/clients/{ids['Search Alpha']}", headers=driver["headers"])
    ).status_code == 404
    history = await client.get(
        f"/api/v1/clients/{ids['Search Beta']}/notifications", headers=driver["headers"]
    )
    assert history.status_code == 403
    assert (
        await client.patch(
            f"/api/v1/clients/{ids['Search Beta']}", json={"name": "x"}, headers=driver["headers"]
        )
    ).status_code == 403


async def test_notifications_feed_by_code_and_preferences(
    client: httpx.AsyncClient, make_staff: StaffFactory
) -> None:
    sales = await make_staff("sales")
    client_id = (
        await client.post("/api/v1/clients", json={"name": "Feed"}, headers=sales["headers"])
    ).json()["id"]
    created = await client.post(
        f"/api/v1/clients/{client_id}/notifications",
        json={
            "external_ref": "NT-9001",
            "channel": "whatsapp",
            "subject": "Hello",
            "sent_at": "2026-11-20T10:00:00+04:00",
        },
        headers=sales["headers"],
    )
    assert created.status_code == 201, created.text
    by_code = await client.get(
        f"/api/v1/clients/{client_id}/notifications/NT-9001", headers=sales["headers"]
    )
    assert by_code.json()["id"] == created.json()["id"]
    naive = await client.post(
        f"/api/v1/clients/{client_id}/notifications",
        json={"channel": "email", "sent_at": "2026-11-20T10:00:00"},
        headers=sales["headers"],
    )
    assert naive.status_code == 422

    preferences = await client.get(
        f"/api/v1/clients/{client_id}/preferences", headers=sales["headers"]
    )
    assert preferences.json()["marketing_opt_in"] is False
    changed = await client.patch(
        f"/api/v1/clients/{client_id}/preferences",
        json={"marketing_opt_in": True},
        headers={**sales["headers"], "If-Match": preferences.headers["etag"]},
    )
    assert changed.json()["marketing_opt_in"] is True


async def test_client_with_bookings_cannot_be_deleted(
    client: httpx.AsyncClient, make_staff: StaffFactory, db: AsyncConnection
) -> None:
    ceo = await make_staff("ceo")
    client_id = (
        await client.post("/api/v1/clients", json={"name": "Kept"}, headers=ceo["headers"])
    ).json()["id"]
    await db.execute(text("INSERT INTO bookings (client_id) VALUES (:id)"), {"id": client_id})
    response = await client.delete(f"/api/v1/clients/{client_id}", headers=ceo["headers"])
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
