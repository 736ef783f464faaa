"""A `skyluxse-api worker` process killed with SIGKILL mid-batch loses nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

from skyluxse_api.integrations.fakes import fake_env
from tests.integrations.test_worker import (
    PRODUCT_ID,
    Committed,
    Fake,
    WorkerFactory,
    committed,
    crm_settings,
    eventually,
    make_worker,
    zoho,
)

__all__ = ["committed", "make_worker", "zoho"]  # fixtures shared with test_worker.py

LEASE_SECONDS = 2


async def test_rows_of_a_killed_worker_are_delivered_after_its_lease_expires(
    committed: Committed,
    make_worker: WorkerFactory,
    zoho: Fake,
    database_url: str,
    tmp_path: Path,
) -> None:
    client_ids = await committed.clients(6, "crash")
    await committed.execute(
        "INSERT INTO integrations_outbox (entity_type, entity_id, target_system, event_type) "
        "SELECT 'client', id, 'zoho', 'contact.upsert' FROM unnest(CAST(:ids AS uuid[])) AS id",
        ids=client_ids,
    )
    zoho.state.delay = 0.4  # slow enough to kill the worker while its calls are in flight
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": database_url,
        "ZOHO_DEFAULT_PRODUCT_ID": PRODUCT_ID,
        "OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
        "OUTBOX_BATCH_SIZE": "3",
        "OUTBOX_POLL_SECONDS": "0.2",
        "METRICS_REFRESH_HOURS": "0",
        "LOG_LEVEL": "WARNING",
        **{k: v for k, v in fake_env(zoho.url, "").items() if k.startswith("ZOHO_")},
    }
    # cwd: a folder without a .env, so only the settings above apply.
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "skyluxse_api.cli", "worker", env=env, cwd=tmp_path
    )
    try:
        in_flight_sql = (
            "SELECT count(*) FROM integrations_outbox "
            "WHERE entity_id = ANY(:ids) AND status = 'processing'"
        )

        async def claimed() -> bool:
            return bool(await committed.value(in_flight_sql, ids=client_ids))

        await eventually(claimed, seconds=30)
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert process.returncode == -signal.SIGKILL
    orphaned = await committed.value(in_flight_sql, ids=client_ids)
    assert orphaned > 0

    zoho.state.delay = 0
    survivor = make_worker(
        crm_settings(database_url, zoho_url=zoho.url, outbox_lease_seconds=LEASE_SECONDS)
    )
    started = time.monotonic()

    async def all_delivered() -> bool:
        await survivor.run_once()
        done = await committed.value(
            "SELECT count(*) FROM integrations_outbox "
            "WHERE entity_id = ANY(:ids) AND status = 'succeeded'",
            ids=client_ids,
        )
        return bool(done == len(client_ids))

    await eventually(all_delivered, seconds=LEASE_SECONDS + 10)

    assert time.monotonic() - started < LEASE_SECONDS + 5
    assert all(zoho.state.contact_by_email(f"crash{i}@example.ae") for i in range(1, 7))
    assert len(zoho.state.contacts) == 6  # redelivered rows matched their contact by email
    assert (
        await committed.value(
            "SELECT count(*) FROM integrations_outbox WHERE entity_id = ANY(:ids) AND attempts = 2",
            ids=client_ids,
        )
        == orphaned
    )
