"""Staff, drivers, /me and sessions: the reference resource for the HTTP conventions."""

from __future__ import annotations

import asyncio

import httpx

from tests.conftest import StaffFactory


async def test_me_shows_role_from_the_account_not_the_token(
    client: httpx.AsyncClient, make_staff: StaffFactory
) -> None:
    ops = await make_staff("operations")
    response = await client.get("/api/v1/me", headers=ops["headers"])
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "operations"
    assert body["account"]["email"] == ops["email"]
    assert "staff:write" not in body["permissions"]


async def test_staff_crud_with_etag_and_deactivation(
    client: httpx.AsyncClient, make_staff: StaffFactory
) -> None:
    ceo = await make_staff("ceo")
    created = await client.post(
        "/api/v1/staff",
        json={"full_name": "Nadia Karim", "email": "Nadia.Karim@skyluxse.ae", "role": "sales"},
        headers=ceo["headers"],
    )
    assert created.status_code == 201, created.text
    staff_id, etag = created.json()["id"], created.headers["etag"]

    duplicate = await client.post(
        "/api/v1/staff",
        json={"full_name": "Other", "email": "nadia.karim@SKYLUXSE.ae", "role": "sales"},
        headers=ceo["headers"],
    )
    assert duplicate.status_code == 409
    assert duplicate.headers["content-type"] == "application/problem+json"
    assert duplicate.json()["field"] == "email" or "email" in duplicate.json()["detail"]

    await asyncio.sleep(0.001)
    changed = await client.patch(
        f"/api/v1/staff/{staff_id}",
        json={"phone": "+971500000001"},
        headers={**ceo["headers"], "If-Match": etag},
    )
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    stale = await client.patch(
        f"/api/v1/staff/{staff_id}",
        json={"phone": "+971500000002"},
        headers={**ceo["headers"], "If-Match": etag},
    )
    assert stale.status_code == 412
    current = await client.get(f"/api/v1/staff/{staff_id}", headers=ceo["headers"])
    assert current.json()["phone"] == "+971500000001"

    gone = await client.delete(f"/api/v1/staff/{staff_id}", headers=ceo["headers"])
    assert gone.status_code == 200
    assert gone.json()["is_active"] is False


async def test_validation_errors_point_at_fields(
    client: httpx.AsyncClient, make_staff: StaffFactory
) -> None:
    ceo = await make_staff("ceo")
    response = await client.post(
        "/api/v1/staff",
        json={"full_name": "A\u0000B", "email": "not-an-email", "role": "pilot", "tier": "vip"},
        headers=ceo["headers"],
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422
    assert body["errors"]
    assert all(error["pointer"].startswith("/body") for error in body["errors"])


async def test_out_of_range_numbers_and_nul_bytes_are_422_not_500(
    client: httpx.AsyncClient, make_staff: StaffFactory
) -> None:
    driver, ops = await make_staff("driver"), await make_staff("operations")
    cases = [
        (
            driver,
            "PATCH",
            "/api/v1/me/driver-status",
            {"current_lat": 1e30, "current_lng": 55.0},
            "/body/current_lat",
        ),
        (
            ops,
            "POST",
            "/api/v1/tasks",
            {"task_type": "delivery", "title": "t", "sla_minutes": 2**40},
            "/body/sla_minutes",
        ),
        (ops, "POST", "/api/v1/clients", {"name": "Nul\u0000name"}, "/body"),
    ]
    for who, method, path, body, pointer in cases:
        response = await client.request(method, path, json=body, headers=who["headers"])
        assert response.status_code == 422, (path, response.text)
        assert any(e["pointer"].startswith(pointer) for e in response.json()["errors"]), path
    search = await client.get("/api/v1/staff", params={"q": "a\x00b"}, headers=ops["headers"])
    assert search.status_code == 422


async def test_pagination_has_no_gaps_or_duplicates_under_inserts(
    client: httpx.AsyncClient, make_staff: StaffFactory
) -> None:
    ceo = await make_staff("ceo")
    for index in range(7):
        await make_staff("sales", full_name=f"Page Person {index:02d}")
    seen: list[str] = []
    cursor = None
    inserted = 0
    while True:
        params = {"limit": 3, "sort": "created_at", "q": "Page Person", "include_total": "true"}
        if cursor:
            params["cursor"] = cursor
        page = await client.get("/api/v1/staff", params=params, headers=ceo["headers"])
        assert page.status_code == 200, page.text
        body = page.json()
        seen.extend(item["full_name"] for item in body["items"])
        if inserted < 2:
            # Rows added while paging land after the cursor, never shift it.
            await make_staff("sales", full_name=f"Page Person late {inserted}")
            inserted += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen))
    assert {f"Page Person {i:02d}" for i in range(7)} <= set(seen)


async def test_bad_cursor_and_sort_are_422(
    client: httpx.AsyncClient, make_staff: StaffFactory
) -> None:
    ceo = await make_staff("ceo")
    await make_staff("sales")
    bad = await client.get("/api/v1/staff", params={"cursor": "garbage"}, headers=ceo["headers"])
    assert bad.status_code == 422
    first = await client.get(
        "/api/v1/staff", params={"limit": 1, "sort": "created_at"}, headers=ceo["headers"]
    )
    assert first.json()["next_cursor"]
    other_sort = await client.get(
        "/api/v1/staff",
        params={"cursor": first.json()["next_cursor"], "sort": "-full_name"},
        headers=ceo["headers"],
    )
    assert other_sort.status_code == 422
    assert (
        await client.get("/api/v1/staff", params={"sort": "email"}, headers=ceo["headers"])
    ).status_code == 422


async def test_idempotent_post_replays_and_refuses_other_body(
    client: httpx.AsyncClient, make_staff: StaffFactory
) -> None:
    ceo = await make_staff("ceo")
    headers = {**ceo["headers"], "Idempotency-Key": "create-nadia-1"}
    body = {"full_name": "Idem Potent", "email": "idem@skyluxse.ae", "role": "sales"}
    first = await client.post("/api/v1/staff", json=body, headers=headers)
    again = await client.post("/api/v1/staff", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    listed = await client.get("/api/v1/staff", params={"q": "Idem Potent"}, headers=ceo["headers"])
    assert len(listed.json()["items"]) == 1

    other = await client.post(
        "/api/v1/staff", json={**body, "full_name": "Someone Else"}, headers=headers
    )
    assert other.status_code == 422
    # Keys are per principal: another user's same key is a new request.
    ops_ceo = await make_staff("ceo")
    theirs = await client.post(
        "/api/v1/staff",
        json={**body, "email": "idem2@skyluxse.ae"},
        headers={**ops_ceo["headers"], "Idempotency-Key": "create-nadia-1"},
    )
    assert theirs.status_code == 201


async def test_driver_reports_status_and_server_stamps_time(
    client: httpx.AsyncClient, make_staff: StaffFactory
) -> None:
    driver = await make_staff("driver")
    response = await client.patch(
        "/api/v1/me/driver-status",
        json={"status": "on_task", "current_lat": "25.2048", "current_lng": "55.2708"},
        headers=driver["headers"],
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "on_task"
    assert body["last_status_at"] is not None
    half = await client.patch(
        "/api/v1/me/driver-status", json={"current_lat": "25.1"}, headers=driver["headers"]
    )
    assert half.status_code == 422
    other = await make_staff("driver")
    assert (
        await client.get(f"/api/v1/drivers/{other['driver_id']}", headers=driver["headers"])
    ).status_code == 403


async def test_sessions_are_own_unless_ceo(
    client: httpx.AsyncClient, make_staff: StaffFactory
) -> None:
    sales, ceo = await make_staff("sales"), await make_staff("ceo")
    created = await client.post(
        "/api/v1/sessions",
        json={"device": "iPhone"},
        headers={**sales["headers"], "User-Agent": "SkyLuxse/1.0"},
    )
    assert created.status_code == 201
    assert created.json()["role"] == "sales"
    other = await make_staff("operations")
    await client.post("/api/v1/sessions", json={}, headers=other["headers"])
    own = (await client.get("/api/v1/sessions", headers=sales["headers"])).json()["items"]
    assert {item["staff_account_id"] for item in own} == {str(sales["id"])}
    everyone = (await client.get("/api/v1/sessions", headers=ceo["headers"])).json()["items"]
    assert {str(sales["id"]), str(other["id"])} <= {i["staff_account_id"] for i in everyone}
