"""Kommo OAuth 2.0: rotating refresh tokens kept in PostgreSQL, against the fake Kommo.

The token pair is committed for real (several "processes" must see it), so these tests use
the session `engine` and delete the row before and after each test.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from skyluxse_api.integrations.delivery import CrmDelivery
from skyluxse_api.integrations.errors import PermanentError, RetryableError
from skyluxse_api.integrations.fakes import (
    KOMMO_ACCESS_TOKEN,
    KOMMO_CLIENT_ID,
    KOMMO_CLIENT_SECRET,
    KOMMO_REDIRECT_URI,
    KOMMO_REFRESH_TOKEN,
    FakeKommoState,
    create_fake_kommo,
)
from skyluxse_api.integrations.kommo import KommoClient, KommoContact
from skyluxse_api.integrations.kommo_oauth import PROVIDER, KommoTokenStore
from skyluxse_api.models import IntegrationCredential
from skyluxse_api.settings import Settings
from tests.support.http_server import serve_asgi

AISHA = KommoContact(name="Aisha Al Mansouri", phone="+971501234567")
DAY = timedelta(days=1)


def oauth_settings(base_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "kommo_base_url": base_url,
        "kommo_access_token": None,
        "kommo_client_id": KOMMO_CLIENT_ID,
        "kommo_client_secret": KOMMO_CLIENT_SECRET,
        "kommo_redirect_uri": KOMMO_REDIRECT_URI,
        "kommo_refresh_token": KOMMO_REFRESH_TOKEN,
        "kommo_timeout_seconds": 5.0,
        **overrides,
    }
    return Settings(_env_file=None, **values)


class Clock:
    """Wall clock of one worker process, which a test can move forward."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


class Process:
    """What one worker process holds: its HTTP client, token store and Kommo client."""

    def __init__(self, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.clock = Clock()
        self.http = httpx.AsyncClient()
        self.tokens = KommoTokenStore(settings, sessionmaker, self.http, clock=self.clock)
        self.kommo = KommoClient(settings, self.http, tokens=self.tokens)


@pytest.fixture
def state() -> FakeKommoState:
    return FakeKommoState()


@pytest.fixture
def kommo_url(state: FakeKommoState) -> Iterator[str]:
    with serve_asgi(create_fake_kommo(state)) as url:
        yield url


async def _forget_credentials(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            delete(IntegrationCredential).where(IntegrationCredential.provider == PROVIDER)
        )


@pytest.fixture
async def sessionmaker(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await _forget_credentials(engine)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await _forget_credentials(engine)


@pytest.fixture
async def start_process(
    kommo_url: str, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Any]:
    processes: list[Process] = []

    def start(**overrides: Any) -> Process:
        process = Process(oauth_settings(kommo_url, **overrides), sessionmaker)
        processes.append(process)
        return process

    yield start
    for process in processes:
        await process.http.aclose()


async def stored(engine: AsyncEngine) -> IntegrationCredential | None:
    async with AsyncSession(engine) as session:
        return await session.scalar(
            select(IntegrationCredential).where(IntegrationCredential.provider == PROVIDER)
        )


async def test_first_call_refreshes_with_the_configured_token_and_stores_the_new_pair(
    start_process: Any, state: FakeKommoState, engine: AsyncEngine
) -> None:
    contact_id = await start_process().kommo.upsert_contact(AISHA)

    assert int(contact_id) in state.contacts
    assert state.calls["token"] == 1
    assert state.spent_refresh_tokens == {KOMMO_REFRESH_TOKEN}
    row = await stored(engine)
    assert row is not None
    assert row.refresh_token in state.live_refresh_tokens
    assert row.access_token in state.tokens
    assert row.expires_at is not None
    assert abs(row.expires_at - (datetime.now(UTC) + DAY)) < timedelta(minutes=1)


async def test_later_calls_and_other_processes_reuse_the_access_token(
    start_process: Any, state: FakeKommoState
) -> None:
    first = start_process()
    for n in range(3):
        await first.kommo.upsert_contact(KommoContact(name=f"Guest {n}"))
    await start_process().kommo.upsert_contact(AISHA)

    assert state.calls["token"] == 1
    assert state.calls["contacts.create"] == 4


async def test_expiry_refreshes_once_for_ten_concurrent_calls(
    start_process: Any, state: FakeKommoState, engine: AsyncEngine
) -> None:
    process = start_process()
    await process.kommo.upsert_contact(AISHA)
    first_pair = await stored(engine)
    # Four minutes before expiry: inside the five-minute margin.
    process.clock.offset = DAY - timedelta(minutes=4)

    ids = await asyncio.gather(
        *(process.kommo.upsert_contact(KommoContact(name=f"Guest {n}")) for n in range(10))
    )

    assert len(set(ids)) == 10
    assert state.calls["token"] == 2
    assert state.reused_refresh_tokens == 0
    second_pair = await stored(engine)
    assert first_pair is not None and second_pair is not None
    assert second_pair.refresh_token != first_pair.refresh_token
    assert second_pair.refresh_token in state.live_refresh_tokens


async def test_two_processes_never_spend_the_same_refresh_token(
    start_process: Any, state: FakeKommoState
) -> None:
    one, two = start_process(), start_process()

    async def burst(tag: str) -> None:
        await asyncio.gather(
            *(
                process.kommo.upsert_contact(KommoContact(name=f"{tag} {n}"))
                for n in range(3)
                for process in (one, two)
            )
        )

    await burst("Before")
    one.clock.offset = two.clock.offset = DAY
    await burst("After")

    assert state.calls["token"] == 2
    assert state.reused_refresh_tokens == 0
    assert len(state.contacts) == 12


async def test_refused_access_token_is_refreshed_once_and_the_call_retried(
    start_process: Any, state: FakeKommoState
) -> None:
    process = start_process()
    await process.kommo.upsert_contact(AISHA)
    state.expire_tokens()

    await process.kommo.upsert_contact(KommoContact(name="Omar Haddad"))

    assert state.calls["token"] == 2
    assert state.calls["contacts.create"] == 3  # the first, the refused one, its retry
    assert state.contact_by_name("Omar Haddad") is not None


async def test_second_refusal_after_the_refresh_is_permanent(
    start_process: Any, state: FakeKommoState
) -> None:
    process = start_process()
    await process.kommo.upsert_contact(AISHA)
    state.fail_next(401)
    state.fail_next(401)

    with pytest.raises(PermanentError, match="401"):
        await process.kommo.upsert_contact(KommoContact(name="Omar Haddad"))

    assert state.calls["token"] == 2


async def test_invalid_grant_is_permanent_and_asks_for_re_authorization(
    start_process: Any, state: FakeKommoState, engine: AsyncEngine
) -> None:
    process = start_process(kommo_refresh_token="revoked-long-ago")

    with pytest.raises(PermanentError, match=r"invalid_grant.*re-authorize"):
        await process.kommo.upsert_contact(AISHA)

    assert state.contacts == {}
    assert await stored(engine) is None


async def test_re_authorized_refresh_token_replaces_a_refused_stored_one(
    start_process: Any, state: FakeKommoState, engine: AsyncEngine
) -> None:
    await start_process().kommo.upsert_contact(AISHA)
    # The integration was re-authorized in Kommo: the stored token is dead, a new one issued.
    state.live_refresh_tokens = {"re-authorized"}
    state.expire_tokens()

    process = start_process(kommo_refresh_token="re-authorized")
    await process.kommo.upsert_contact(KommoContact(name="Omar Haddad"))

    row = await stored(engine)
    assert row is not None and row.refresh_token in state.live_refresh_tokens
    assert "re-authorized" in state.spent_refresh_tokens


@pytest.mark.parametrize("status", [429, 503])
async def test_token_endpoint_outage_is_retryable_and_spends_nothing(
    start_process: Any, state: FakeKommoState, status: int
) -> None:
    process = start_process()
    state.fail_next(status, retry_after=7, endpoint="token")

    with pytest.raises(RetryableError, match=str(status)) as caught:
        await process.kommo.upsert_contact(AISHA)
    assert caught.value.retry_after == 7

    await process.kommo.upsert_contact(AISHA)
    assert state.spent_refresh_tokens == {KOMMO_REFRESH_TOKEN}


async def test_wrong_client_secret_is_permanent(start_process: Any, state: FakeKommoState) -> None:
    process = start_process(kommo_client_secret="not-the-secret")

    with pytest.raises(PermanentError, match="invalid_client"):
        await process.kommo.upsert_contact(AISHA)
    assert state.spent_refresh_tokens == set()


async def test_long_lived_token_wins_when_both_are_configured(
    start_process: Any, state: FakeKommoState, engine: AsyncEngine
) -> None:
    process = start_process(kommo_access_token=KOMMO_ACCESS_TOKEN)

    await process.kommo.upsert_contact(AISHA)

    assert state.calls["token"] == 0
    assert await stored(engine) is None


async def test_delivery_uses_oauth_when_no_long_lived_token_is_set(
    kommo_url: str, sessionmaker: async_sessionmaker[AsyncSession], state: FakeKommoState
) -> None:
    delivery = CrmDelivery(oauth_settings(kommo_url), sessionmaker)
    try:
        assert delivery.targets == ["kommo"]
        assert delivery.kommo is not None
        await delivery.kommo.upsert_contact(AISHA)
    finally:
        await delivery.aclose()

    assert state.calls["token"] == 1
