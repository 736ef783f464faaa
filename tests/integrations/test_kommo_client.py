"""KommoClient against the fake Kommo served over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from skyluxse_api.integrations.errors import PermanentError, RetryableError
from skyluxse_api.integrations.fakes import (
    KOMMO_ACCESS_TOKEN,
    FakeKommoState,
    FakeZohoState,
    create_fake_kommo,
    create_fake_zoho,
    fake_env,
)
from skyluxse_api.integrations.kommo import (
    KommoClient,
    KommoContact,
    SlidingWindowLimiter,
    shared_limiter,
)
from skyluxse_api.integrations.zoho import ZohoClient, ZohoContact
from skyluxse_api.settings import Settings
from tests.support.http_server import free_port, serve_asgi


def kommo_settings(base_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "kommo_base_url": base_url,
        "kommo_access_token": KOMMO_ACCESS_TOKEN,
        "kommo_timeout_seconds": 5.0,
        **overrides,
    }
    return Settings(_env_file=None, **values)


@pytest.fixture
def state() -> FakeKommoState:
    return FakeKommoState()


@pytest.fixture
def kommo_url(state: FakeKommoState) -> Iterator[str]:
    # Every fake gets a fresh port, so the process-wide limiter starts empty for each test.
    with serve_asgi(create_fake_kommo(state)) as url:
        yield url


@pytest.fixture
async def client(kommo_url: str) -> AsyncIterator[KommoClient]:
    async with KommoClient(kommo_settings(kommo_url)) as kommo:
        yield kommo


AISHA = KommoContact(name="Aisha Al Mansouri", phone="+971501234567", email="aisha@example.ae")


async def test_create_sends_name_and_work_phone_and_email(
    client: KommoClient, state: FakeKommoState
) -> None:
    contact_id = await client.upsert_contact(AISHA)

    stored = state.contacts[int(contact_id)]
    assert stored["name"] == "Aisha Al Mansouri"
    assert stored["custom_fields_values"] == [
        {"field_code": "PHONE", "values": [{"value": "+971501234567", "enum_code": "WORK"}]},
        {"field_code": "EMAIL", "values": [{"value": "aisha@example.ae", "enum_code": "WORK"}]},
    ]
    assert state.calls == {"contacts.create": 1}


async def test_known_contact_is_patched_in_place(
    client: KommoClient, state: FakeKommoState
) -> None:
    contact_id = await client.upsert_contact(AISHA)

    again = await client.upsert_contact(
        KommoContact(name="Aisha M.", phone="+971500000000", kommo_contact_id=contact_id)
    )

    assert again == contact_id
    assert state.calls == {"contacts.create": 1, "contacts.update": 1}
    stored = state.contacts[int(contact_id)]
    assert stored["name"] == "Aisha M."
    assert stored["custom_fields_values"][0]["values"][0]["value"] == "+971500000000"


async def test_contact_deleted_in_kommo_is_created_again(
    client: KommoClient, state: FakeKommoState
) -> None:
    old_id = await client.upsert_contact(AISHA)
    state.delete_contact(int(old_id))

    new_id = await client.upsert_contact(
        KommoContact(name=AISHA.name, phone=AISHA.phone, kommo_contact_id=old_id)
    )

    assert new_id != old_id
    assert list(state.contacts) == [int(new_id)]
    assert state.calls == {"contacts.create": 2, "contacts.update": 1}


async def test_invalid_stored_id_is_permanent(client: KommoClient, state: FakeKommoState) -> None:
    with pytest.raises(PermanentError, match="invalid Kommo contact id"):
        await client.upsert_contact(KommoContact(name="X", kommo_contact_id="../leads"))
    assert not state.calls


async def test_validation_errors_are_permanent(client: KommoClient) -> None:
    with pytest.raises(PermanentError) as caught:
        await client.upsert_contact(KommoContact(name="", phone="+971500000001"))

    assert "HTTP 400" in caught.value.detail
    assert "[0] name: This value should not be blank. (NotBlank)" in caught.value.detail


async def test_rate_limit_is_retryable_with_retry_after(
    client: KommoClient, state: FakeKommoState
) -> None:
    state.fail_next(status=429, retry_after=3)

    with pytest.raises(RetryableError) as caught:
        await client.upsert_contact(AISHA)

    assert caught.value.retry_after == 3.0


async def test_server_error_is_retryable(client: KommoClient, state: FakeKommoState) -> None:
    state.fail_next(status=502)

    with pytest.raises(RetryableError, match="502"):
        await client.upsert_contact(AISHA)


@pytest.mark.parametrize("status", [401, 403])
async def test_refused_access_is_permanent(
    client: KommoClient, state: FakeKommoState, status: int
) -> None:
    state.fail_next(status=status)

    with pytest.raises(PermanentError, match=str(status)):
        await client.upsert_contact(AISHA)


async def test_wrong_token_is_permanent(kommo_url: str) -> None:
    async with KommoClient(kommo_settings(kommo_url, kommo_access_token="stale")) as client:
        with pytest.raises(PermanentError, match="401"):
            await client.upsert_contact(AISHA)


async def test_slow_answer_times_out_as_retryable(kommo_url: str, state: FakeKommoState) -> None:
    state.delay = 0.5
    async with KommoClient(kommo_settings(kommo_url, kommo_timeout_seconds=0.1)) as client:
        with pytest.raises(RetryableError, match="unreachable"):
            await client.upsert_contact(AISHA)


async def test_connection_refused_is_retryable() -> None:
    async with KommoClient(kommo_settings(f"http://127.0.0.1:{free_port()}")) as client:
        with pytest.raises(RetryableError, match="unreachable"):
            await client.upsert_contact(AISHA)


def test_unconfigured_client_is_refused() -> None:
    settings = Settings(_env_file=None, kommo_subdomain=None, kommo_base_url=None)
    with pytest.raises(ValueError, match="not configured"):
        KommoClient(settings)


# --- rate limit -----------------------------------------------------------------------------


async def test_concurrent_calls_stay_under_kommo_rate_limit(
    kommo_url: str, state: FakeKommoState
) -> None:
    # Two clients of the same account share the process-wide limiter.
    async with (
        KommoClient(kommo_settings(kommo_url)) as first,
        KommoClient(kommo_settings(kommo_url)) as second,
    ):
        ids = await asyncio.gather(
            *(
                (first if n % 2 else second).upsert_contact(KommoContact(name=f"Guest {n}"))
                for n in range(20)
            )
        )

    assert len(set(ids)) == 20
    assert state.throttled == 0
    assert state.max_requests_in_window() <= 7


async def test_fake_throttles_a_client_without_limiter(
    kommo_url: str, state: FakeKommoState
) -> None:
    # Control for the test above: the fake does notice bursts over 7 per second.
    unlimited = SlidingWindowLimiter(1000, 1.0)
    async with KommoClient(kommo_settings(kommo_url), limiter=unlimited) as client:
        results = await asyncio.gather(
            *(client.upsert_contact(KommoContact(name=f"Guest {n}")) for n in range(12)),
            return_exceptions=True,
        )

    assert state.throttled > 0
    assert any(isinstance(r, RetryableError) for r in results)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_sliding_window_spaces_bursts() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(2, 1.0, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(5):
        await limiter.acquire()
        starts.append(clock.now)

    assert starts == [0.0, 0.0, 1.0, 1.0, 2.0]


async def test_sliding_window_holds_across_concurrent_tasks() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(3, 1.0, clock=clock, sleep=clock.sleep)
    starts: list[float] = []

    async def call() -> None:
        await limiter.acquire()
        starts.append(clock.now)

    await asyncio.gather(*(call() for _ in range(7)))

    assert sorted(starts) == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0]


def test_shared_limiter_is_one_per_account() -> None:
    first = shared_limiter("https://alpha.kommo.com/api/v4/", 7)
    assert shared_limiter("https://alpha.kommo.com/api/v4/", 7) is first
    assert shared_limiter("https://beta.kommo.com/api/v4/", 7) is not first
    assert first.max_calls == 7
    assert first.period == pytest.approx(1.1)  # Kommo's second plus the jitter margin

    slow = shared_limiter("https://gamma.kommo.com/api/v4/", 0.5)
    assert (slow.max_calls, slow.period) == (1, pytest.approx(2.1))


# --- the `fake-crm` settings ------------------------------------------------------------


async def test_printed_fake_env_points_both_clients_at_the_fakes() -> None:
    zoho_state, kommo_state = FakeZohoState(), FakeKommoState()
    with (
        serve_asgi(create_fake_zoho(zoho_state)) as zoho_url,
        serve_asgi(create_fake_kommo(kommo_state)) as kommo_url,
    ):
        env = fake_env(zoho_url, kommo_url)
        settings = Settings(_env_file=None, **{k.lower(): v for k, v in env.items()})
        async with ZohoClient(settings) as zoho, KommoClient(settings) as kommo:
            zoho_id = await zoho.upsert_contact(ZohoContact(name="Omar Haddad", email="o@x.ae"))
            kommo_id = await kommo.upsert_contact(KommoContact(name="Omar Haddad"))

    assert zoho_id in zoho_state.contacts
    assert int(kommo_id) in kommo_state.contacts
