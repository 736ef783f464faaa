"""Knowledge base: full-text search, ranking, categories, and who may write."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.conftest import StaffFactory

ARTICLES = "/api/v1/knowledge-base/articles"


async def write(
    client: httpx.AsyncClient, headers: dict[str, str], **article: Any
) -> dict[str, Any]:
    response = await client.post(ARTICLES, json=article, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def titles(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[str]:
    response = await client.get(ARTICLES, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


async def test_search_finds_body_words_and_ranks_title_matches_first(
    client: httpx.AsyncClient, make_staff: StaffFactory, db: AsyncConnection
) -> None:
    ops = await make_staff("operations")
    # The title match is the older one: newest-first would put it last if rank were ignored.
    for title, body, age in (
        ("Airport handovers", "Meet the client at arrivals with the mulkiya and a phone.", 2),
        ("Fuel policy", "Cars come back with a full tank, also from the airport lot.", 1),
        ("Damage photos", None, 0),
    ):
        await db.execute(
            text(
                "INSERT INTO knowledge_base_articles (title, body, created_at, updated_at) "
                "VALUES (:title, :body, now() - make_interval(days => :age), "
                "now() - make_interval(days => :age))"
            ),
            {"title": title, "body": body, "age": age},
        )

    assert await titles(client, ops["headers"], q="mulkiya") == ["Airport handovers"]
    assert await titles(client, ops["headers"], q="airport") == [
        "Airport handovers",
        "Fuel policy",
    ]
    assert await titles(client, ops["headers"], q="airport -tank") == ["Airport handovers"]
    assert await titles(client, ops["headers"], q='"full tank"') == ["Fuel policy"]
    assert await titles(client, ops["headers"], q="helicopter") == []

    # Ranked results are one page; a cursor makes no sense there, `sort` pages matches.
    ranked = await client.get(ARTICLES, params={"q": "airport", "limit": 1}, headers=ops["headers"])
    assert ranked.json()["next_cursor"] is None
    assert len(ranked.json()["items"]) == 1
    paged = await client.get(
        ARTICLES, params={"q": "airport", "sort": "title", "limit": 1}, headers=ops["headers"]
    )
    assert [item["title"] for item in paged.json()["items"]] == ["Airport handovers"]
    cursor = paged.json()["next_cursor"]
    assert cursor
    rest = await client.get(
        ARTICLES,
        params={"q": "airport", "sort": "title", "limit": 1, "cursor": cursor},
        headers=ops["headers"],
    )
    assert [item["title"] for item in rest.json()["items"]] == ["Fuel policy"]
    refused = await client.get(
        ARTICLES, params={"q": "airport", "cursor": cursor}, headers=ops["headers"]
    )
    assert refused.status_code == 422


async def test_category_filter_and_category_counts(
    client: httpx.AsyncClient, make_staff: StaffFactory
) -> None:
    ceo = await make_staff("ceo")
    for title, category in (
        ("VIP greetings", "Concierge"),
        ("Late returns", "Returns"),
        ("Key boxes", "Returns"),
        ("Scratch", None),
    ):
        await write(client, ceo["headers"], title=title, category=category)

    assert await titles(client, ceo["headers"], category="Returns") == ["Key boxes", "Late returns"]
    assert await titles(client, ceo["headers"], category="Returns", sort="-title") == [
        "Late returns",
        "Key boxes",
    ]
    categories = await client.get("/api/v1/knowledge-base/categories", headers=ceo["headers"])
    assert categories.json() == {
        "items": [
            {"category": "Concierge", "articles": 1},
            {"category": "Returns", "articles": 2},
        ]
    }


async def test_everyone_reads_only_ceo_and_operations_write(
    client: httpx.AsyncClient, make_staff: StaffFactory
) -> None:
    ops, driver, sales = (
        await make_staff("operations"),
        await make_staff("driver"),
        await make_staff("sales"),
    )
    article = await write(client, ops["headers"], title="Child seats", category="Deliveries")
    assert article["owner_id"] == str(ops["id"])
    path = f"{ARTICLES}/{article['id']}"

    for reader in (driver, sales):
        assert (await client.get(path, headers=reader["headers"])).status_code == 200
        assert await titles(client, reader["headers"]) == ["Child seats"]
        refused = await client.post(ARTICLES, json={"title": "Mine"}, headers=reader["headers"])
        assert refused.status_code == 403
        assert (
            await client.patch(path, json={"title": "Hijacked"}, headers=reader["headers"])
        ).status_code == 403
        assert (await client.delete(path, headers=reader["headers"])).status_code == 403


async def test_update_delete_404_and_validation(
    client: httpx.AsyncClient, make_staff: StaffFactory
) -> None:
    ops, ceo = await make_staff("operations"), await make_staff("ceo")
    created = await client.post(
        ARTICLES, json={"title": "Salik tolls", "owner_id": str(ceo["id"])}, headers=ops["headers"]
    )
    assert created.json()["owner_id"] == str(ceo["id"])
    path = f"{ARTICLES}/{created.json()['id']}"

    changed = await client.patch(
        path,
        json={"body": "Tolls are charged to the client's deposit."},
        headers={**ops["headers"], "If-Match": created.headers["etag"]},
    )
    assert changed.status_code == 200
    assert (await titles(client, ops["headers"], q="deposit")) == ["Salik tolls"]
    stale = await client.patch(
        path, json={"title": "Old"}, headers={**ops["headers"], "If-Match": created.headers["etag"]}
    )
    assert stale.status_code == 412

    for bad in (
        {"title": ""},
        {"title": "x", "search_vector": "forged"},
        {"title": "x", "owner_id": str(uuid.uuid4())},
        {"category": "No title"},
    ):
        response = await client.post(ARTICLES, json=bad, headers=ops["headers"])
        assert response.status_code == 422, bad
        assert response.headers["content-type"] == "application/problem+json"

    assert (await client.delete(path, headers=ops["headers"])).status_code == 204
    for method in ("GET", "PATCH", "DELETE"):
        response = await client.request(
            method, path, json={} if method == "PATCH" else None, headers=ops["headers"]
        )
        assert response.status_code == 404, method
