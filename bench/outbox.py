"""Issue 6: outbox delivery to the fake Zoho with 1, 2 and 4 worker processes.

Each run starts N `skyluxse-api worker` processes on a fresh database, and the fake Zoho in
a process of its own (in a thread here it would share this process's GIL). Throughput:
2,000 contact upserts queued in one transaction (one NOTIFY), timed from its commit until
every row is `succeeded`. Latency: 200 single enqueues at about 50/s, each timed from just
before its commit to the moment its request reaches the fake (LISTEN/NOTIFY wake-up,
claim, reading the client, HTTP).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import httpx
import uvicorn
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bench.common import ROOT, fresh_database, percentile_ms
from skyluxse_api.integrations.fakes import FakeZohoState, create_fake_zoho, fake_env

WORKER_COUNTS = (1, 2, 4)
EVENTS = 2_000
LATENCY_EVENTS, LATENCY_RATE = 200, 50.0
PRODUCT_ID = "5725767000000500001"


class ArrivalClock:
    """ASGI wrapper noting when each contact upsert reaches the fake (by email, on the
    system-wide monotonic clock); `GET /bench/arrivals` lists them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.arrivals: dict[str, float] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/bench/arrivals":
            await JSONResponse(self.arrivals)(scope, receive, send)
            return
        if scope["type"] != "http" or not scope["path"].endswith("/Contacts/upsert"):
            await self.app(scope, receive, send)
            return
        arrived = time.monotonic()
        chunks: list[bytes] = []

        async def recording() -> Message:
            message = await receive()
            chunks.append(message.get("body", b""))
            return message

        await self.app(scope, recording, send)
        for record in json.loads(b"".join(chunks)).get("data", []):
            self.arrivals.setdefault(record.get("Email", ""), arrived)


def serve_fake_zoho(port: int) -> None:
    """The fake Zoho process: `python -m bench.outbox <port>`."""
    app = ArrivalClock(create_fake_zoho(FakeZohoState()))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")


@asynccontextmanager
async def fake_zoho_process() -> AsyncIterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.outbox", str(port), cwd=ROOT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(500):
                with suppress(httpx.TransportError):
                    await http.get(f"{url}/bench/arrivals")
                    break
                await asyncio.sleep(0.02)
        yield url
    finally:
        process.terminate()
        await process.wait()


async def arrivals(url: str) -> dict[str, float]:
    async with httpx.AsyncClient() as http:
        answer: dict[str, float] = (await http.get(f"{url}/bench/arrivals")).json()
        return answer


async def start_workers(count: int, url: str, zoho_url: str, cwd: str) -> list[Any]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": url,
        "ZOHO_DEFAULT_PRODUCT_ID": PRODUCT_ID,
        "METRICS_REFRESH_HOURS": "0",
        "LOG_LEVEL": "WARNING",
        **{k: v for k, v in fake_env(zoho_url, "").items() if k.startswith("ZOHO_")},
    }
    return [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "skyluxse_api.cli", "worker", env=env, cwd=cwd
        )
        for _ in range(count)
    ]


async def wait_until(engine: AsyncEngine, sql: str, expected: int, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    async with engine.connect() as conn:
        while (await conn.execute(text(sql))).scalar_one() < expected:
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out waiting for {sql!r} to reach {expected}")
            await asyncio.sleep(0.01)
            await conn.rollback()  # a fresh snapshot for the next look


async def throughput(engine: AsyncEngine) -> float:
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "WITH c AS (INSERT INTO clients (name, email) SELECT 'Bench ' || i, "
                "'bulk' || i || '@example.ae' FROM generate_series(1, :n) AS i RETURNING id) "
                "INSERT INTO integrations_outbox (entity_type, entity_id, target_system, "
                "event_type) SELECT 'client', id, 'zoho', 'contact.upsert' FROM c"
            ),
            {"n": EVENTS},
        )
        await conn.execute(text("SELECT pg_notify('integrations_outbox', '')"))
    started = time.monotonic()
    await wait_until(
        engine, "SELECT count(*) FROM integrations_outbox WHERE status = 'succeeded'", EVENTS
    )
    return time.monotonic() - started


async def latencies(engine: AsyncEngine, zoho_url: str) -> list[float]:
    enqueued: dict[str, float] = {}
    for i in range(LATENCY_EVENTS):
        email = f"single{i}@example.ae"
        async with engine.connect() as conn:
            await conn.execute(
                text(
                    "WITH c AS (INSERT INTO clients (name, email) VALUES (:name, :email) "
                    "RETURNING id) INSERT INTO integrations_outbox (entity_type, entity_id, "
                    "target_system, event_type) SELECT 'client', id, 'zoho', 'contact.upsert' "
                    "FROM c"
                ),
                {"name": f"Single {i}", "email": email},
            )
            await conn.execute(text("SELECT pg_notify('integrations_outbox', '')"))
            enqueued[email] = time.monotonic()
            await conn.commit()
        await asyncio.sleep(1 / LATENCY_RATE)
    deadline = time.monotonic() + 30
    while not set(enqueued) <= set(arrived := await arrivals(zoho_url)):
        if time.monotonic() > deadline:
            raise RuntimeError("some enqueued events never reached the fake Zoho")
        await asyncio.sleep(0.05)
    return [arrived[email] - at for email, at in enqueued.items()]


async def one_run(url: str, workers: int, cwd: str) -> tuple[float, list[float]]:
    engine = create_async_engine(url)
    async with fake_zoho_process() as zoho_url:
        processes = await start_workers(workers, url, zoho_url, cwd)
        try:
            await wait_until(
                engine,
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'skyluxse-worker'",
                workers,
            )
            seconds = await throughput(engine)
            samples = await latencies(engine, zoho_url)
        finally:
            for process in processes:
                process.terminate()
            await asyncio.gather(*(process.wait() for process in processes))
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM integrations_outbox"))
        await conn.execute(text("DELETE FROM clients"))
    await engine.dispose()
    return seconds, samples


async def main() -> None:
    url = await fresh_database("skyluxse_bench_outbox")
    rows = []
    with tempfile.TemporaryDirectory() as cwd:  # no .env there: only the settings given apply
        for workers in WORKER_COUNTS:
            seconds, samples = await one_run(url, workers, cwd)
            rows.append((workers, seconds, samples))
    print(f"{EVENTS:,} contact upserts to the fake Zoho per run; latency over {LATENCY_EVENTS} "
          f"single enqueues at {LATENCY_RATE:.0f}/s (commit -> request at the fake)")  # fmt: skip
    print(f"  {'workers':>7} | {'seconds':>7} | {'events/s':>8} | {'p50 ms':>7} | {'p99 ms':>7}")
    for workers, seconds, samples in rows:
        print(
            f"  {workers:>7} | {seconds:7.2f} | {EVENTS / seconds:8.0f} | "
            f"{percentile_ms(samples, 50):7.1f} | {percentile_ms(samples, 99):7.1f}"
        )


if __name__ == "__main__":
    serve_fake_zoho(int(sys.argv[1]))
