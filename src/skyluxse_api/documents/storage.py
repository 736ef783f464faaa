"""Where document bytes live: a small interface with a local-disk and a Supabase Storage backend.

Keys are relative, slash-separated paths such as `2026/11/<uuid>`; the database keeps the key
(`documents.storage_path`) with the size, checksum and MIME type, so the backends store bytes only.
Uploads stream through `store_upload`, which counts and hashes on the fly and stops at the size
limit; nothing is ever held whole in memory.
"""

from __future__ import annotations

import asyncio
import codecs
import hashlib
import logging
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from io import BufferedWriter
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import anyio
import httpx

from skyluxse_api.settings import Settings

logger = logging.getLogger(__name__)

CHUNK_SIZE = 64 * 1024

# Per-operation limits (connect, each read/write, pool wait), not a cap on the whole transfer:
# a large upload over a slow link keeps going as long as bytes keep moving.
_HTTP_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# Removing an aborted upload must not hang the request that is already failing.
_CLEANUP_SECONDS = 10.0


class StorageError(Exception):
    """The storage backend failed or refused the operation."""


class StoredFileMissing(StorageError):
    def __init__(self, key: str) -> None:
        super().__init__(f"no stored file under key {key!r}")
        self.key = key


class UploadRejected(Exception):
    """The upload itself is unacceptable (the client's fault, not the storage's)."""


class UploadTooLarge(UploadRejected):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"upload exceeds the limit of {max_bytes} bytes")
        self.max_bytes = max_bytes


class EmptyUpload(UploadRejected):
    def __init__(self) -> None:
        super().__init__("upload is empty")


class MimeNotAllowed(UploadRejected):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Storage(Protocol):
    async def save(self, key: str, chunks: AsyncIterator[bytes], content_type: str) -> None:
        """Store the streamed bytes under `key`, replacing any earlier object.

        If it raises (including when `chunks` raises), nothing it wrote stays under `key`. The
        Supabase backend then also removes an earlier object under that key, so give every
        upload a fresh key.
        """
        ...

    def open(self, key: str) -> AsyncIterator[bytes]:
        """Stream the bytes under `key`.

        A malformed key raises ValueError at once; a missing object raises StoredFileMissing
        from the first iteration, so callers that answer over HTTP should pull the first chunk
        before they send a status line.
        """
        ...

    async def delete(self, key: str) -> None:
        """Remove the object under `key`; a missing object is not an error."""
        ...

    async def aclose(self) -> None: ...


def _check_key(key: str) -> str:
    """Refuse keys that could escape the storage root (or the bucket, once in a URL)."""
    if not key or "\x00" in key or "\\" in key:
        raise ValueError(f"invalid storage key {key!r}")
    if key.startswith("/"):
        raise ValueError(f"storage key must be relative: {key!r}")
    # Empty and dot segments: `..` climbs out, and httpx would also collapse `.`/`..` in URLs.
    if any(part in ("", ".", "..") for part in key.split("/")):
        raise ValueError(f"storage key has an empty, '.' or '..' segment: {key!r}")
    return key


class LocalStorage:
    """Files under `root`; for development, tests and single-host deployments."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def _path(self, key: str) -> Path:
        return self._root.joinpath(*_check_key(key).split("/"))

    async def save(self, key: str, chunks: AsyncIterator[bytes], content_type: str) -> None:
        # content_type is not kept: the documents table records the MIME type.
        target = self._path(key)
        handle, temp_path = await asyncio.to_thread(_open_temp_beside, target)
        try:
            async for chunk in chunks:
                await asyncio.to_thread(handle.write, chunk)
            await asyncio.to_thread(_commit, handle, temp_path, target)
        except BaseException:
            # Synchronous on purpose: this also runs on cancellation, where another await could
            # be cancelled before the half-written file is gone.
            handle.close()
            temp_path.unlink(missing_ok=True)
            raise

    def open(self, key: str) -> AsyncIterator[bytes]:
        return self._read(self._path(key), key)

    async def _read(self, path: Path, key: str) -> AsyncIterator[bytes]:
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise StoredFileMissing(key) from None
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK_SIZE):
                yield chunk
        finally:
            handle.close()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    async def aclose(self) -> None:
        return None


def _open_temp_beside(target: Path) -> tuple[BufferedWriter, Path]:
    """A temp file in the target's directory, so the final rename stays on one filesystem."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    return os.fdopen(fd, "wb"), Path(name)


def _commit(handle: BufferedWriter, temp_path: Path, target: Path) -> None:
    handle.flush()
    # Without fsync a crash right after the rename can leave an empty file under the real name.
    os.fsync(handle.fileno())
    handle.close()
    os.replace(temp_path, target)


class SupabaseStorage:
    """Objects in one Supabase Storage bucket, reached with the service key over REST."""

    def __init__(
        self,
        base_url: str,
        service_key: str,
        bucket: str,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._objects_url = f"{base_url.rstrip('/')}/storage/v1/object"
        self._bucket = quote(bucket, safe="")
        self._auth = {"Authorization": f"Bearer {service_key}", "apikey": service_key}
        self._owns_http = http is None
        self._http = http if http is not None else httpx.AsyncClient(timeout=_HTTP_TIMEOUT)

    def _object_url(self, key: str, *, prefix: str = "") -> str:
        return f"{self._objects_url}/{prefix}{self._bucket}/{quote(_check_key(key), safe='/')}"

    async def save(self, key: str, chunks: AsyncIterator[bytes], content_type: str) -> None:
        url = self._object_url(key)
        # x-upsert so a retried save of the same key replaces the object, as the local backend
        # does; without it Supabase answers "Duplicate".
        headers = {**self._auth, "Content-Type": content_type, "x-upsert": "true"}
        source_failed = False

        async def body() -> AsyncIterator[bytes]:
            # Remembers whose fault a failure is: the source's errors (UploadTooLarge, or an
            # httpx error of a source that is itself a download) must reach the caller as-is.
            nonlocal source_failed
            try:
                async for chunk in chunks:
                    yield chunk
            except BaseException:
                source_failed = True
                raise

        try:
            response = await self._http.post(url, content=body(), headers=headers)
        except BaseException as exc:
            # The body stopped midway (limit passed, client gone, network error) or the answer
            # was lost after Supabase committed: remove whatever may have landed under the key.
            with anyio.move_on_after(_CLEANUP_SECONDS, shield=True):
                await self._delete_quietly(key)
            if isinstance(exc, httpx.HTTPError) and not source_failed:
                raise StorageError(f"Supabase Storage unreachable saving {key!r}: {exc!r}") from exc
            raise
        if not response.is_success:
            raise _supabase_error(response, key)

    def open(self, key: str) -> AsyncIterator[bytes]:
        # The /authenticated/ route: the plain /object/{bucket}/... GET is deprecated upstream.
        return self._download(self._object_url(key, prefix="authenticated/"), key)

    async def _download(self, url: str, key: str) -> AsyncIterator[bytes]:
        try:
            async with self._http.stream("GET", url, headers=self._auth) as response:
                if not response.is_success:
                    await response.aread()
                    raise _supabase_error(response, key)
                async for chunk in response.aiter_bytes(CHUNK_SIZE):
                    yield chunk
        except httpx.HTTPError as exc:
            raise StorageError(f"Supabase Storage unreachable reading {key!r}: {exc!r}") from exc

    async def delete(self, key: str) -> None:
        # Despite the name, Supabase matches "prefixes" against whole object names, and answers
        # 200 with the list of removed objects (empty when nothing matched).
        prefixes = [_check_key(key)]
        try:
            response = await self._http.request(
                "DELETE",
                f"{self._objects_url}/{self._bucket}",
                json={"prefixes": prefixes},
                headers=self._auth,
            )
        except httpx.HTTPError as exc:
            raise StorageError(f"Supabase Storage unreachable deleting {key!r}: {exc!r}") from exc
        if not response.is_success:
            raise _supabase_error(response, key)

    async def _delete_quietly(self, key: str) -> None:
        try:
            await self.delete(key)
        except Exception:
            logger.warning("could not remove aborted upload %r from Supabase", key, exc_info=True)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()


def _supabase_error(response: httpx.Response, key: str) -> StorageError:
    """Read Supabase's error body `{"statusCode": "404", "error": ..., "message": ...}`.

    Storage reports most failures with HTTP 400 and puts the meaningful status, as a string, in
    the body's `statusCode`; a missing object is `"error": "not_found"` (newer versions add
    `"code": "NoSuchKey"`). Other 404s are not taken for a missing file: "Bucket not found" or a
    bare 404 from a wrong SUPABASE_URL are configuration faults. The API gateway answers bad
    API keys with its own `{"message": ...}` and 401.
    """
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {}
    error, code = body.get("error"), body.get("code")
    if error == "not_found" or code == "NoSuchKey":
        return StoredFileMissing(key)
    status = body.get("statusCode", response.status_code)
    # Bounded: a proxy in front may answer with a whole HTML page.
    message = body.get("message") or response.text[:200] or response.reason_phrase
    return StorageError(
        f"Supabase Storage refused {response.request.method} {key!r}: "
        f"HTTP {response.status_code}, {status} {error or code or ''}: {message}"
    )


def build_storage(settings: Settings) -> Storage:
    if settings.storage_backend == "local":
        return LocalStorage(settings.storage_dir)
    if not settings.supabase_url or not settings.supabase_service_key:
        raise ValueError("STORAGE_BACKEND=supabase needs SUPABASE_URL and SUPABASE_SERVICE_KEY")
    return SupabaseStorage(
        settings.supabase_url, settings.supabase_service_key, settings.storage_bucket
    )


@dataclass(frozen=True)
class StoredUpload:
    key: str
    size_bytes: int
    sha256: str


async def store_upload(
    storage: Storage,
    key: str,
    chunks: AsyncIterator[bytes],
    content_type: str,
    max_bytes: int,
) -> StoredUpload:
    """Stream `chunks` into `storage`, measuring and hashing them on the way through.

    Raises EmptyUpload before anything is written, and UploadTooLarge as soon as the running
    total passes `max_bytes`; either way nothing stays stored under `key`.
    """
    first = b""
    async for chunk in chunks:
        if chunk:
            first = chunk
            break
    if not first:
        raise EmptyUpload()

    digest = hashlib.sha256()
    size = 0

    async def measured() -> AsyncIterator[bytes]:
        nonlocal size
        async for chunk in _prepend(first, chunks):
            if not chunk:
                continue
            size += len(chunk)
            if size > max_bytes:
                raise UploadTooLarge(max_bytes)
            digest.update(chunk)
            yield chunk

    await storage.save(key, measured(), content_type)
    return StoredUpload(key=key, size_bytes=size, sha256=digest.hexdigest())


async def _prepend(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    async for chunk in rest:
        yield chunk


# ISO base media files (MP4, QuickTime, HEIF) start with an `ftyp` box naming a major brand.
_HEIC_BRANDS = {b"heic", b"heix", b"mif1"}
_MP4_BRANDS = {b"isom", b"iso2", b"mp41", b"mp42", b"avc1"}
_QUICKTIME_BRAND = b"qt  "

# Types a client may send when it does not know better; the content then decides.
_GENERIC_TYPES = {"", "application/octet-stream"}
_TYPE_ALIASES = {"image/jpg": "image/jpeg"}


def sniff_mime(first_chunk: bytes) -> str | None:
    """The allow-list type the leading bytes of a file prove, or None."""
    head = first_chunk
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIC_BRANDS:
            return "image/heic"
        if brand in _MP4_BRANDS:
            return "video/mp4"
        if brand == _QUICKTIME_BRAND:
            return "video/quicktime"
        return None
    if head and b"\x00" not in head and _is_utf8_prefix(head):
        return "text/plain"
    return None


def _is_utf8_prefix(data: bytes) -> bool:
    # final=False: the chunk may end in the middle of a multi-byte character.
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def check_mime(declared: str, first_chunk: bytes, allowed: list[str]) -> str:
    """The type to record for an upload, or MimeNotAllowed.

    The declared type (parameters such as `charset` dropped) must be allowed and agree with what
    the bytes look like; a generic declaration (`application/octet-stream` or none) defers to
    the bytes. `first_chunk` should hold at least the first 16 bytes of the file.
    """
    declared_type = declared.split(";", 1)[0].strip().lower()
    declared_type = _TYPE_ALIASES.get(declared_type, declared_type)
    if declared_type not in _GENERIC_TYPES and declared_type not in allowed:
        raise MimeNotAllowed(f"file type {declared_type!r} is not accepted")
    sniffed = sniff_mime(first_chunk)
    if sniffed is None:
        raise MimeNotAllowed("file content is not of an accepted type")
    if declared_type not in _GENERIC_TYPES and sniffed != declared_type:
        raise MimeNotAllowed(f"file declared as {declared_type!r} but its content is {sniffed!r}")
    if sniffed not in allowed:
        raise MimeNotAllowed(f"file type {sniffed!r} is not accepted")
    return sniffed
