"""Documents: streamed uploads and downloads, MIME and size checks, links, access by role."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from skyluxse_api.app import create_app
from skyluxse_api.documents.fake_supabase_storage import create_fake_supabase_storage
from skyluxse_api.documents.storage import LocalStorage
from skyluxse_api.settings import Settings
from tests.conftest import StaffFactory
from tests.support.http_server import serve_asgi

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def stored_files(tmp_path: Path) -> list[Path]:
    """Everything under the test's storage folder, half-written temp files included."""
    root = tmp_path / "storage"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def document_count(db: AsyncConnection) -> int:
    return int((await db.execute(text("SELECT count(*) FROM documents"))).scalar_one())


async def insert(db: AsyncConnection, sql: str, **params: Any) -> uuid.UUID:
    row_id: uuid.UUID = (await db.execute(text(f"{sql} RETURNING id"), params)).scalar_one()
    return row_id


async def new_client(db: AsyncConnection) -> uuid.UUID:
    return await insert(db, "INSERT INTO clients (name) VALUES ('Layla Haddad')")


async def new_task(db: AsyncConnection, driver_id: uuid.UUID | None = None) -> uuid.UUID:
    return await insert(
        db,
        "INSERT INTO tasks (task_type, title, assignee_driver_id) "
        "VALUES ('delivery', 'Deliver the Cullinan', :driver)",
        driver=driver_id,
    )


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    content: bytes = PDF,
    *,
    filename: str = "mulkiya.pdf",
    content_type: str = "application/pdf",
    **fields: Any,
) -> httpx.Response:
    return await client.post(
        "/api/v1/documents",
        files={"file": (filename, content, content_type)},
        data={name: str(value) for name, value in fields.items()},
        headers=headers,
    )


async def test_pdf_uploads_and_downloads_byte_identical(
    client: httpx.AsyncClient, make_staff: StaffFactory, db: AsyncConnection, tmp_path: Path
) -> None:
    ops = await make_staff("operations")
    client_id = await new_client(db)
    created = await upload(
        client,
        ops["headers"],
        original_name='Паспорт "Layla".pdf',
        scope="client",
        entity_id=client_id,
        doc_type="passport",
        source="Client upload",
        expires_at="2031-05-01",
    )
    assert created.status_code == 201, created.text
    document = created.json()
    checksum = hashlib.sha256(PDF).hexdigest()
    assert document["checksum"] == checksum
    assert document["size_bytes"] == len(PDF)
    assert document["mime_type"] == "application/pdf"
    assert document["status"] == "needs_review"
    assert document["original_name"] == 'Паспорт "Layla".pdf'
    assert created.headers["location"] == f"/api/v1/documents/{document['id']}"
    assert created.headers["etag"]
    [link] = document["links"]
    assert (link["scope"], link["entity_id"], link["doc_type"]) == (
        "client",
        str(client_id),
        "passport",
    )
    [stored] = stored_files(tmp_path)
    year, month, name = stored.relative_to(tmp_path / "storage").parts
    assert (len(year), len(month), name) == (4, 2, document["id"])

    download = await client.get(
        f"/api/v1/documents/{document['id']}/download", headers=ops["headers"]
    )
    assert download.status_code == 200
    assert download.content == PDF
    assert hashlib.sha256(download.content).hexdigest() == checksum
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["etag"] == f'"{checksum}"'
    disposition = download.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="_______ _Layla_.pdf"')
    assert "filename*=UTF-8''%D0%9F%D0%B0%D1%81%D0%BF%D0%BE%D1%80%D1%82%20%22Layla%22.pdf" in (
        disposition
    )

    listed = await client.get(
        "/api/v1/documents",
        params={"scope": "client", "entity_id": str(client_id)},
        headers=ops["headers"],
    )
    assert [item["id"] for item in listed.json()["items"]] == [document["id"]]


async def test_original_name_defaults_to_the_file_name_and_form_is_validated(
    client: httpx.AsyncClient, make_staff: StaffFactory, tmp_path: Path
) -> None:
    ops = await make_staff("operations")
    created = await upload(client, ops["headers"], filename="insurance-2026.pdf")
    assert created.status_code == 201, created.text
    assert created.json()["original_name"] == "insurance-2026.pdf"

    no_file = await client.post(
        "/api/v1/documents", data={"original_name": "x.pdf"}, headers=ops["headers"]
    )
    assert no_file.status_code == 422
    assert no_file.json()["errors"][0]["pointer"] == "/body/file"
    half_link = await upload(client, ops["headers"], scope="client")
    assert half_link.status_code == 422
    unknown = await upload(client, ops["headers"], checksum="forged")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["pointer"] == "/body/checksum"
    empty = await upload(client, ops["headers"], b"")
    assert empty.status_code == 422
    assert len(stored_files(tmp_path)) == 1


async def test_content_not_matching_its_type_or_outside_the_allow_list_is_415(
    client: httpx.AsyncClient, make_staff: StaffFactory, db: AsyncConnection, tmp_path: Path
) -> None:
    ops = await make_staff("operations")
    disguised = await upload(client, ops["headers"], EXE, filename="invoice.pdf")
    assert disguised.status_code == 415
    assert disguised.headers["content-type"] == "application/problem+json"
    zipped = await upload(
        client,
        ops["headers"],
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 64,
        filename="photos.zip",
        content_type="application/zip",
    )
    assert zipped.status_code == 415
    assert "application/zip" in zipped.json()["detail"]
    assert stored_files(tmp_path) == []
    assert await document_count(db) == 0


async def test_too_large_is_413_and_leaves_nothing_behind(
    app: FastAPI,
    client: httpx.AsyncClient,
    make_staff: StaffFactory,
    db: AsyncConnection,
    settings: Settings,
    tmp_path: Path,
) -> None:
    app.state.settings = settings.model_copy(update={"max_upload_bytes": 1024})
    ops = await make_staff("operations")

    # Slightly over: refused while streaming to storage, after the first 1 KB went through.
    over = await upload(client, ops["headers"], PDF[:2000])
    assert over.status_code == 413
    assert over.json()["max_bytes"] == 1024

    # Far over, announced by Content-Length: refused before a byte of the body is read.
    pulled: list[int] = []

    async def body() -> AsyncIterator[bytes]:
        yield (
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
        )
        for _ in range(100):
            pulled.append(64 * 1024)
            yield b"x" * 64 * 1024

    huge = await client.post(
        "/api/v1/documents",
        content=body(),
        headers={
            **ops["headers"],
            "Content-Type": "multipart/form-data; boundary=b",
            "Content-Length": str(100 * 64 * 1024),
        },
    )
    assert huge.status_code == 413
    assert pulled == []

    # Far over without Content-Length (chunked): reading stops at the limit.
    pulled.clear()
    chunked = await client.post(
        "/api/v1/documents",
        content=body(),
        headers={**ops["headers"], "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert chunked.status_code == 413
    assert 0 < sum(pulled) <= 1024 + 64 * 1024 + 64 * 1024

    assert stored_files(tmp_path) == []
    assert await document_count(db) == 0


async def test_link_to_a_missing_entity_is_422_naming_it(
    client: httpx.AsyncClient, make_staff: StaffFactory, db: AsyncConnection, tmp_path: Path
) -> None:
    ops = await make_staff("operations")
    missing = uuid.uuid4()
    refused = await upload(client, ops["headers"], scope="client", entity_id=missing)
    assert refused.status_code == 422
    assert refused.json()["table"] == "clients"
    assert str(missing) in refused.json()["detail"]
    assert stored_files(tmp_path) == []

    document = (await upload(client, ops["headers"])).json()
    link = await client.post(
        f"/api/v1/documents/{document['id']}/links",
        json={"scope": "lead", "entity_id": str(missing)},
        headers=ops["headers"],
    )
    assert link.status_code == 422
    assert link.json()["table"] == "sales_leads"
    vehicle_id = await insert(db, "INSERT INTO vehicles (name) VALUES ('Rolls-Royce Ghost')")
    linked = await client.post(
        f"/api/v1/documents/{document['id']}/links",
        json={"scope": "vehicle", "entity_id": str(vehicle_id), "doc_type": "mulkiya",
              "notes": "Renewed in March", "metadata": {"page": 2}},
        headers=ops["headers"],
    )  # fmt: skip
    assert linked.status_code == 201, linked.text
    assert linked.json()["metadata"] == {"page": 2}
    again = await client.post(
        f"/api/v1/documents/{document['id']}/links",
        json={"scope": "vehicle", "entity_id": str(vehicle_id)},
        headers=ops["headers"],
    )
    assert again.status_code == 409


async def test_sales_file_documents_under_clients_bookings_and_leads_only(
    client: httpx.AsyncClient, make_staff: StaffFactory, db: AsyncConnection, tmp_path: Path
) -> None:
    sales, ops = await make_staff("sales"), await make_staff("operations")
    vehicle_id = await insert(db, "INSERT INTO vehicles (name) VALUES ('Lamborghini Urus')")
    booking_id = await insert(db, "INSERT INTO bookings (external_code) VALUES ('BK-7001')")

    on_vehicle = await upload(client, sales["headers"], scope="vehicle", entity_id=vehicle_id)
    assert on_vehicle.status_code == 403
    assert "permission" not in on_vehicle.json()
    assert stored_files(tmp_path) == []

    created = await upload(client, sales["headers"], scope="booking", entity_id=booking_id)
    assert created.status_code == 201, created.text
    document = created.json()
    path = f"/api/v1/documents/{document['id']}"
    vehicle_link = {"scope": "vehicle", "entity_id": str(vehicle_id)}
    assert (
        await client.post(f"{path}/links", json=vehicle_link, headers=sales["headers"])
    ).status_code == 403
    renamed = await client.patch(path, json={"status": "verified"}, headers=sales["headers"])
    assert renamed.status_code == 200
    assert renamed.json()["status"] == "verified"

    # Once the fleet relies on it too, sales may no longer change or delete it.
    link = await client.post(f"{path}/links", json=vehicle_link, headers=ops["headers"])
    assert link.status_code == 201
    assert (
        await client.patch(path, json={"source": "Kommo"}, headers=sales["headers"])
    ).status_code == 403
    assert (await client.delete(path, headers=sales["headers"])).status_code == 403
    assert (
        await client.delete(f"{path}/links/{link.json()['id']}", headers=sales["headers"])
    ).status_code == 403
    assert (
        await client.delete(f"{path}/links/{link.json()['id']}", headers=ops["headers"])
    ).status_code == 204


async def test_driver_sees_and_files_documents_of_their_own_tasks_only(
    client: httpx.AsyncClient, make_staff: StaffFactory, db: AsyncConnection
) -> None:
    ops = await make_staff("operations")
    driver, other = await make_staff("driver"), await make_staff("driver")
    own_task = await new_task(db, driver["driver_id"])
    their_task = await new_task(db, other["driver_id"])
    client_id = await new_client(db)

    own = (await upload(client, ops["headers"], scope="task", entity_id=own_task)).json()
    theirs = (await upload(client, ops["headers"], scope="task", entity_id=their_task)).json()
    await client.post(
        f"/api/v1/documents/{own['id']}/links",
        json={"scope": "client", "entity_id": str(client_id)},
        headers=ops["headers"],
    )

    listed = await client.get("/api/v1/documents", headers=driver["headers"])
    assert [item["id"] for item in listed.json()["items"]] == [own["id"]]
    seen = await client.get(f"/api/v1/documents/{own['id']}", headers=driver["headers"])
    assert seen.status_code == 200
    # The client link is outside a driver's view; only their task's link shows.
    assert [link["scope"] for link in seen.json()["links"]] == ["task"]
    download = await client.get(
        f"/api/v1/documents/{own['id']}/download", headers=driver["headers"]
    )
    assert download.content == PDF
    for path in (f"/api/v1/documents/{theirs['id']}", f"/api/v1/documents/{theirs['id']}/download"):
        assert (await client.get(path, headers=driver["headers"])).status_code == 404

    photo = await upload(
        client,
        driver["headers"],
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 100,
        filename="odometer.jpg",
        content_type="image/jpeg",
        scope="task",
        entity_id=own_task,
    )
    assert photo.status_code == 201, photo.text
    assert photo.json()["status"] == "needs_review"
    assert photo.json()["mime_type"] == "image/jpeg"
    on_theirs = await upload(client, driver["headers"], scope="task", entity_id=their_task)
    assert on_theirs.status_code == 404
    on_client = await upload(client, driver["headers"], scope="client", entity_id=client_id)
    assert on_client.status_code == 403
    unlinked = await upload(client, driver["headers"])
    assert unlinked.status_code == 403
    self_verified = await upload(
        client, driver["headers"], scope="task", entity_id=own_task, status="verified"
    )
    assert self_verified.status_code == 403
    change = await client.patch(
        f"/api/v1/documents/{own['id']}", json={"source": "x"}, headers=driver["headers"]
    )
    assert change.status_code == 403


class CommitFails(AsyncSession):
    async def commit(self) -> None:
        raise RuntimeError("the database went away at commit")


def failing_commits(app: FastAPI, db: AsyncConnection) -> None:
    app.state.sessionmaker = async_sessionmaker(
        bind=db,
        class_=CommitFails,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
    )


async def test_delete_removes_the_row_then_the_file(
    app: FastAPI,
    client: httpx.AsyncClient,
    make_staff: StaffFactory,
    db: AsyncConnection,
    tmp_path: Path,
) -> None:
    ops = await make_staff("operations")
    created = await upload(client, ops["headers"])
    document_id = created.json()["id"]
    [stored] = stored_files(tmp_path)
    rows_when_file_removed: list[int] = []

    class WatchedStorage(LocalStorage):
        async def delete(self, key: str) -> None:
            rows_when_file_removed.append(await document_count(db))
            await super().delete(key)

    app.state.storage = WatchedStorage(tmp_path / "storage")
    path = f"/api/v1/documents/{document_id}"
    await client.patch(path, json={"source": "Kommo"}, headers=ops["headers"])
    stale = await client.delete(
        path, headers={**ops["headers"], "If-Match": created.headers["etag"]}
    )
    assert stale.status_code == 412
    assert stored.exists()

    deleted = await client.delete(path, headers=ops["headers"])
    assert deleted.status_code == 204
    assert rows_when_file_removed == [0]
    assert not stored.exists()
    assert (await client.get(path, headers=ops["headers"])).status_code == 404


async def test_failed_commit_keeps_files_consistent_with_rows(
    app: FastAPI, make_staff: StaffFactory, db: AsyncConnection, tmp_path: Path
) -> None:
    ops = await make_staff("operations")
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        kept = (await upload(client, ops["headers"])).json()
        [kept_file] = stored_files(tmp_path)

        failing_commits(app, db)
        # Upload: the file was stored, then the commit failed: the file must not stay behind.
        assert (await upload(client, ops["headers"])).status_code == 500
        assert stored_files(tmp_path) == [kept_file]
        # Delete: the commit failed, so the row stays, and so must its file.
        assert (
            await client.delete(f"/api/v1/documents/{kept['id']}", headers=ops["headers"])
        ).status_code == 500
        assert stored_files(tmp_path) == [kept_file]
    assert await document_count(db) == 1


async def test_status_expired_is_derived_from_expires_at(
    client: httpx.AsyncClient, make_staff: StaffFactory, db: AsyncConnection
) -> None:
    ops = await make_staff("operations")
    # Expiry is judged by the business's date (Dubai), not the server's or UTC's.
    dubai_today = "(now() AT TIME ZONE 'Asia/Dubai')::date"
    today = (await db.execute(text(f"SELECT {dubai_today}"))).scalar_one()
    ids = {}
    for label, status, days in (
        ("lapsed", "verified", -1),
        ("last-day", "verified", 0),
        ("renewable", "expired", -30),
    ):
        ids[label] = str(
            await insert(
                db,
                "INSERT INTO documents (original_name, status, expires_at) "
                f"VALUES (:name, :status, {dubai_today} + CAST(:days AS integer))",
                name=f"{label}.pdf",
                status=status,
                days=days,
            )
        )

    async def status_of(label: str) -> str:
        response = await client.get(f"/api/v1/documents/{ids[label]}", headers=ops["headers"])
        return str(response.json()["status"])

    assert await status_of("lapsed") == "expired"
    assert await status_of("last-day") == "verified"

    async def listed(**params: str) -> set[str]:
        response = await client.get("/api/v1/documents", params=params, headers=ops["headers"])
        return {item["original_name"] for item in response.json()["items"]}

    assert await listed(status="expired") == {"lapsed.pdf", "renewable.pdf"}
    assert await listed(status="verified") == {"last-day.pdf"}
    assert await listed(expiring_before=today.isoformat()) == {"lapsed.pdf", "renewable.pdf"}
    assert await listed(q="last") == {"last-day.pdf"}

    # A stored `expired` whose date moves forward goes back to review.
    renewed = await client.patch(
        f"/api/v1/documents/{ids['renewable']}",
        json={"expires_at": "2035-01-01"},
        headers=ops["headers"],
    )
    assert renewed.status_code == 200
    assert renewed.json()["status"] == "needs_review"
    # The date wins over a stored `verified`.
    verified = await client.patch(
        f"/api/v1/documents/{ids['lapsed']}", json={"status": "verified"}, headers=ops["headers"]
    )
    assert verified.json()["status"] == "expired"
    imported = await client.get(
        f"/api/v1/documents/{ids['lapsed']}/download", headers=ops["headers"]
    )
    assert imported.status_code == 404


async def test_supabase_storage_backend_end_to_end(
    settings: Settings, db: AsyncConnection, make_staff: StaffFactory
) -> None:
    service_key = "test-service-role-key"
    fake = create_fake_supabase_storage(service_key)
    bucket = fake.state.buckets["documents"]
    with serve_asgi(fake) as url:
        app = create_app(
            settings.model_copy(
                update={
                    "storage_backend": "supabase",
                    "supabase_url": url,
                    "supabase_service_key": service_key,
                }
            )
        )
        app.state.engine = db.engine
        app.state.sessionmaker = async_sessionmaker(
            bind=db,
            expire_on_commit=False,
            autoflush=False,
            join_transaction_mode="create_savepoint",
        )
        ops = await make_staff("operations")
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                created = await upload(client, ops["headers"])
                assert created.status_code == 201, created.text
                document_id = created.json()["id"]
                [key] = bucket
                assert key.endswith(document_id)
                assert bucket[key].data == PDF
                assert bucket[key].content_type == "application/pdf"

                download = await client.get(
                    f"/api/v1/documents/{document_id}/download", headers=ops["headers"]
                )
                assert download.content == PDF

                deleted = await client.delete(
                    f"/api/v1/documents/{document_id}", headers=ops["headers"]
                )
                assert deleted.status_code == 204
                assert bucket == {}
        finally:
            await app.state.storage.aclose()
