"""`Idempotency-Key` on POST: the first response is replayed for 24 hours.

Same key + same body: the stored status and body come back (`Idempotent-Replayed:
true`). Same key + another body: 422. While the first request still runs: 409.
Keys are per principal and stored in PostgreSQL, so every API process agrees.

The body is hashed as it streams through (uploads are never buffered); a repeat
request's body is read and hashed, never executed. A claim is taken in its own
short transaction before the request runs, so two racing requests cannot both
run. 5xx, 401 and 429 answers are not stored: the client may retry those.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from skyluxse_api.api.problems import problem_response
from skyluxse_api.auth.tokens import TokenError, TokenVerifier
from skyluxse_api.models import IdempotencyKey

TTL = timedelta(hours=24)
# A claim whose request never finished (process killed) is released after this.
STALE_CLAIM = timedelta(minutes=10)
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_NOT_STORED = {401, 429}
_SKIPPED_HEADERS = {b"x-request-id", b"content-length"}


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", ()))
        key_header = headers.get(b"idempotency-key")
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or key_header is None
            or not scope["path"].startswith("/api/")
        ):
            await self.app(scope, receive, send)
            return
        key = key_header.decode("latin-1")
        if not _KEY.match(key):
            await _answer(
                scope, receive, send, 422, "Invalid Idempotency-Key",
                "Idempotency-Key must be 1-255 visible ASCII characters.",
            )  # fmt: skip
            return
        principal_key = await _principal_key(scope, headers)
        if principal_key is None:
            # No valid token: the route answers 401 and nothing is stored.
            await self.app(scope, receive, send)
            return
        sessionmaker: async_sessionmaker[AsyncSession] = scope["app"].state.sessionmaker
        if await _claim(sessionmaker, principal_key, key, scope):
            await _run_first(self.app, sessionmaker, principal_key, key, scope, receive, send)
        else:
            await _replay(sessionmaker, principal_key, key, scope, receive, send)


async def _principal_key(scope: Scope, headers: dict[bytes, bytes]) -> str | None:
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    verifier: TokenVerifier = scope["app"].state.token_verifier
    try:
        verified = await verifier.verify(token.strip())
    except TokenError:
        return None
    return "service" if verified.is_service_role else str(verified.subject)


async def _claim(
    sessionmaker: async_sessionmaker[AsyncSession], principal_key: str, key: str, scope: Scope
) -> bool:
    """Take the key for this request; True when it is ours to run."""
    values = {
        "principal_key": principal_key,
        "key": key,
        "method": scope["method"],
        "path": scope["path"],
        "state": "in_progress",
        "request_hash": None,
        "response_status": None,
        "response_headers": None,
        "response_body": None,
        "expires_at": func.now() + TTL,
    }
    table = IdempotencyKey.__table__
    statement = (
        insert(IdempotencyKey)
        .values(values)
        .on_conflict_do_update(
            index_elements=[IdempotencyKey.principal_key, IdempotencyKey.key],
            set_={**values, "created_at": func.now()},
            # An expired key, or a claim abandoned by a dead process, is free again.
            where=(table.c.expires_at < func.now())
            | ((table.c.state == "in_progress") & (table.c.updated_at < func.now() - STALE_CLAIM)),
        )
        .returning(IdempotencyKey.key)
    )
    async with sessionmaker() as session, session.begin():
        return (await session.execute(statement)).first() is not None


async def _run_first(
    app: ASGIApp,
    sessionmaker: async_sessionmaker[AsyncSession],
    principal_key: str,
    key: str,
    scope: Scope,
    receive: Receive,
    send: Send,
) -> None:
    hasher = _request_hasher(scope)
    body_done = False

    async def hashing_receive() -> Message:
        nonlocal body_done
        message = await receive()
        if message["type"] == "http.request":
            hasher.update(message.get("body", b""))
            body_done = not message.get("more_body", False)
        return message

    status = 500
    response_headers: list[list[str]] = []
    chunks: list[bytes] = []

    async def capturing_send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            response_headers.extend(
                [name.decode("latin-1"), value.decode("latin-1")]
                for name, value in message.get("headers", [])
                if name.lower() not in _SKIPPED_HEADERS
            )
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
        await send(message)

    row = (IdempotencyKey.principal_key == principal_key) & (IdempotencyKey.key == key)
    try:
        await app(scope, hashing_receive, capturing_send)
        if not body_done:
            # The route answered without reading everything (e.g. 403): finish the hash.
            await _consume(hashing_receive)
    except BaseException:
        async with sessionmaker() as session, session.begin():
            await session.execute(delete(IdempotencyKey).where(row))
        raise
    async with sessionmaker() as session, session.begin():
        if status >= 500 or status in _NOT_STORED:
            await session.execute(delete(IdempotencyKey).where(row))
            return
        await session.execute(
            update(IdempotencyKey)
            .where(row)
            .values(
                state="completed",
                request_hash=hasher.hexdigest(),
                response_status=status,
                response_headers=response_headers,
                response_body=b"".join(chunks),
            )
        )


async def _replay(
    sessionmaker: async_sessionmaker[AsyncSession],
    principal_key: str,
    key: str,
    scope: Scope,
    receive: Receive,
    send: Send,
) -> None:
    hasher = _request_hasher(scope)

    async def hashing_receive() -> Message:
        message = await receive()
        if message["type"] == "http.request":
            hasher.update(message.get("body", b""))
        return message

    await _consume(hashing_receive)
    async with sessionmaker() as session:
        stored = (
            await session.execute(
                select(IdempotencyKey).where(
                    IdempotencyKey.principal_key == principal_key, IdempotencyKey.key == key
                )
            )
        ).scalar_one_or_none()
    if stored is None or stored.state != "completed":
        await _answer(
            scope, receive, send, 409, "Request in progress",
            "A request with this Idempotency-Key is still being processed; retry shortly.",
        )  # fmt: skip
        return
    if stored.request_hash != hasher.hexdigest():
        await _answer(
            scope, receive, send, 422, "Idempotency-Key reused",
            "This Idempotency-Key was used with a different request; use a new key.",
        )  # fmt: skip
        return
    headers: list[tuple[bytes, bytes]] = [
        (name.encode("latin-1"), value.encode("latin-1"))
        for name, value in (stored.response_headers or [])
    ]
    headers.append((b"idempotent-replayed", b"true"))
    body = stored.response_body or b""
    headers.append((b"content-length", str(len(body)).encode()))
    await send(
        {"type": "http.response.start", "status": stored.response_status, "headers": headers}
    )
    await send({"type": "http.response.body", "body": body})


def _request_hasher(scope: Scope) -> Any:
    hasher = hashlib.sha256()
    query = scope.get("query_string", b"").decode("latin-1")
    hasher.update(f"{scope['method']} {scope['path']}?{query}\n".encode())
    return hasher


async def _consume(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


async def _answer(
    scope: Scope, receive: Receive, send: Send, status: int, title: str, detail: str
) -> None:
    slug = "idempotency-conflict" if status == 409 else "idempotency-key-invalid"
    await problem_response(status, title, detail, slug=slug)(scope, receive, send)
