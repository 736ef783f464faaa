"""The outbox worker: claims due rows, delivers them to the CRMs, records every outcome.

Any number of workers may run at once (in API processes and as `skyluxse-api worker`):

- A claim takes a small batch with `FOR UPDATE SKIP LOCKED`, marks it `processing` under a
  lease (`locked_until`, `locked_by`) and commits, so no two workers hold the same row. A
  row whose lease ran out (its worker died) is claimed again.
- Per entity and target, rows go one at a time, oldest first: a row is not claimed while an
  older one of the same entity is unfinished or another one is processing under a live lease.
- Each outcome is written in its own transaction, and only while this worker still holds the
  lease, so a worker that lost its row can never overwrite what the new holder recorded.
- The worker wakes on LISTEN/NOTIFY (`pg_notify` at enqueue) and polls as a fallback.

The same loop runs the periodic metrics refresh; a session advisory lock makes a single
process (the scheduler) run it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import secrets
import signal
import socket
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import timedelta
from typing import Any

import asyncpg
from sqlalchemy import func, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from skyluxse_api.db.engine import create_engine, create_sessionmaker
from skyluxse_api.integrations.delivery import CrmDelivery, OutboxJob, WriteBacks, apply_write_backs
from skyluxse_api.integrations.errors import DeliveryError, RetryableError
from skyluxse_api.integrations.outbox import NOTIFY_CHANNEL
from skyluxse_api.models import IntegrationsOutbox
from skyluxse_api.models.enums import OutboxStatus
from skyluxse_api.settings import Settings

logger = logging.getLogger(__name__)

# A Retry-After beyond a day (Zoho's daily credit window) is not believed.
_MAX_RETRY_AFTER_SECONDS = 86_400.0
# A delivery must end this early in its lease, so it never runs while another worker may
# already have claimed the row (the lease is counted from the database's clock at claim).
_LEASE_USE = 0.8
_MAX_ERROR_CHARS = 2_000
# Session advisory lock whose holder runs the metrics refresh ("skyluxse" in ASCII).
SCHEDULER_LOCK_KEY = 0x736B796C75787365
# A worker that is not the scheduler checks this often whether the scheduler went away.
_SCHEDULER_TAKEOVER_SECONDS = 300.0

CLAIM = text(
    """
    WITH due AS (
        SELECT o.id
        FROM integrations_outbox AS o
        WHERE o.target_system = ANY(:targets)
          AND ((o.status = 'pending' AND o.next_run_at <= now())
               OR (o.status = 'processing'
                   AND (o.locked_until IS NULL OR o.locked_until < now())))
          AND NOT EXISTS (
              SELECT 1
              FROM integrations_outbox AS ahead
              WHERE ahead.entity_type = o.entity_type
                AND ahead.entity_id = o.entity_id
                AND ahead.target_system = o.target_system
                AND ahead.id <> o.id
                AND ((ahead.status = 'processing' AND ahead.locked_until >= now())
                     OR (ahead.status IN ('pending', 'processing')
                         AND (ahead.created_at, ahead.id) < (o.created_at, o.id))))
        ORDER BY o.next_run_at, o.created_at, o.id
        LIMIT :batch
        FOR UPDATE OF o SKIP LOCKED
    )
    UPDATE integrations_outbox AS o
    SET status = 'processing',
        attempts = o.attempts + 1,
        locked_until = now() + make_interval(secs => :lease),
        locked_by = :worker
    FROM due
    WHERE o.id = due.id
    RETURNING o.id, o.entity_type, o.entity_id, o.target_system, o.event_type, o.attempts
    """
)


def backoff_seconds(
    attempts: int, base: float, cap: float, rand: Callable[[], float] = random.random
) -> float:
    """Exponential backoff with equal jitter: between half and all of min(cap, base * 2^(n-1))."""
    ceiling = min(cap, base * 2.0 ** min(attempts - 1, 62))
    return ceiling / 2 + rand() * ceiling / 2


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def listen_dsn(engine: AsyncEngine) -> str:
    """The engine's database as a plain libpq URL for asyncpg (the LISTEN connection)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class OutboxWorker:
    def __init__(
        self,
        settings: Settings,
        engine: AsyncEngine,
        *,
        delivery: CrmDelivery | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.settings = settings
        self.worker_id = worker_id or new_worker_id()
        self._dsn = listen_dsn(engine)
        self._sessionmaker: async_sessionmaker[AsyncSession] = create_sessionmaker(engine)
        self._delivery = delivery or CrmDelivery(settings, self._sessionmaker)
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listener: Any = None  # asyncpg.Connection once listening
        self._listener_retry_at = 0.0
        self._is_scheduler = False
        self._next_metrics_at = 0.0

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Run the loop as a background task of the current event loop."""
        self._task = asyncio.create_task(self.run(), name=f"outbox-worker {self.worker_id}")

    async def stop(self) -> None:
        """Stop claiming; let deliveries in flight finish within the grace period, else
        cancel them and hand their rows back (`pending`, the attempt not counted)."""
        self._stopping.set()
        self._wake.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(
                asyncio.shield(self._task), self.settings.outbox_shutdown_grace_seconds
            )
        except TimeoutError:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task

    async def run(self) -> None:
        logger.info("outbox worker %s delivers to %s", self.worker_id, self._delivery.targets)
        try:
            while not self._stopping.is_set():
                self._wake.clear()
                claimed = 0
                try:
                    await self._ensure_listener()
                    await self.run_scheduled_jobs()
                    claimed = await self.run_once()
                except Exception:
                    # The database is down or a bug surfaced: keep the loop alive and poll.
                    logger.exception("outbox worker %s: iteration failed", self.worker_id)
                if claimed < self.settings.outbox_batch_size and not self._stopping.is_set():
                    with suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self.settings.outbox_poll_seconds)
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Close the LISTEN connection (ending any scheduler lock) and the CRM clients."""
        await self._close_listener()
        await self._delivery.aclose()

    # --- one batch -----------------------------------------------------------------------

    async def run_once(self) -> int:
        """Claim one batch, deliver its rows concurrently, record each outcome; rows claimed."""
        targets = self._delivery.targets
        if not targets:
            return 0  # no CRM configured: rows wait, and no attempt is spent on them
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.outbox_lease_seconds * _LEASE_USE
        jobs = await self._claim(targets)
        results = await asyncio.gather(
            *(self._process(job, deadline) for job in jobs), return_exceptions=True
        )
        for job, result in zip(jobs, results, strict=True):
            if isinstance(result, asyncio.CancelledError):
                raise result
            if isinstance(result, Exception):
                # Recording failed (database gone): the lease runs out and the row is claimed again.
                logger.error("outbox row %s: outcome not recorded: %r", job.id, result)
        return len(jobs)

    async def _claim(self, targets: Sequence[str]) -> list[OutboxJob]:
        async with self._sessionmaker() as session, session.begin():
            rows = (
                await session.execute(
                    CLAIM,
                    {
                        "targets": list(targets),
                        "batch": self.settings.outbox_batch_size,
                        "lease": float(self.settings.outbox_lease_seconds),
                        "worker": self.worker_id,
                    },
                )
            ).all()
        return [OutboxJob(*row) for row in rows]

    async def _process(self, job: OutboxJob, deadline: float) -> None:
        writes = WriteBacks()
        error: DeliveryError | None = None
        try:
            async with asyncio.timeout_at(deadline):
                await self._delivery.deliver(job, writes)
        except DeliveryError as exc:
            error = exc
        except TimeoutError:
            error = RetryableError("the delivery did not finish within its lease")
        except asyncio.CancelledError:
            await self._release(job)
            raise
        except Exception as exc:
            logger.exception("outbox row %s: unexpected error while delivering", job.id)
            error = RetryableError(f"unexpected error: {exc!r}")
        await self._record(job, error, writes)

    def _held_by_me(self, job: OutboxJob) -> Any:
        return update(IntegrationsOutbox).where(
            IntegrationsOutbox.id == job.id,
            IntegrationsOutbox.status == OutboxStatus.processing,
            IntegrationsOutbox.locked_by == self.worker_id,
        )

    async def _record(
        self, job: OutboxJob, error: DeliveryError | None, writes: WriteBacks
    ) -> None:
        settings = self.settings
        values: dict[str, Any] = {"locked_until": None, "locked_by": None}
        detail = None
        if error is None:
            outcome = OutboxStatus.succeeded
        elif isinstance(error, RetryableError) and job.attempts < settings.outbox_max_attempts:
            outcome = OutboxStatus.pending
            detail = error.detail
            delay = backoff_seconds(
                job.attempts,
                settings.outbox_backoff_base_seconds,
                settings.outbox_backoff_max_seconds,
            )
            if error.retry_after is not None:
                delay = max(delay, min(error.retry_after, _MAX_RETRY_AFTER_SECONDS))
            values["next_run_at"] = func.now() + timedelta(seconds=delay)
        else:
            outcome = OutboxStatus.failed
            detail = error.detail
            if isinstance(error, RetryableError):
                detail = f"gave up after {job.attempts} attempts: {detail}"
        values["status"] = outcome
        if detail is not None:
            values["last_error"] = detail = detail[:_MAX_ERROR_CHARS]
        async with self._sessionmaker() as session, session.begin():
            recorded = await session.scalar(
                self._held_by_me(job).values(values).returning(IntegrationsOutbox.id)
            )
            if recorded is None:
                logger.warning(
                    "outbox row %s: lease lost before its outcome (%s) was recorded",
                    job.id,
                    outcome,
                )
                return
            await apply_write_backs(session, job, writes, outcome, detail)
        log = logger.info if outcome is OutboxStatus.succeeded else logger.warning
        log("outbox row %s (%s to %s): %s %s", job.id, job.event_type, job.target_system,
            outcome, detail or "")  # fmt: skip

    async def _release(self, job: OutboxJob) -> None:
        """Hand a row back untouched: the delivery was interrupted by a shutdown."""
        async with self._sessionmaker() as session, session.begin():
            await session.execute(
                self._held_by_me(job).values(
                    status=OutboxStatus.pending,
                    attempts=func.greatest(IntegrationsOutbox.attempts - 1, 0),
                    next_run_at=func.now(),
                    locked_until=None,
                    locked_by=None,
                )
            )

    # --- waking up -----------------------------------------------------------------------

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _ensure_listener(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            return
        self._listener = None
        self._is_scheduler = False  # a session advisory lock dies with its connection
        loop = asyncio.get_running_loop()
        if loop.time() < self._listener_retry_at:
            return
        try:
            connection = await asyncpg.connect(
                self._dsn, server_settings={"application_name": "skyluxse-worker"}
            )
            await connection.add_listener(NOTIFY_CHANNEL, self._on_notify)
        except (OSError, asyncpg.PostgresError) as exc:
            logger.warning("outbox worker cannot LISTEN (%s); polling only", exc)
            self._listener_retry_at = loop.time() + self.settings.outbox_poll_seconds
            return
        self._listener = connection

    async def _close_listener(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            await self._listener.close()
        self._listener = None
        self._is_scheduler = False

    # --- scheduled jobs ------------------------------------------------------------------

    async def run_scheduled_jobs(self) -> bool:
        """Refresh client segments and vehicle utilization when due; True if this worker did."""
        interval = self.settings.metrics_refresh_hours * 3600
        loop = asyncio.get_running_loop()
        if interval <= 0 or loop.time() < self._next_metrics_at:
            return False
        await self._ensure_listener()
        if self._listener is None:
            return False
        if not self._is_scheduler:
            self._is_scheduler = bool(
                await self._listener.fetchval("SELECT pg_try_advisory_lock($1)", SCHEDULER_LOCK_KEY)
            )
        # Until it succeeds, look again in a few minutes (the scheduler may go away, or a
        # failed refresh be retried) rather than on every poll.
        self._next_metrics_at = loop.time() + min(interval, _SCHEDULER_TAKEOVER_SECONDS)
        if not self._is_scheduler:
            return False
        await self._listener.execute("SELECT refresh_all_client_and_vehicle_metrics()")
        self._next_metrics_at = loop.time() + interval
        logger.info("refreshed client segments and vehicle utilization")
        return True


async def run_worker_process(database_url: str, settings: Settings) -> None:
    """`skyluxse-api worker`: run until SIGTERM or SIGINT, then stop cleanly."""
    engine = create_engine(database_url, settings)
    worker = OutboxWorker(settings, engine)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    worker.start()
    try:
        await stop.wait()
    finally:
        await worker.stop()
        await engine.dispose()
