"""ZohoClient against the fake Zoho served over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from skyluxse_api.integrations.errors import PermanentError, RetryableError, parse_retry_after
from skyluxse_api.integrations.fakes import (
    ZOHO_CLIENT_ID,
    ZOHO_CLIENT_SECRET,
    ZOHO_REFRESH_TOKEN,
    FakeZohoState,
    create_fake_zoho,
)
from skyluxse_api.integrations.zoho import (
    ZohoClient,
    ZohoContact,
    ZohoOrderLine,
    ZohoSalesOrder,
    split_name,
)
from skyluxse_api.settings import Settings
from tests.support.http_server import free_port, serve_asgi

TTL = 3600.0


class Clock:
    """A monotonic clock the test moves by hand; shared by the client and the fake."""

    def __init__(self) -> None:
        self.now = 10_000.0

    def __call__(self) -> float:
        return self.now


def zoho_settings(accounts_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "zoho_accounts_url": accounts_url,
        "zoho_client_id": ZOHO_CLIENT_ID,
        "zoho_client_secret": ZOHO_CLIENT_SECRET,
        "zoho_refresh_token": ZOHO_REFRESH_TOKEN,
        "zoho_timeout_seconds": 5.0,
        **overrides,
    }
    return Settings(_env_file=None, **values)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def state(clock: Clock) -> FakeZohoState:
    return FakeZohoState(token_ttl=TTL, clock=clock)


@pytest.fixture
def zoho_url(state: FakeZohoState) -> Iterator[str]:
    with serve_asgi(create_fake_zoho(state)) as url:
        yield url


@pytest.fixture
async def client(zoho_url: str, clock: Clock) -> AsyncIterator[ZohoClient]:
    async with ZohoClient(zoho_settings(zoho_url), clock=clock) as zoho:
        yield zoho


AISHA = ZohoContact(
    name="Aisha Al Mansouri", email="aisha@example.ae", phone="+971501234567", country="UAE"
)


# --- tokens ---------------------------------------------------------------------------------


async def test_token_is_minted_once_and_reused(client: ZohoClient, state: FakeZohoState) -> None:
    await client.upsert_contact(AISHA)
    await client.upsert_contact(ZohoContact(name="Omar Haddad", email="omar@example.ae"))

    assert state.calls["token"] == 1
    assert state.calls["contacts.upsert"] == 2
    assert state.rejected_tokens == 0


async def test_concurrent_calls_share_one_refresh(client: ZohoClient, state: FakeZohoState) -> None:
    contacts = [ZohoContact(name=f"Guest {n}", email=f"guest{n}@example.ae") for n in range(10)]
    ids = await asyncio.gather(*(client.upsert_contact(c) for c in contacts))

    assert len(set(ids)) == 10
    assert state.calls["token"] == 1


async def test_token_is_refreshed_shortly_before_expiry(
    client: ZohoClient, state: FakeZohoState, clock: Clock
) -> None:
    await client.upsert_contact(AISHA)
    clock.now += TTL - 400  # still well inside the lifetime: reuse
    await client.upsert_contact(AISHA)
    assert state.calls["token"] == 1

    clock.now += 150  # under 5 minutes left: refresh before Zoho would refuse it
    await client.upsert_contact(AISHA)

    assert state.calls["token"] == 2
    assert state.rejected_tokens == 0


async def test_expired_token_gets_one_refresh_and_one_retry(
    client: ZohoClient, state: FakeZohoState
) -> None:
    first = await client.upsert_contact(AISHA)
    state.expire_tokens()

    assert await client.upsert_contact(AISHA) == first
    assert state.rejected_tokens == 1
    assert state.calls["token"] == 2
    assert state.calls["contacts.upsert"] == 3


async def test_scripted_invalid_token_is_retried_after_refresh(
    client: ZohoClient, state: FakeZohoState
) -> None:
    state.fail_next(status=401, code="INVALID_TOKEN")

    await client.upsert_contact(AISHA)

    assert state.calls["token"] == 2
    assert state.calls["contacts.upsert"] == 2
    assert len(state.failures) == 0


async def test_second_401_is_permanent(client: ZohoClient, state: FakeZohoState) -> None:
    state.fail_next(status=401, code="INVALID_TOKEN")
    state.fail_next(status=401, code="INVALID_TOKEN")

    with pytest.raises(PermanentError, match="INVALID_TOKEN"):
        await client.upsert_contact(AISHA)
    assert state.calls["token"] == 2
    assert state.calls["contacts.upsert"] == 2


async def test_scope_mismatch_is_permanent_without_refresh(
    client: ZohoClient, state: FakeZohoState
) -> None:
    state.fail_next(status=401, code="OAUTH_SCOPE_MISMATCH")

    with pytest.raises(PermanentError, match="OAUTH_SCOPE_MISMATCH"):
        await client.upsert_contact(AISHA)
    assert state.calls["token"] == 1


async def test_calls_go_to_the_api_domain_the_token_names(state: FakeZohoState) -> None:
    with (
        serve_asgi(create_fake_zoho(state)) as accounts_url,
        serve_asgi(create_fake_zoho(state)) as api_url,
    ):
        state.api_domain = api_url
        async with ZohoClient(zoho_settings(accounts_url)) as client:
            await client.upsert_contact(AISHA)

    assert state.api_hosts == [api_url]
    assert accounts_url != api_url


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"zoho_client_secret": "wrong"}, "invalid_client"),
        ({"zoho_refresh_token": "revoked"}, "invalid_code"),
    ],
)
async def test_refused_credentials_are_permanent(
    zoho_url: str, state: FakeZohoState, overrides: dict[str, str], error: str
) -> None:
    async with ZohoClient(zoho_settings(zoho_url, **overrides)) as client:
        with pytest.raises(PermanentError, match=error):
            await client.upsert_contact(AISHA)
    assert state.calls["contacts.upsert"] == 0


async def test_token_endpoint_outage_is_retryable(client: ZohoClient, state: FakeZohoState) -> None:
    state.fail_next(status=503, endpoint="token")

    with pytest.raises(RetryableError, match="503"):
        await client.upsert_contact(AISHA)
    # The failed refresh left nothing cached: the next call mints and succeeds.
    await client.upsert_contact(AISHA)
    assert state.calls["token"] == 2


async def test_token_minting_throttle_is_retryable(
    client: ZohoClient, state: FakeZohoState
) -> None:
    state.fail_next(
        status=400,
        code="Access Denied",
        message="You have made too many requests continuously. Please try again after some time.",
        endpoint="token",
    )

    with pytest.raises(RetryableError, match="too many requests"):
        await client.upsert_contact(AISHA)


def test_unconfigured_client_is_refused() -> None:
    with pytest.raises(ValueError, match="not configured"):
        ZohoClient(Settings(_env_file=None, zoho_client_id=None))


# --- contacts -------------------------------------------------------------------------------


async def test_contact_insert_then_update_keeps_the_id(
    client: ZohoClient, state: FakeZohoState
) -> None:
    created = await client.upsert_contact(AISHA)
    updated = await client.upsert_contact(
        ZohoContact(name="Aisha Al Mansouri", email="AISHA@example.ae", phone="+971509999999")
    )

    assert updated == created
    assert list(state.contacts) == [created]
    stored = state.contacts[created]
    assert stored["First_Name"] == "Aisha Al"
    assert stored["Last_Name"] == "Mansouri"
    assert stored["Phone"] == "+971509999999"
    assert stored["Mailing_Country"] == "UAE"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Aisha Al Mansouri", ("Aisha Al", "Mansouri")),
        ("Madonna", (None, "Madonna")),
        ("  Omar   Haddad ", ("Omar", "Haddad")),
        ("", (None, "")),
    ],
)
def test_split_name(name: str, expected: tuple[str | None, str]) -> None:
    assert split_name(name) == expected


async def test_single_word_name_becomes_last_name(client: ZohoClient, state: FakeZohoState) -> None:
    record_id = await client.upsert_contact(ZohoContact(name="Madonna", email="m@example.com"))

    assert state.contacts[record_id]["Last_Name"] == "Madonna"
    assert "First_Name" not in state.contacts[record_id]


async def test_blank_name_is_mandatory_not_found(client: ZohoClient) -> None:
    with pytest.raises(PermanentError) as caught:
        await client.upsert_contact(ZohoContact(name="  ", email="nobody@example.com"))

    assert "MANDATORY_NOT_FOUND" in caught.value.detail
    assert "Last_Name" in caught.value.detail


@pytest.mark.parametrize(
    ("code", "api_name"),
    [("INVALID_DATA", "Email"), ("MANDATORY_NOT_FOUND", "Last_Name"), ("DUPLICATE_DATA", "Email")],
)
async def test_per_record_errors_are_permanent(
    client: ZohoClient, state: FakeZohoState, code: str, api_name: str
) -> None:
    state.fail_next(status=400, code=code, api_name=api_name)

    with pytest.raises(PermanentError) as caught:
        await client.upsert_contact(AISHA)

    assert code in caught.value.detail
    assert api_name in caught.value.detail


async def test_rate_limit_is_retryable_with_retry_after(
    client: ZohoClient, state: FakeZohoState
) -> None:
    state.fail_next(status=429, retry_after=2)

    with pytest.raises(RetryableError) as caught:
        await client.upsert_contact(AISHA)

    assert caught.value.retry_after == 2.0


async def test_server_error_is_retryable(client: ZohoClient, state: FakeZohoState) -> None:
    state.fail_next(status=500)

    with pytest.raises(RetryableError) as caught:
        await client.upsert_contact(AISHA)

    assert "INTERNAL_ERROR" in caught.value.detail
    assert caught.value.retry_after is None


async def test_no_permission_is_permanent(client: ZohoClient, state: FakeZohoState) -> None:
    state.fail_next(status=403, code="NO_PERMISSION")

    with pytest.raises(PermanentError, match="NO_PERMISSION"):
        await client.upsert_contact(AISHA)


async def test_slow_answer_times_out_as_retryable(zoho_url: str, state: FakeZohoState) -> None:
    state.delay = 0.5
    async with ZohoClient(zoho_settings(zoho_url, zoho_timeout_seconds=0.1)) as client:
        with pytest.raises(RetryableError, match="unreachable"):
            await client.upsert_contact(AISHA)


async def test_connection_refused_is_retryable() -> None:
    settings = zoho_settings(f"http://127.0.0.1:{free_port()}")
    async with ZohoClient(settings) as client:
        with pytest.raises(RetryableError, match="unreachable"):
            await client.upsert_contact(AISHA)


# --- sales orders ---------------------------------------------------------------------------


async def test_sales_order_is_created_with_items(client: ZohoClient, state: FakeZohoState) -> None:
    contact_id = await client.upsert_contact(AISHA)
    order = ZohoSalesOrder(
        subject="Booking SKY-1042: Rolls-Royce Cullinan",
        contact_id=contact_id,
        lines=(
            ZohoOrderLine(label="Rental 3 days", amount=Decimal("4500.005"), product_id="111"),
            ZohoOrderLine(label="Delivery", amount=Decimal("250"), quantity=2, product_id="222"),
        ),
        currency="AED",
    )

    order_id = await client.create_sales_order(order)

    stored = state.sales_orders[order_id]
    assert stored["Subject"] == order.subject
    assert stored["Contact_Name"] == {"id": contact_id}
    assert stored["Currency"] == "AED"
    assert stored["Ordered_Items"] == [
        {
            "Product_Name": {"id": "111"},
            "Quantity": 1,
            "List_Price": 4500.01,
            "Description": "Rental 3 days",
        },
        {
            "Product_Name": {"id": "222"},
            "Quantity": 2,
            "List_Price": 250.0,
            "Description": "Delivery",
        },
    ]
    assert stored["Grand_Total"] == Decimal("5000.01")


async def test_api_version_2_sends_product_details(zoho_url: str, state: FakeZohoState) -> None:
    async with ZohoClient(zoho_settings(zoho_url, zoho_api_version=2)) as client:
        contact_id = await client.upsert_contact(AISHA)
        order_id = await client.create_sales_order(
            ZohoSalesOrder(
                subject="Booking SKY-7",
                contact_id=contact_id,
                lines=(ZohoOrderLine(label="Rental", amount=Decimal("100"), product_id="9"),),
            )
        )

    stored = state.sales_orders[order_id]
    assert "Ordered_Items" not in stored
    assert stored["Product_Details"] == [
        {
            "product": {"id": "9"},
            "quantity": 1,
            "list_price": 100.0,
            "product_description": "Rental",
        }
    ]


async def test_line_without_product_uses_the_default_product(
    zoho_url: str, state: FakeZohoState
) -> None:
    async with ZohoClient(zoho_settings(zoho_url), default_product_id="777") as client:
        contact_id = await client.upsert_contact(AISHA)
        order_id = await client.create_sales_order(
            ZohoSalesOrder("Booking SKY-8", contact_id, (ZohoOrderLine("Deposit", Decimal("1")),))
        )

    assert state.sales_orders[order_id]["Ordered_Items"][0]["Product_Name"] == {"id": "777"}


async def test_line_without_any_product_fails_before_calling_zoho(
    client: ZohoClient, state: FakeZohoState
) -> None:
    order = ZohoSalesOrder("Booking SKY-9", "1", (ZohoOrderLine("Deposit", Decimal("1")),))

    with pytest.raises(PermanentError, match="no Zoho product id"):
        await client.create_sales_order(order)
    assert state.calls["sales_orders.create"] == 0


async def test_sales_order_without_lines_fails_before_calling_zoho(
    client: ZohoClient, state: FakeZohoState
) -> None:
    with pytest.raises(PermanentError, match="at least one line"):
        await client.create_sales_order(ZohoSalesOrder("Booking SKY-11", "1", ()))
    assert state.calls["sales_orders.create"] == 0


async def test_sales_order_for_unknown_contact_is_invalid_data(client: ZohoClient) -> None:
    order = ZohoSalesOrder(
        "Booking SKY-10", "999", (ZohoOrderLine("Rental", Decimal("1"), product_id="1"),)
    )

    with pytest.raises(PermanentError) as caught:
        await client.create_sales_order(order)

    assert "INVALID_DATA" in caught.value.detail
    assert "Contact_Name" in caught.value.detail


# --- Retry-After ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("2", 2.0),
        (" 1.5 ", 1.5),
        ("-3", 0.0),
        ("Wed, 01 Jan 2031 00:00:30 GMT", 30.0),
        ("nan", None),
        ("soon", None),
        (None, None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    now = datetime(2031, 1, 1, tzinfo=UTC)
    assert parse_retry_after(header, now=now) == expected
