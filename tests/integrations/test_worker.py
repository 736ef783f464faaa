"""The outbox worker against the fake Zoho and Kommo on 127.0.0.1 and a real database.

The worker commits in its own transactions, so these tests commit their rows (through the
session `engine`) and delete them afterwards instead of using the rolled-back `db` fixture.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from skyluxse_api.app import create_app
from skyluxse_api.auth.tokens import mint_token
from skyluxse_api.integrations.delivery import CrmDelivery, OutboxJob, WriteBacks
from skyluxse_api.integrations.fakes import (
    FakeKommoState,
    FakeZohoState,
    create_fake_kommo,
    create_fake_zoho,
    fake_env,
)
from skyluxse_api.integrations.outbox import (
    enqueue_booking_retry,
    enqueue_contact_upsert,
    enqueue_sales_order,
)
from skyluxse_api.integrations.worker import OutboxWorker, backoff_seconds
from skyluxse_api.models.enums import OutboxTarget
from skyluxse_api.settings import Settings
from tests.conftest import ROOT, TEST_SECRET
from tests.support.http_server import free_port, serve_asgi

PRODUCT_ID = "5725767000000500001"


def crm_settings(
    database_url: str,
    *,
    zoho_url: str | None = None,
    kommo_url: str | None = None,
    **overrides: Any,
) -> Settings:
    """Settings pointing at the fakes given (a CRM without a URL is left unconfigured)."""
    env = {key.lower(): value for key, value in fake_env(zoho_url or "", kommo_url or "").items()}
    values: dict[str, Any] = {
        "database_url": database_url,
        "supabase_jwt_secret": TEST_SECRET,
        "run_worker_in_app": False,
        "seed_demo_data": False,
        "data_dir": ROOT / ".data" / "test",
        "metrics_refresh_hours": 0,
        "outbox_poll_seconds": 0.2,
        "outbox_lease_seconds": 30,
        "zoho_timeout_seconds": 5.0,
        "kommo_timeout_seconds": 5.0,
        "zoho_default_product_id": PRODUCT_ID,
    }
    if zoho_url:
        values.update({k: v for k, v in env.items() if k.startswith("zoho_")})
    if kommo_url:
        values.update({k: v for k, v in env.items() if k.startswith("kommo_")})
    return Settings(_env_file=None, **{**values, **overrides})


@dataclass
class Fake:
    state: Any
    url: str


@pytest.fixture
def zoho() -> Iterator[Fake]:
    state = FakeZohoState()
    with serve_asgi(create_fake_zoho(state)) as url:
        yield Fake(state, url)


@pytest.fixture
def kommo() -> Iterator[Fake]:
    state = FakeKommoState()
    with serve_asgi(create_fake_kommo(state)) as url:
        yield Fake(state, url)


class Committed:
    """Rows committed for real (the worker reads them in its own transactions), then removed."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
        self.client_ids: list[uuid.UUID] = []
        self.booking_ids: list[uuid.UUID] = []
        self.staff_ids: list[uuid.UUID] = []

    async def _insert(self, table: str, columns: dict[str, Any]) -> uuid.UUID:
        names = ", ".join(columns)
        values = ", ".join(f":{name}" for name in columns)
        async with self.engine.begin() as conn:
            result = await conn.execute(
                text(f"INSERT INTO {table} ({names}) VALUES ({values}) RETURNING id"), columns
            )
            return result.scalar_one()  # type: ignore[no-any-return]

    async def client(self, name: str = "Aisha Al Mansouri", **columns: Any) -> uuid.UUID:
        client_id = await self._insert("clients", {"name": name, **columns})
        self.client_ids.append(client_id)
        return client_id

    async def clients(self, count: int, prefix: str) -> list[uuid.UUID]:
        async with self.engine.begin() as conn:
            ids = (
                await conn.execute(
                    text(
                        "INSERT INTO clients (name, email) SELECT :prefix || ' ' || i, "
                        ":prefix || i || '@example.ae' FROM generate_series(1, :n) AS i "
                        "RETURNING id"
                    ),
                    {"prefix": prefix, "n": count},
                )
            ).scalars()
            created = list(ids)
        self.client_ids.extend(created)
        return created

    async def booking(
        self,
        client_id: uuid.UUID | None,
        code: str,
        *,
        addons: tuple[tuple[str, str, str], ...] = (),
        **columns: Any,
    ) -> uuid.UUID:
        values = {"status": "preparation", "currency": "AED", **columns}
        booking_id = await self._insert(
            "bookings", {"client_id": client_id, "external_code": code, **values}
        )
        self.booking_ids.append(booking_id)
        for label, amount, category in addons:
            await self._insert(
                "booking_addons",
                {"booking_id": booking_id, "label": label, "amount": Decimal(amount),
                 "category": category},
            )  # fmt: skip
        return booking_id

    async def staff(self, role: str = "ceo") -> dict[str, str]:
        staff_id = uuid.uuid4()
        email = f"{role}-{staff_id.hex[:8]}@worker.test"
        async with self.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO staff_accounts (id, full_name, email, role) "
                    "VALUES (:id, 'Worker test', :email, :role)"
                ),
                {"id": staff_id, "email": email, "role": role},
            )
        self.staff_ids.append(staff_id)
        token = mint_token(TEST_SECRET, subject=staff_id, email=email)
        return {"Authorization": f"Bearer {token}"}

    async def within(self, work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
        """Run `work` in one committed transaction (how the API enqueues)."""
        async with self.sessionmaker() as session, session.begin():
            return await work(session)

    async def execute(self, sql: str, **params: Any) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(text(sql), params)

    async def value(self, sql: str, **params: Any) -> Any:
        async with self.engine.connect() as conn:
            return (await conn.execute(text(sql), params)).scalar()

    async def row(self, table: str, row_id: uuid.UUID) -> dict[str, Any]:
        async with self.engine.connect() as conn:
            found = (
                await conn.execute(text(f"SELECT * FROM {table} WHERE id = :id"), {"id": row_id})
            ).one()
        return dict(found._mapping)

    async def outbox(self, entity_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
        ids = [entity_id] if entity_id else self.client_ids + self.booking_ids
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT *, now() AS db_now FROM integrations_outbox "
                    "WHERE entity_id = ANY(:ids) ORDER BY created_at, target_system"
                ),
                {"ids": ids},
            )
            return [dict(row._mapping) for row in rows]

    async def cleanup(self) -> None:
        async with self.engine.begin() as conn:
            ids = self.client_ids + self.booking_ids
            await conn.execute(
                text("DELETE FROM integrations_outbox WHERE entity_id = ANY(:ids)"), {"ids": ids}
            )
            await conn.execute(
                text("DELETE FROM bookings WHERE id = ANY(:ids) OR client_id = ANY(:clients)"),
                {"ids": self.booking_ids, "clients": self.client_ids},
            )
            await conn.execute(
                text("DELETE FROM clients WHERE id = ANY(:ids)"), {"ids": self.client_ids}
            )
            await conn.execute(
                text("DELETE FROM staff_accounts WHERE id = ANY(:ids)"), {"ids": self.staff_ids}
            )


@pytest.fixture
async def committed(engine: AsyncEngine) -> AsyncIterator[Committed]:
    data = Committed(engine)
    try:
        yield data
    finally:
        await data.cleanup()


WorkerFactory = Callable[..., OutboxWorker]


@pytest.fixture
async def make_worker(engine: AsyncEngine) -> AsyncIterator[WorkerFactory]:
    workers: list[OutboxWorker] = []

    def factory(settings: Settings, **kwargs: Any) -> OutboxWorker:
        worker = OutboxWorker(settings, engine, **kwargs)
        workers.append(worker)
        return worker

    yield factory
    for worker in workers:
        await worker.aclose()


async def drain(worker: OutboxWorker) -> int:
    """Run batches until none is due; how many rows were claimed."""
    total = 0
    while claimed := await worker.run_once():
        total += claimed
    return total


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


# --- success and write-backs -------------------------------------------------------------


async def test_contact_upsert_writes_back_both_crm_ids(
    committed: Committed, make_worker: WorkerFactory, zoho: Fake, kommo: Fake, database_url: str
) -> None:
    client_id = await committed.client(email="aisha@example.ae", phone="+971501234567")
    await committed.within(lambda s: enqueue_contact_upsert(s, client_id))
    worker = make_worker(crm_settings(database_url, zoho_url=zoho.url, kommo_url=kommo.url))

    assert await drain(worker) == 2

    rows = await committed.outbox(client_id)
    assert [(r["target_system"], r["status"], r["attempts"]) for r in rows] == [
        ("kommo", "succeeded", 1),
        ("zoho", "succeeded", 1),
    ]
    client = await committed.row("clients", client_id)
    zoho_contact = zoho.state.contact_by_email("aisha@example.ae")
    assert client["zoho_contact_id"] == zoho_contact["id"]
    assert zoho_contact["Last_Name"] == "Mansouri" and zoho_contact["Phone"] == "+971501234567"
    kommo_contact = kommo.state.contacts[int(client["kommo_contact_id"])]
    assert kommo_contact["name"] == "Aisha Al Mansouri"


async def test_several_changes_before_delivery_send_the_latest_state_once(
    committed: Committed, make_worker: WorkerFactory, kommo: Fake, database_url: str
) -> None:
    client_id = await committed.client(name="Draft name", email="draft@example.ae")
    for name in ("Second name", "Fatima Al Zahra"):
        await committed.within(lambda s, n=name: _rename_and_enqueue(s, client_id, n))

    worker = make_worker(crm_settings(database_url, kommo_url=kommo.url))
    assert await drain(worker) == 1  # one row per target, however many edits

    assert kommo.state.calls == Counter({"contacts.create": 1})
    (contact,) = kommo.state.contacts.values()
    assert contact["name"] == "Fatima Al Zahra"


async def _rename_and_enqueue(session: AsyncSession, client_id: uuid.UUID, name: str) -> None:
    await session.execute(
        text("UPDATE clients SET name = :name WHERE id = :id"), {"name": name, "id": client_id}
    )
    await enqueue_contact_upsert(session, client_id, targets=(OutboxTarget.kommo,))


async def test_a_change_during_delivery_waits_and_is_sent_after_it(
    committed: Committed, make_worker: WorkerFactory, kommo: Fake, database_url: str
) -> None:
    client_id = await committed.client(name="Old name", email="order@example.ae")
    await committed.within(
        lambda s: enqueue_contact_upsert(s, client_id, targets=(OutboxTarget.kommo,))
    )
    settings = crm_settings(database_url, kommo_url=kommo.url)
    first, second = make_worker(settings), make_worker(settings)
    kommo.state.delay = 1.5
    in_flight = asyncio.create_task(first.run_once())
    await eventually(lambda: _statuses(committed, client_id, ["processing"]), seconds=5)
    # The client changes while its first row is being delivered: a second row is queued.
    await committed.within(lambda s: _rename_and_enqueue(s, client_id, "New name"))
    kommo.state.delay = 0

    assert await second.run_once() == 0  # the newer row waits for the one in flight
    assert await in_flight == 1
    assert await drain(second) == 1

    assert await _statuses(committed, client_id, ["succeeded", "succeeded"])
    (contact,) = kommo.state.contacts.values()
    assert contact["name"] == "New name"
    assert kommo.state.calls == Counter({"contacts.create": 1, "contacts.update": 1})


async def _statuses(committed: Committed, entity_id: uuid.UUID, expected: list[str]) -> bool:
    return [row["status"] for row in await committed.outbox(entity_id)] == expected


async def test_sales_order_is_built_from_the_booking_lines_and_written_back(
    committed: Committed, make_worker: WorkerFactory, zoho: Fake, database_url: str
) -> None:
    client_id = await committed.client(name="Dmitri Ivanov", email="dmitri@example.ru")
    booking_id = await committed.booking(
        client_id,
        "BK-T100",
        total_amount=Decimal("6700.00"),
        addons=(
            ("chauffeur", "1000.00", "addon"),
            ("Rolls-Royce Ghost, 2 days", "6000.00", "base"),
            ("Loyalty discount", "500.00", "discount"),
        ),
    )
    await committed.within(lambda s: enqueue_sales_order(s, booking_id))
    assert (await committed.row("bookings", booking_id))["zoho_sync_status"] == "pending"

    await drain(make_worker(crm_settings(database_url, zoho_url=zoho.url)))

    booking = await committed.row("bookings", booking_id)
    (order,) = zoho.state.sales_orders.values()
    assert booking["zoho_sales_order_id"] == order["id"]
    assert (booking["zoho_sync_status"], booking["zoho_sync_error"]) == ("synced", None)
    contact = zoho.state.contact_by_email("dmitri@example.ru")
    assert order["Contact_Name"] == {"id": contact["id"]}
    assert (await committed.row("clients", client_id))["zoho_contact_id"] == contact["id"]
    assert order["Subject"] == "Booking BK-T100"
    assert [(i["Description"], i["List_Price"]) for i in order["Ordered_Items"]] == [
        ("Rolls-Royce Ghost, 2 days", 6000.0),
        ("chauffeur", 1000.0),
        ("Loyalty discount", -500.0),
        ("Adjustment to the booking total", 200.0),
    ]
    assert order["Grand_Total"] == Decimal("6700.00")
    assert {i["Product_Name"]["id"] for i in order["Ordered_Items"]} == {PRODUCT_ID}


async def test_an_operator_retry_creates_the_order_that_failed(
    committed: Committed, make_worker: WorkerFactory, zoho: Fake, database_url: str
) -> None:
    client_id = await committed.client(name="Fatima Al Zahra", email="fatima@example.ae")
    booking_id = await committed.booking(
        client_id, "BK-T103", total_amount=Decimal("2500.00"), zoho_sync_status="failed",
        zoho_sync_error="order line 'Rental BK-T103' has no Zoho product id",
    )  # fmt: skip
    await committed.within(lambda s: enqueue_booking_retry(s, booking_id, None))

    await drain(make_worker(crm_settings(database_url, zoho_url=zoho.url)))

    booking = await committed.row("bookings", booking_id)
    (order,) = zoho.state.sales_orders.values()
    assert (booking["zoho_sync_status"], booking["zoho_sales_order_id"]) == ("synced", order["id"])
    assert booking["zoho_sync_error"] is None
    assert [(i["Description"], i["List_Price"]) for i in order["Ordered_Items"]] == [
        ("Rental BK-T103", 2500.0)
    ]


async def test_sales_order_waits_for_the_clients_pending_contact_sync(
    committed: Committed, make_worker: WorkerFactory, zoho: Fake, database_url: str
) -> None:
    client_id = await committed.client(name="James Walker", email="james@example.co.uk")
    booking_id = await committed.booking(client_id, "BK-T101", total_amount=Decimal("900.00"))
    await committed.within(
        lambda s: enqueue_contact_upsert(s, client_id, targets=(OutboxTarget.zoho,))
    )
    await committed.within(lambda s: enqueue_sales_order(s, booking_id))
    worker = make_worker(
        crm_settings(database_url, zoho_url=zoho.url, outbox_backoff_base_seconds=0.05)
    )

    zoho.state.delay = 0.3  # the contact sync is still in flight when the order is built
    await worker.run_once()  # both rows in one batch: the order must not upsert the contact too
    zoho.state.delay = 0
    order_row = (await committed.outbox(booking_id))[0]
    assert (order_row["status"], order_row["last_error"]) == (
        "pending",
        "waiting for the client's Zoho contact to be synced",
    )
    await asyncio.sleep(0.1)
    await drain(worker)

    assert (await committed.row("bookings", booking_id))["zoho_sync_status"] == "synced"
    assert zoho.state.calls["contacts.upsert"] == 1
    (order,) = zoho.state.sales_orders.values()
    assert (
        order["Contact_Name"]["id"]
        == (await committed.row("clients", client_id))["zoho_contact_id"]
    )


async def test_an_unconfigured_crm_leaves_its_rows_waiting_without_spending_attempts(
    committed: Committed, make_worker: WorkerFactory, zoho: Fake, database_url: str
) -> None:
    client_id = await committed.client(email="wait@example.ae")
    await committed.within(lambda s: enqueue_contact_upsert(s, client_id))

    await drain(make_worker(crm_settings(database_url, zoho_url=zoho.url)))

    rows = {r["target_system"]: r for r in await committed.outbox(client_id)}
    assert rows["zoho"]["status"] == "succeeded"
    assert (rows["kommo"]["status"], rows["kommo"]["attempts"]) == ("pending", 0)


# --- failures -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "status", "error_part"),
    [
        ({"status": 400, "code": "INVALID_DATA", "api_name": "Subject"}, "failed", "INVALID_DATA"),
        ({"status": 400, "code": "MANDATORY_NOT_FOUND"}, "failed", "MANDATORY_NOT_FOUND"),
        ({"status": 403, "code": "NO_PERMISSION"}, "failed", "NO_PERMISSION"),
        ({"status": 500}, "pending", "Zoho HTTP 500"),
        ({"status": 503}, "pending", "Zoho HTTP 503"),
        ({"status": 429}, "pending", "rate limit"),
    ],
)
async def test_each_zoho_error_lands_the_row_and_booking_in_the_right_state(
    committed: Committed,
    make_worker: WorkerFactory,
    zoho: Fake,
    database_url: str,
    failure: dict[str, Any],
    status: str,
    error_part: str,
) -> None:
    client_id = await committed.client(email="errors@example.ae", zoho_contact_id="placeholder")
    booking_id = await committed.booking(client_id, "BK-T102", total_amount=Decimal("100.00"))
    zoho.state.contacts["placeholder"] = {"id": "placeholder"}
    await committed.within(lambda s: enqueue_sales_order(s, booking_id))
    zoho.state.fail_next(**failure)

    await make_worker(crm_settings(database_url, zoho_url=zoho.url)).run_once()

    (row,) = await committed.outbox(booking_id)
    assert (row["status"], row["attempts"]) == (status, 1)
    assert error_part in row["last_error"]
    assert (row["locked_by"], row["locked_until"]) == (None, None)
    booking = await committed.row("bookings", booking_id)
    assert booking["zoho_sync_status"] == status
    assert error_part in booking["zoho_sync_error"]
    if status == "pending":
        assert row["next_run_at"] > row["db_now"]


async def test_429_waits_at_least_the_retry_after(
    committed: Committed, make_worker: WorkerFactory, zoho: Fake, database_url: str
) -> None:
    client_id = await committed.client(email="slowdown@example.ae")
    await committed.within(
        lambda s: enqueue_contact_upsert(s, client_id, targets=(OutboxTarget.zoho,))
    )
    zoho.state.fail_next(429, retry_after=120)
    before = await committed.value("SELECT now()")

    await make_worker(crm_settings(database_url, zoho_url=zoho.url)).run_once()

    (row,) = await committed.outbox(client_id)
    assert row["status"] == "pending"
    assert (row["next_run_at"] - before).total_seconds() >= 120


async def test_a_timeout_is_retried_later(
    committed: Committed, make_worker: WorkerFactory, zoho: Fake, database_url: str
) -> None:
    client_id = await committed.client(email="timeout@example.ae")
    await committed.within(
        lambda s: enqueue_contact_upsert(s, client_id, targets=(OutboxTarget.zoho,))
    )
    zoho.state.delay = 1.0

    await make_worker(
        crm_settings(database_url, zoho_url=zoho.url, zoho_timeout_seconds=0.2)
    ).run_once()

    (row,) = await committed.outbox(client_id)
    assert row["status"] == "pending"
    assert "Timeout" in row["last_error"]


async def test_a_kommo_validation_error_fails_at_once(
    committed: Committed, make_worker: WorkerFactory, kommo: Fake, database_url: str
) -> None:
    client_id = await committed.client(email="kommo-error@example.ae")
    await committed.within(
        lambda s: enqueue_contact_upsert(s, client_id, targets=(OutboxTarget.kommo,))
    )
    kommo.state.fail_next(400, message="name: This value should not be blank.")

    await make_worker(crm_settings(database_url, kommo_url=kommo.url)).run_once()

    (row,) = await committed.outbox(client_id)
    assert (row["status"], row["attempts"]) == ("failed", 1)
    assert "Kommo HTTP 400" in row["last_error"]
    assert (await committed.row("clients", client_id))["kommo_contact_id"] is None


async def test_the_last_attempt_fails_the_row(
    committed: Committed, make_worker: WorkerFactory, zoho: Fake, database_url: str
) -> None:
    client_id = await committed.client(email="flaky@example.ae")
    await committed.within(
        lambda s: enqueue_contact_upsert(s, client_id, targets=(OutboxTarget.zoho,))
    )
    worker = make_worker(
        crm_settings(
            database_url, zoho_url=zoho.url, outbox_max_attempts=3, outbox_backoff_base_seconds=0.01
        )
    )
    for _ in range(3):
        zoho.state.fail_next(503)
        await asyncio.sleep(0.03)  # past the backoff
        assert await worker.run_once() == 1

    (row,) = await committed.outbox(client_id)
    assert (row["status"], row["attempts"]) == ("failed", 3)
    assert row["last_error"].startswith("gave up after 3 attempts: Zoho HTTP 503")
    assert await worker.run_once() == 0


def test_backoff_doubles_within_jitter_bounds() -> None:
    for attempt, (low, high) in enumerate([(1, 2), (2, 4), (4, 8), (8, 16)], start=1):
        assert backoff_seconds(attempt, 2.0, 3600, rand=lambda: 0.0) == low
        assert backoff_seconds(attempt, 2.0, 3600, rand=lambda: 1.0) == high
    assert backoff_seconds(40, 2.0, 3600, rand=lambda: 1.0) == 3600


async def test_backoff_grows_with_each_retry(
    committed: Committed, make_worker: WorkerFactory, zoho: Fake, database_url: str
) -> None:
    client_id = await committed.client(email="backoff@example.ae")
    await committed.within(
        lambda s: enqueue_contact_upsert(s, client_id, targets=(OutboxTarget.zoho,))
    )
    worker = make_worker(
        crm_settings(database_url, zoho_url=zoho.url, outbox_backoff_base_seconds=10)
    )
    delays = []
    for _ in range(4):
        zoho.state.fail_next(500)
        assert await worker.run_once() == 1
        (row,) = await committed.outbox(client_id)
        delays.append((row["next_run_at"] - row["updated_at"]).total_seconds())
        await committed.execute(
            "UPDATE integrations_outbox SET next_run_at = now() WHERE entity_id = :id",
            id=client_id,
        )
    # Equal jitter: attempt n waits between 10 * 2^(n-2) and 10 * 2^(n-1) seconds (measured
    # from updated_at, stamped a few milliseconds after the outcome transaction began).
    for attempt, delay in enumerate(delays, start=1):
        assert 10 * 2 ** (attempt - 2) - 0.5 <= delay <= 10 * 2 ** (attempt - 1)
    assert delays == sorted(delays)


# --- concurrency, leases and shutdown -----------------------------------------------------


class CountingDelivery(CrmDelivery):
    """Counts every row it delivers, to prove no row is delivered twice."""

    def __init__(self, delivered: Counter[uuid.UUID], *args: Any) -> None:
        super().__init__(*args)
        self.delivered = delivered

    async def deliver(self, job: OutboxJob, writes: WriteBacks) -> None:
        self.delivered[job.id] += 1
        await super().deliver(job, writes)


async def test_two_workers_racing_over_500_rows_deliver_each_exactly_once(
    committed: Committed,
    make_worker: WorkerFactory,
    zoho: Fake,
    database_url: str,
    engine: AsyncEngine,
) -> None:
    client_ids = await committed.clients(500, "race")
    await committed.execute(
        "INSERT INTO integrations_outbox (entity_type, entity_id, target_system, event_type) "
        "SELECT 'client', id, 'zoho', 'contact.upsert' FROM unnest(CAST(:ids AS uuid[])) AS id",
        ids=client_ids,
    )
    settings = crm_settings(database_url, zoho_url=zoho.url)
    sessionmaker = async_sessionmaker(engine)
    first, second = Counter[uuid.UUID](), Counter[uuid.UUID]()
    workers = [
        make_worker(settings, delivery=CountingDelivery(delivered, settings, sessionmaker))
        for delivered in (first, second)
    ]

    await asyncio.gather(*(drain(worker) for worker in workers))

    assert first and second  # both took part
    assert set(first) | set(second) == set(
        await committed.value(
            "SELECT array_agg(id) FROM integrations_outbox WHERE entity_id = ANY(:ids)",
            ids=client_ids,
        )
    )
    assert set((first + second).values()) == {1}
    assert zoho.state.calls["contacts.upsert"] == 500
    assert len(zoho.state.contacts) == 500
    assert (
        await committed.value(
            "SELECT count(*) FROM integrations_outbox WHERE entity_id = ANY(:ids) "
            "AND status = 'succeeded' AND attempts = 1",
            ids=client_ids,
        )
        == 500
    )
    assert (
        await committed.value(
            "SELECT count(*) FROM clients WHERE id = ANY(:ids) AND zoho_contact_id IS NOT NULL",
            ids=client_ids,
        )
        == 500
    )


async def test_a_worker_that_lost_its_lease_cannot_overwrite_the_outcome(
    committed: Committed, make_worker: WorkerFactory, kommo: Fake, database_url: str
) -> None:
    client_id = await committed.client(email="lease@example.ae")
    await committed.within(
        lambda s: enqueue_contact_upsert(s, client_id, targets=(OutboxTarget.kommo,))
    )
    settings = crm_settings(database_url, kommo_url=kommo.url)
    slow, late = make_worker(settings), make_worker(settings)

    async def calls_arrived(count: int) -> bool:
        return len(kommo.state.arrivals) == count

    kommo.state.delay = 1.0
    stalled = asyncio.create_task(slow.run_once())
    await eventually(lambda: calls_arrived(1), seconds=5)
    # The slow worker's lease runs out (as if it hung); another worker takes the row over,
    # and its own call is still in flight when the stalled one comes back with a 503.
    await committed.execute(
        "UPDATE integrations_outbox SET locked_until = now() - interval '1 second' "
        "WHERE entity_id = :id",
        id=client_id,
    )
    kommo.state.delay = 2.0
    taken_over = asyncio.create_task(late.run_once())
    await eventually(lambda: calls_arrived(2), seconds=5)
    kommo.state.fail_next(503)  # popped by the stalled call, which wakes first

    assert await stalled == 1
    (row,) = await committed.outbox(client_id)
    assert (row["status"], row["locked_by"]) == ("processing", late.worker_id)
    assert await taken_over == 1
    (row,) = await committed.outbox(client_id)
    assert (row["status"], row["attempts"], row["last_error"]) == ("succeeded", 2, None)


async def test_stopping_hands_rows_in_flight_back(
    committed: Committed, make_worker: WorkerFactory, kommo: Fake, database_url: str
) -> None:
    client_id = await committed.client(email="shutdown@example.ae")
    await committed.within(
        lambda s: enqueue_contact_upsert(s, client_id, targets=(OutboxTarget.kommo,))
    )
    kommo.state.delay = 2.0
    worker = make_worker(
        crm_settings(database_url, kommo_url=kommo.url, outbox_shutdown_grace_seconds=0.2)
    )
    worker.start()
    await eventually(lambda: _statuses(committed, client_id, ["processing"]), seconds=5)

    started = time.monotonic()
    await worker.stop()

    assert time.monotonic() - started < 1.5  # not the 2 s the CRM call would take
    (row,) = await committed.outbox(client_id)
    assert (row["status"], row["attempts"], row["locked_by"]) == ("pending", 0, None)


async def _listening(committed: Committed) -> bool:
    sql = (
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE application_name = 'skyluxse-worker' AND query LIKE 'LISTEN%'"
    )
    return bool(await committed.value(sql))


async def test_a_notify_wakes_the_worker_before_its_next_poll(
    committed: Committed, make_worker: WorkerFactory, kommo: Fake, database_url: str
) -> None:
    worker = make_worker(crm_settings(database_url, kommo_url=kommo.url, outbox_poll_seconds=60))
    worker.start()
    try:
        await eventually(
            lambda: _listening(committed)
        )  # then idle until the next poll, a minute away
        client_id = await committed.client(email="wake@example.ae")
        await committed.within(
            lambda s: enqueue_contact_upsert(s, client_id, targets=(OutboxTarget.kommo,))
        )
        await eventually(lambda: _statuses(committed, client_id, ["succeeded"]), seconds=5)
    finally:
        await worker.stop()


async def test_one_worker_at_a_time_runs_the_metrics_refresh(
    committed: Committed, make_worker: WorkerFactory, database_url: str
) -> None:
    stale = await committed.client(name="Stale segment", tier="vip", segment="dormant_vip")
    settings = crm_settings(database_url, metrics_refresh_hours=24)
    first, second = make_worker(settings), make_worker(settings)

    ran = [await first.run_scheduled_jobs(), await second.run_scheduled_jobs()]

    assert ran == [True, False]
    client = await committed.row("clients", stale)
    assert (client["tier"], client["segment"]) == ("silver", "general")
    assert await first.run_scheduled_jobs() is False  # not due again for a day
    await first.aclose()  # the scheduler leaves: the next worker to look takes over
    assert await make_worker(settings).run_scheduled_jobs() is True


# --- the API never waits on a CRM ---------------------------------------------------------


@pytest.mark.parametrize("crm", ["slow", "down"])
async def test_the_api_answers_while_the_crm_is_slow_or_down(
    committed: Committed, zoho: Fake, database_url: str, crm: str
) -> None:
    zoho_url = zoho.url if crm == "slow" else f"http://127.0.0.1:{free_port()}"
    zoho.state.delay = 1.5
    settings = crm_settings(database_url, zoho_url=zoho_url, run_worker_in_app=True)
    app = create_app(settings)
    headers = await committed.staff("operations")
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        started = time.monotonic()
        response = await http.post(
            "/api/v1/clients",
            json={"name": "Layla Haddad", "email": f"layla-{crm}@example.ae"},
            headers=headers,
        )
        elapsed = time.monotonic() - started
        assert response.status_code == 201, response.text
        client_id = uuid.UUID(response.json()["id"])
        committed.client_ids.append(client_id)
        assert elapsed < 1.5  # faster than a single call to the CRM

        async def delivered() -> bool:
            rows = await committed.outbox(client_id)
            zoho_row = next(r for r in rows if r["target_system"] == "zoho")
            if crm == "slow":
                return zoho_row["status"] == "succeeded"
            return zoho_row["status"] == "pending" and "unreachable" in (
                zoho_row["last_error"] or ""
            )

        await eventually(delivered, seconds=10)
    if crm == "slow":
        client = await committed.row("clients", client_id)
        assert client["zoho_contact_id"] == zoho.state.contact_by_email(client["email"])["id"]
