"""Kommo OAuth 2.0 access tokens, refreshed once for all processes of the service.

Kommo rotates the refresh token on every refresh and the old one stops working, so two
workers refreshing at the same time would lose the integration. The live pair is kept in
`integration_credentials`; a refresh happens under a transaction advisory lock, re-reads the
row first (another process may have just refreshed) and stores the new pair in the same
transaction. Within one process an asyncio lock makes concurrent calls wait for one refresh.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from skyluxse_api.integrations.errors import PermanentError, RetryableError, parse_retry_after
from skyluxse_api.models import IntegrationCredential
from skyluxse_api.settings import Settings

logger = logging.getLogger(__name__)

PROVIDER = "kommo"
# A token this close to its expiry is refreshed, so it never runs out in flight.
REFRESH_MARGIN = timedelta(minutes=5)
# Kommo's access tokens last a day; used only if an answer omits `expires_in`.
_DEFAULT_LIFETIME = timedelta(days=1)
_LOCK_NAME = "integration_credentials.kommo"


@dataclass(frozen=True)
class _AccessToken:
    value: str
    expires_at: datetime | None


def _utcnow() -> datetime:
    return datetime.now(UTC)


class KommoTokenStore:
    """Hands out a valid Kommo access token, refreshing the stored pair when it runs out."""

    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        http: httpx.AsyncClient,
        *,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        if not settings.kommo_token_url or not settings.kommo_oauth_configured:
            raise ValueError(
                "Kommo OAuth is not configured: set KOMMO_SUBDOMAIN, KOMMO_CLIENT_ID, "
                "KOMMO_CLIENT_SECRET, KOMMO_REDIRECT_URI and KOMMO_REFRESH_TOKEN"
            )
        self._settings = settings
        self._token_url = settings.kommo_token_url
        self._sessionmaker = sessionmaker
        self._http = http
        self._clock = clock
        self._cached: _AccessToken | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        """A valid access token: the one in hand, the stored one, or a freshly refreshed one."""
        cached = self._cached
        if cached is not None and self._usable(cached.value, cached.expires_at):
            return cached.value
        async with self._lock:
            cached = self._cached
            if cached is not None and self._usable(cached.value, cached.expires_at):
                return cached.value
            async with self._sessionmaker() as session:
                row = await session.get(IntegrationCredential, PROVIDER)
            if row is not None and self._usable(row.access_token, row.expires_at):
                assert row.access_token is not None
                token = _AccessToken(row.access_token, row.expires_at)
            else:
                token = await self._refresh(rejected=None)
            self._cached = token
            return token.value

    async def refresh(self, rejected: str) -> str:
        """A new access token after Kommo refused `rejected` (at most one refresh for it)."""
        async with self._lock:
            cached = self._cached
            if (
                cached is not None
                and cached.value != rejected
                and self._usable(cached.value, cached.expires_at)
            ):
                return cached.value
            token = await self._refresh(rejected=rejected)
            self._cached = token
            return token.value

    def _usable(self, access_token: str | None, expires_at: datetime | None) -> bool:
        if not access_token:
            return False
        return expires_at is None or expires_at - REFRESH_MARGIN > self._clock()

    async def _refresh(self, rejected: str | None) -> _AccessToken:
        async with self._sessionmaker() as session, session.begin():
            await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(_LOCK_NAME))))
            row = await session.get(IntegrationCredential, PROVIDER, populate_existing=True)
            if (
                row is not None
                and row.access_token != rejected
                and self._usable(row.access_token, row.expires_at)
            ):
                assert row.access_token is not None
                # Another process refreshed while this one waited for the lock.
                return _AccessToken(row.access_token, row.expires_at)
            configured = self._settings.kommo_refresh_token or ""
            stored = row.refresh_token if row is not None else None
            try:
                answer = await self._call_token_endpoint(stored or configured)
            except _RefreshTokenRefused as refused:
                # After re-authorizing, the operator puts the new refresh token in the settings.
                if stored is None or stored == configured:
                    raise PermanentError(refused.detail) from refused
                logger.warning("Kommo refused the stored refresh token; trying the configured one")
                try:
                    answer = await self._call_token_endpoint(configured)
                except _RefreshTokenRefused as again:
                    raise PermanentError(again.detail) from again
            access_token, refresh_token, lifetime = answer
            expires_at = self._clock() + lifetime
            if row is None:
                session.add(
                    IntegrationCredential(
                        provider=PROVIDER,
                        access_token=access_token,
                        refresh_token=refresh_token,
                        expires_at=expires_at,
                    )
                )
            else:
                row.access_token = access_token
                row.refresh_token = refresh_token
                row.expires_at = expires_at
        logger.info("refreshed the Kommo access token, valid until %s", expires_at.isoformat())
        return _AccessToken(access_token, expires_at)

    async def _call_token_endpoint(self, refresh_token: str) -> tuple[str, str, timedelta]:
        """(access token, next refresh token, lifetime) for one spend of `refresh_token`."""
        settings = self._settings
        body = {
            "client_id": settings.kommo_client_id,
            "client_secret": settings.kommo_client_secret,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "redirect_uri": settings.kommo_redirect_uri,
        }
        try:
            response = await self._http.post(
                self._token_url, json=body, timeout=settings.kommo_timeout_seconds
            )
        except httpx.TransportError as exc:
            raise RetryableError(f"Kommo token endpoint unreachable: {exc!r}") from exc
        status = response.status_code
        if status == 429 or status >= 500:
            raise RetryableError(
                f"Kommo token endpoint HTTP {status}",
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        payload = _json_object(response)
        if status >= 400:
            raise _RefreshTokenRefused(
                f"Kommo refused the OAuth refresh (HTTP {status}: {_refusal_text(payload)}); "
                "re-authorize the integration in Kommo and set the new KOMMO_REFRESH_TOKEN"
            )
        access_token = payload.get("access_token") if payload else None
        next_refresh = payload.get("refresh_token") if payload else None
        if not isinstance(access_token, str) or not isinstance(next_refresh, str):
            raise RetryableError(f"Kommo token answer HTTP {status} lacks the token pair")
        expires_in = payload.get("expires_in") if payload else None
        lifetime = (
            timedelta(seconds=expires_in)
            if isinstance(expires_in, int | float) and expires_in > 0
            else _DEFAULT_LIFETIME
        )
        return access_token, next_refresh, lifetime


class _RefreshTokenRefused(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        payload = response.json()
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def _refusal_text(payload: dict[str, Any] | None) -> str:
    if not payload:
        return "no details"
    parts = [
        str(payload[key])
        for key in ("error", "detail", "hint", "error_description")
        if payload.get(key)
    ]
    return "; ".join(parts) or "no details"
