"""Document storage: the same behaviour over local disk and over (a fake of) Supabase Storage."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import anyio
import httpx
import pytest
from starlette.applications import Starlette

from skyluxse_api.documents.fake_supabase_storage import StoredObject, create_fake_supabase_storage
from skyluxse_api.documents.storage import (
    CHUNK_SIZE,
    EmptyUpload,
    LocalStorage,
    MimeNotAllowed,
    Storage,
    StorageError,
    StoredFileMissing,
    SupabaseStorage,
    UploadTooLarge,
    build_storage,
    check_mime,
    sniff_mime,
    store_upload,
)
from skyluxse_api.settings import Settings
from tests.support.http_server import free_port, serve_asgi

SERVICE_KEY = "test-service-role-key"
BUCKET = "documents"
KEY = "2026/11/0b7e7a52-3f0e-4c1e-9a57-1d1f7f3b8a10"
ALLOWED = Settings(_env_file=None).allowed_upload_types


@dataclass
class Backend:
    storage: Storage
    stored: Callable[[], list[str]]  # everything physically present, temp files included


@dataclass
class FakeSupabase:
    app: Starlette
    url: str

    @property
    def objects(self) -> dict[str, StoredObject]:
        bucket: dict[str, StoredObject] = self.app.state.buckets[BUCKET]
        return bucket


@pytest.fixture(scope="module")
def fake_supabase() -> Iterator[FakeSupabase]:
    app = create_fake_supabase_storage(SERVICE_KEY)
    with serve_asgi(app) as url:
        yield FakeSupabase(app, url)


@pytest.fixture(params=["local", "supabase"])
async def backend(
    request: pytest.FixtureRequest, tmp_path: Path, fake_supabase: FakeSupabase
) -> AsyncIterator[Backend]:
    if request.param == "local":
        root = tmp_path / "storage"
        storage: Storage = LocalStorage(root)

        def stored() -> list[str]:
            return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

    else:
        fake_supabase.objects.clear()
        storage = SupabaseStorage(fake_supabase.url, SERVICE_KEY, BUCKET)

        def stored() -> list[str]:
            return sorted(fake_supabase.objects)

    yield Backend(storage, stored)
    await storage.aclose()


async def chunked(data: bytes, size: int, pulled: list[int] | None = None) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        if pulled is not None:
            pulled.append(start)
        yield data[start : start + size]


async def read_all(storage: Storage, key: str) -> list[bytes]:
    return [chunk async for chunk in storage.open(key)]


async def test_multi_chunk_round_trip_reports_size_and_checksum(backend: Backend) -> None:
    payload = os.urandom(1024 * 1024)

    # An odd chunk size, so the reading side cannot simply mirror the writing side.
    stored = await store_upload(
        backend.storage, KEY, chunked(payload, 100_000), "application/pdf", 2 * 1024 * 1024
    )

    assert stored.key == KEY
    assert stored.size_bytes == len(payload)
    assert stored.sha256 == hashlib.sha256(payload).hexdigest()
    chunks = await read_all(backend.storage, KEY)
    assert b"".join(chunks) == payload
    assert len(chunks) > 1
    assert max(len(chunk) for chunk in chunks) <= CHUNK_SIZE
    assert backend.stored() == [KEY]


async def test_saving_the_same_key_again_replaces_the_object(backend: Backend) -> None:
    await backend.storage.save(KEY, chunked(b"first version", 4), "text/plain")
    await backend.storage.save(KEY, chunked(b"second", 4), "text/plain")

    assert b"".join(await read_all(backend.storage, KEY)) == b"second"
    assert backend.stored() == [KEY]


async def test_too_large_upload_stops_early_and_leaves_nothing(backend: Backend) -> None:
    limit = 4 * CHUNK_SIZE
    pulled: list[int] = []

    with pytest.raises(UploadTooLarge) as caught:
        await store_upload(
            backend.storage,
            KEY,
            chunked(os.urandom(16 * CHUNK_SIZE), CHUNK_SIZE, pulled),
            "video/mp4",
            limit,
        )

    assert caught.value.max_bytes == limit
    assert len(pulled) == 5  # the chunk that crossed the limit was the last one read
    assert backend.stored() == []
    with pytest.raises(StoredFileMissing):
        await read_all(backend.storage, KEY)


async def test_upload_exactly_at_the_limit_is_accepted(backend: Backend) -> None:
    stored = await store_upload(
        backend.storage, KEY, chunked(b"x" * 1000, 300), "text/plain", max_bytes=1000
    )

    assert stored.size_bytes == 1000


async def test_empty_upload_is_refused_before_anything_is_written(backend: Backend) -> None:
    async def nothing() -> AsyncIterator[bytes]:
        yield b""

    with pytest.raises(EmptyUpload):
        await store_upload(backend.storage, KEY, nothing(), "text/plain", 1024)

    assert backend.stored() == []


async def test_failing_source_leaves_nothing_stored(backend: Backend) -> None:
    async def breaks_midway() -> AsyncIterator[bytes]:
        yield b"a" * CHUNK_SIZE
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await backend.storage.save(KEY, breaks_midway(), "text/plain")

    assert backend.stored() == []


async def test_cancelled_save_leaves_nothing_stored(backend: Backend) -> None:
    async def stalls_after_one_chunk() -> AsyncIterator[bytes]:
        yield b"a" * CHUNK_SIZE
        await anyio.sleep_forever()
        yield b"never"

    # A request handler cancelled mid-upload, as when the client disconnects.
    with anyio.move_on_after(0.1):
        await backend.storage.save(KEY, stalls_after_one_chunk(), "text/plain")

    assert backend.stored() == []


async def test_delete_is_idempotent(backend: Backend) -> None:
    await backend.storage.save(KEY, chunked(b"hello", 2), "text/plain")

    await backend.storage.delete(KEY)
    await backend.storage.delete(KEY)

    assert backend.stored() == []
    with pytest.raises(StoredFileMissing):
        await read_all(backend.storage, KEY)


async def test_missing_file_raises_stored_file_missing(backend: Backend) -> None:
    with pytest.raises(StoredFileMissing) as caught:
        await read_all(backend.storage, "2026/11/never-stored")

    assert caught.value.key == "2026/11/never-stored"


@pytest.mark.parametrize(
    "key",
    ["../outside", "2026/../../outside", "/etc/passwd", "a\x00b", "", "a//b", "a/./b", "a\\b"],
)
async def test_keys_that_could_escape_are_refused(backend: Backend, key: str) -> None:
    with pytest.raises(ValueError):
        await backend.storage.save(key, chunked(b"data", 2), "text/plain")
    with pytest.raises(ValueError):
        backend.storage.open(key)
    with pytest.raises(ValueError):
        await backend.storage.delete(key)
    assert backend.stored() == []


async def test_aborted_supabase_upload_is_deleted(fake_supabase: FakeSupabase) -> None:
    sent: list[tuple[str, str]] = []

    async def record(request: httpx.Request) -> None:
        sent.append((request.method, request.url.path))

    async with httpx.AsyncClient(event_hooks={"request": [record]}) as http:
        storage = SupabaseStorage(fake_supabase.url, SERVICE_KEY, BUCKET, http=http)
        with pytest.raises(UploadTooLarge):
            await store_upload(
                storage, KEY, chunked(b"z" * 10_000, 1000), "text/plain", max_bytes=5000
            )

    # The partial body may have reached Supabase; the follow-up DELETE makes sure it is gone.
    assert sent == [
        ("POST", f"/storage/v1/object/{BUCKET}/{KEY}"),
        ("DELETE", f"/storage/v1/object/{BUCKET}"),
    ]
    assert KEY not in fake_supabase.objects


async def test_wrong_service_key_is_a_storage_error(fake_supabase: FakeSupabase) -> None:
    storage = SupabaseStorage(fake_supabase.url, "not-the-service-key", BUCKET)
    try:
        with pytest.raises(StorageError, match="Invalid API key") as caught:
            await storage.save(KEY, chunked(b"data", 2), "text/plain")
        assert not isinstance(caught.value, StoredFileMissing)

        with pytest.raises(StorageError) as caught:
            await read_all(storage, KEY)
        assert not isinstance(caught.value, StoredFileMissing)

        with pytest.raises(StorageError):
            await storage.delete(KEY)
    finally:
        await storage.aclose()
    assert fake_supabase.objects.get(KEY) is None


async def test_missing_bucket_is_not_reported_as_a_missing_file(
    fake_supabase: FakeSupabase,
) -> None:
    storage = SupabaseStorage(fake_supabase.url, SERVICE_KEY, "no-such-bucket")
    try:
        with pytest.raises(StorageError, match="Bucket not found") as caught:
            await read_all(storage, KEY)
    finally:
        await storage.aclose()

    assert not isinstance(caught.value, StoredFileMissing)


async def test_wrong_supabase_url_is_not_reported_as_a_missing_file(
    fake_supabase: FakeSupabase,
) -> None:
    storage = SupabaseStorage(f"{fake_supabase.url}/not-supabase", SERVICE_KEY, BUCKET)
    try:
        with pytest.raises(StorageError, match="HTTP 404") as caught:
            await read_all(storage, KEY)
    finally:
        await storage.aclose()

    assert not isinstance(caught.value, StoredFileMissing)


async def test_unreachable_supabase_is_a_storage_error() -> None:
    storage = SupabaseStorage(f"http://127.0.0.1:{free_port()}", SERVICE_KEY, BUCKET)
    try:
        with pytest.raises(StorageError, match="unreachable"):
            await storage.save(KEY, chunked(b"data", 2), "text/plain")
        with pytest.raises(StorageError, match="unreachable"):
            await read_all(storage, KEY)
        with pytest.raises(StorageError, match="unreachable"):
            await storage.delete(KEY)
    finally:
        await storage.aclose()


async def test_fake_refuses_an_existing_object_without_upsert_like_supabase(
    fake_supabase: FakeSupabase,
) -> None:
    url = f"{fake_supabase.url}/storage/v1/object/{BUCKET}/duplicate.txt"
    headers = {"Authorization": f"Bearer {SERVICE_KEY}", "apikey": SERVICE_KEY}
    async with httpx.AsyncClient(headers=headers) as http:
        first = await http.post(url, content=b"one", headers={"Content-Type": "text/plain"})
        second = await http.post(url, content=b"two", headers={"Content-Type": "text/plain"})

    assert first.status_code == 200
    assert first.json()["Key"] == f"{BUCKET}/duplicate.txt"
    assert second.status_code == 400
    assert second.json() == {
        "statusCode": "409",
        "code": "KeyAlreadyExists",
        "error": "Duplicate",
        "message": "The resource already exists",
    }
    assert fake_supabase.objects["duplicate.txt"].data == b"one"


async def test_build_storage_picks_the_backend(tmp_path: Path) -> None:
    local = build_storage(Settings(_env_file=None, data_dir=tmp_path))
    assert isinstance(local, LocalStorage)

    with pytest.raises(ValueError, match="SUPABASE_URL"):
        build_storage(Settings(_env_file=None, storage_backend="supabase"))

    remote = build_storage(
        Settings(
            _env_file=None,
            storage_backend="supabase",
            supabase_url="https://example.supabase.co",
            supabase_service_key=SERVICE_KEY,
        )
    )
    assert isinstance(remote, SupabaseStorage)
    await remote.aclose()


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PDF, "application/pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
        (PNG, "image/png"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "image/heic"),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00", "image/heic"),
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "video/mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "video/quicktime"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00", None),
        ("Договор аренды\n".encode(), "text/plain"),
        ("é".encode()[:1], "text/plain"),  # a character cut by the chunk boundary
        (b"text\x00with NUL", None),
        (b"\xc3\x28 invalid utf-8", None),
        (EXE, None),
        (b"", None),
    ],
)
def test_sniff_mime(head: bytes, expected: str | None) -> None:
    assert sniff_mime(head) == expected


def test_pdf_declared_as_pdf_is_accepted() -> None:
    assert check_mime("application/pdf", PDF, ALLOWED) == "application/pdf"


def test_executable_declared_as_pdf_is_refused() -> None:
    with pytest.raises(MimeNotAllowed, match="not of an accepted type"):
        check_mime("application/pdf", EXE, ALLOWED)


def test_type_outside_the_allow_list_is_refused() -> None:
    with pytest.raises(MimeNotAllowed, match="application/zip"):
        check_mime("application/zip", b"PK\x03\x04\x14\x00\x00\x00", ALLOWED)


def test_content_contradicting_the_declared_type_is_refused() -> None:
    with pytest.raises(MimeNotAllowed, match="declared as 'image/jpeg'"):
        check_mime("image/jpeg", PNG, ALLOWED)


def test_generic_declaration_defers_to_the_content_and_the_allow_list() -> None:
    assert check_mime("application/octet-stream", PNG, ALLOWED) == "image/png"
    with pytest.raises(MimeNotAllowed, match="image/png"):
        check_mime("application/octet-stream", PNG, ["application/pdf"])


def test_declared_type_parameters_and_case_are_ignored() -> None:
    assert check_mime("Text/Plain; charset=utf-8", b"plate A 12345", ALLOWED) == "text/plain"
    assert check_mime("image/jpg", b"\xff\xd8\xff\xdb", ALLOWED) == "image/jpeg"
