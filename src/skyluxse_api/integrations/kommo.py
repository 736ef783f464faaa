"""Kommo (amoCRM) API v4 client for contacts, with the client-side rate limit Kommo demands.

Kommo allows 7 requests per second per account and answers 429 above that (repeated abuse
gets the IP blocked), so every request of the process waits on one limiter per account.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import httpx

from skyluxse_api.integrations.errors import PermanentError, RetryableError, parse_retry_after
from skyluxse_api.integrations.kommo_oauth import KommoTokenStore
from skyluxse_api.settings import Settings

logger = logging.getLogger(__name__)

# The client's window is this much longer than Kommo's one second: requests reach Kommo with
# jitter, and two sent exactly one second apart can land inside the same window at Kommo.
_JITTER_MARGIN_SECONDS = 0.1


class SlidingWindowLimiter:
    """At most `max_calls` starts within any `period` seconds, across tasks and event loops.

    The check-and-record step never awaits and holds a thread lock, so it is atomic for
    concurrent tasks of one loop and for clients used from several threads.
    """

    def __init__(
        self,
        max_calls: int,
        period: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if max_calls < 1 or period <= 0:
            raise ValueError("a limiter needs max_calls >= 1 and period > 0")
        self.max_calls = max_calls
        self.period = period
        self._clock = clock
        self._sleep = sleep
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()

    async def acquire(self) -> None:
        while True:
            with self._lock:
                now = self._clock()
                while self._starts and self._starts[0] <= now - self.period:
                    self._starts.popleft()
                if len(self._starts) < self.max_calls:
                    self._starts.append(now)
                    return
                wait = self._starts[0] + self.period - now
            await self._sleep(wait)


_shared_limiters: dict[str, SlidingWindowLimiter] = {}
_shared_limiters_lock = threading.Lock()


def shared_limiter(account_key: str, per_second: float) -> SlidingWindowLimiter:
    """The process-wide limiter of one Kommo account (keyed by its API base URL)."""
    if per_second <= 0:
        raise ValueError("kommo_rate_limit_per_second must be positive")
    with _shared_limiters_lock:
        limiter = _shared_limiters.get(account_key)
        if limiter is None:
            # A fractional rate such as 0.5/s becomes "1 call per 2 s".
            max_calls = max(1, math.floor(per_second))
            period = max_calls / per_second + _JITTER_MARGIN_SECONDS
            limiter = _shared_limiters[account_key] = SlidingWindowLimiter(max_calls, period)
        return limiter


@dataclass(frozen=True)
class KommoContact:
    name: str
    phone: str | None = None
    email: str | None = None
    kommo_contact_id: str | None = None  # known id -> PATCH, else create


def _contact_body(contact: KommoContact) -> dict[str, Any]:
    fields = [
        {"field_code": code, "values": [{"value": value, "enum_code": "WORK"}]}
        for code, value in (("PHONE", contact.phone), ("EMAIL", contact.email))
        if value
    ]
    body: dict[str, Any] = {"name": contact.name}
    if fields:
        body["custom_fields_values"] = fields
    return body


def _validation_text(payload: dict[str, Any]) -> str | None:
    """Flatten Kommo's `validation-errors` into `[request_id] path: detail (code); ...`."""
    groups = payload.get("validation-errors")
    if not isinstance(groups, list):
        return None
    parts = []
    for group in groups:
        if not isinstance(group, dict):
            continue
        for error in group.get("errors") or []:
            if isinstance(error, dict):
                parts.append(
                    f"[{group.get('request_id', '?')}] {error.get('path', '?')}: "
                    f"{error.get('detail', '?')} ({error.get('code', '?')})"
                )
    return "; ".join(parts) or None


class KommoClient:
    """Kommo API calls with the long-lived token, or OAuth tokens from a `KommoTokenStore`.

    The long-lived token wins when both are configured.
    """

    def __init__(
        self,
        settings: Settings,
        http: httpx.AsyncClient | None = None,
        limiter: SlidingWindowLimiter | None = None,
        tokens: KommoTokenStore | None = None,
    ) -> None:
        base = settings.kommo_api_base
        if not base or not (settings.kommo_access_token or tokens):
            raise ValueError(
                "Kommo is not configured: set KOMMO_SUBDOMAIN and KOMMO_ACCESS_TOKEN "
                "(or the KOMMO_CLIENT_ID/SECRET/REDIRECT_URI/REFRESH_TOKEN of an OAuth integration)"
            )
        self._base = base
        self._long_lived_token = settings.kommo_access_token
        self._tokens = None if settings.kommo_access_token else tokens
        self._timeout = settings.kommo_timeout_seconds
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient()
        self._limiter = limiter or shared_limiter(base, settings.kommo_rate_limit_per_second)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def upsert_contact(self, contact: KommoContact) -> str:
        """Update the known Kommo contact or create one; returns the Kommo contact id."""
        body = _contact_body(contact)
        if contact.kommo_contact_id:
            contact_id = contact.kommo_contact_id.strip()
            if not contact_id.isascii() or not contact_id.isdigit():
                raise PermanentError(f"invalid Kommo contact id {contact.kommo_contact_id!r}")
            response = await self._request("PATCH", f"contacts/{contact_id}", body)
            if response.status_code != 404:
                return self._contact_id(response)
            # Deleted in Kommo since we stored its id: create it again rather than fail forever.
            logger.info("Kommo contact %s is gone; creating a new one", contact_id)
        return self._contact_id(await self._request("POST", "contacts", [body]))

    async def _request(self, method: str, path: str, body: object) -> httpx.Response:
        """Send with the current token; an OAuth token Kommo refuses is refreshed once."""
        if self._tokens is None:
            assert self._long_lived_token is not None
            return await self._send(method, path, body, self._long_lived_token)
        token = await self._tokens.get()
        response = await self._send(method, path, body, token)
        if response.status_code == 401:
            logger.info("Kommo refused the OAuth access token; refreshing it")
            response = await self._send(method, path, body, await self._tokens.refresh(token))
        return response

    async def _send(self, method: str, path: str, body: object, token: str) -> httpx.Response:
        await self._limiter.acquire()
        try:
            return await self._http.request(
                method,
                self._base + path,
                json=body,
                headers={"Authorization": f"Bearer {token}"},
                timeout=self._timeout,
            )
        except httpx.TransportError as exc:
            raise RetryableError(f"Kommo unreachable: {exc!r}") from exc

    def _contact_id(self, response: httpx.Response) -> str:
        status = response.status_code
        if status == 429:
            raise RetryableError(
                "Kommo rate limit (HTTP 429)",
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        if status >= 500:
            raise RetryableError(f"Kommo HTTP {status}")
        try:
            payload = response.json()
        except ValueError as exc:
            if status >= 400:
                raise PermanentError(f"Kommo HTTP {status}: {response.text[:200]}") from exc
            raise RetryableError(f"Kommo HTTP {status} with a non-JSON body") from exc
        if not isinstance(payload, dict):
            raise PermanentError(f"Kommo HTTP {status}: unexpected answer {payload!r:.200}")
        if status >= 400:
            detail = _validation_text(payload) or payload.get("detail") or payload.get("title")
            raise PermanentError(f"Kommo HTTP {status}: {detail}")
        # POST answers `_embedded.contacts[]`; PATCH of one contact answers the contact itself.
        embedded = payload.get("_embedded")
        contacts = embedded.get("contacts") if isinstance(embedded, dict) else None
        if isinstance(contacts, list) and contacts and isinstance(contacts[0], dict):
            contact_id = contacts[0].get("id")
        else:
            contact_id = payload.get("id")
        if contact_id is None:
            raise PermanentError(f"Kommo HTTP {status} answer names no contact id")
        return str(contact_id)
