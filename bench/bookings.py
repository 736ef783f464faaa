"""Issue 5: bookings API against its floor, on 100,000 bookings, 10,000 clients, 300 cars.

The API (`skyluxse-api`'s app) and the floor (`bench/floor.py`: the same SQL on raw
asyncpg behind a bare ASGI app) each run in their own uvicorn process with the
same settings (one worker, uvloop, httptools, no access log) on 127.0.0.1. For
each scenario, 16 concurrent clients send a fixed number of requests (after a
warm-up) to one, then the other; p50/p99 latency, requests/s and the server
process's CPU per request are printed side by side. Target: the API reaches at
least half of the floor's requests/s on reads.

The floor's list and single booking run the API's own compiled statements; its
availability query is the fleet route's (same `vehicle_is_free` predicate, columns
and order); its POST is one INSERT ... RETURNING, the least a create can cost. The
load generator shares the machine's cores with both servers and PostgreSQL, so on a
busy machine requests/s move between runs; CPU per request (Linux /proc) moves less.
Set BENCH_DATABASE_URL to run on another PostgreSQL server than the embedded one.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.common import ROOT, fresh_database, percentile_ms
from skyluxse_api.auth.tokens import mint_token

BOOKINGS, CLIENTS, VEHICLES = 100_000, 10_000, 300
CONCURRENCY = 16
REQUESTS, WARMUP = 2_000, 200
SECRET = "bench-secret-0123456789abcdef0123456789abcdef"
BUFFER_MINUTES = 60
UVICORN = ["--workers", "1", "--loop", "uvloop", "--http", "httptools",
           "--no-access-log", "--log-level", "warning"]  # fmt: skip

# Per car, one rental every 3 days 7 hours over three years, each 1-3 days long, so a
# car's history never overlaps; status follows the calendar (past ones are settled).
GENERATE = [
    """
    INSERT INTO staff_accounts (id, full_name, email, role)
    VALUES (:ops, 'Bench Operations', 'bench.ops@skyluxse.ae', 'operations')
    """,
    """
    INSERT INTO staff_accounts (full_name, email, role)
    SELECT 'Sales ' || i, 'sales' || i || '@skyluxse.ae', 'sales' FROM generate_series(1, 5) i
    """,
    """
    INSERT INTO vehicles (external_ref, name, make, class, seating_capacity, mileage_km)
    SELECT 'V' || i, 'Car ' || lpad(i::text, 3, '0'),
           (ARRAY['Rolls-Royce', 'Bentley', 'Lamborghini', 'Mercedes-Benz', 'Ferrari'])[1 + i % 5],
           (ARRAY['Luxury', 'SUV', 'Sport'])[1 + i % 3], 2 + i % 6, 1000 * i
    FROM generate_series(1, :vehicles) i
    """,
    """
    INSERT INTO clients (name, phone, email)
    SELECT 'Client ' || i, '+97150' || lpad(i::text, 7, '0'), 'client' || i || '@example.com'
    FROM generate_series(1, :clients) i
    """,
    """
    INSERT INTO bookings (external_code, client_id, vehicle_id, owner_id, status, booking_type,
                          priority, channel, start_at, end_at, sla_minutes, total_amount,
                          paid_amount, deposit_amount)
    SELECT 'BK-' || (100000 + i), c.ids[1 + (i * 7919) % :clients], v.ids[1 + i % :vehicles],
           s.ids[1 + i % 5],
           CASE WHEN w.end_at < now() THEN 'settlement'
                WHEN w.start_at < now() THEN 'in_rent'
                WHEN w.start_at < now() + interval '2 days' THEN 'delivery'
                WHEN i % 3 = 0 THEN 'new' ELSE 'preparation' END::booking_status,
           (ARRAY['vip', 'short', 'corporate'])[1 + i % 3]::booking_type,
           (ARRAY['high', 'medium', 'low'])[1 + i % 3]::priority_level,
           (ARRAY['Kommo', 'Website', 'Referral'])[1 + i % 3],
           w.start_at, w.end_at, 30,
           (1000 + i % 9000)::numeric(12, 2), (i % 1000)::numeric(12, 2), 5000
    FROM generate_series(0, :bookings - 1) i
    CROSS JOIN LATERAL (
        SELECT timestamptz '2024-01-01' + (i / :vehicles) * interval '3 days 7 hours'
                   + (i % :vehicles) * interval '13 minutes' AS start_at,
               timestamptz '2024-01-01' + (i / :vehicles) * interval '3 days 7 hours'
                   + (i % :vehicles) * interval '13 minutes' + (1 + i % 3) * interval '1 day'
                   AS end_at
    ) w,
    (SELECT array_agg(id ORDER BY name) AS ids FROM clients) c,
    (SELECT array_agg(id ORDER BY name) AS ids FROM vehicles) v,
    (SELECT array_agg(id ORDER BY email) AS ids FROM staff_accounts WHERE role = 'sales') s
    """,
    """
    INSERT INTO booking_tags (slug, label) VALUES ('vip', 'VIP'), ('long-rent', 'Long rent')
    """,
    """
    INSERT INTO booking_tag_links (booking_id, tag_id)
    SELECT b.id, t.id FROM bookings b JOIN booking_tags t ON t.slug = 'vip'
    WHERE b.booking_type = 'vip'
    """,
]


# The i-th request of a run: method, path, and httpx keyword arguments.
Call = tuple[str, str, dict[str, Any]]


@dataclass(frozen=True)
class Scenario:
    name: str
    is_read: bool
    api: Callable[[int], Call]
    floor: Callable[[int], Call]


@dataclass(frozen=True)
class Result:
    p50_ms: float
    p99_ms: float
    per_second: float
    # Server CPU per request: unlike req/s, barely moved by other load on the machine.
    cpu_ms: float


async def _generate(url: str, ops_id: uuid.UUID) -> dict[str, Any]:
    engine = create_async_engine(url)
    sizes = {"bookings": BOOKINGS, "clients": CLIENTS, "vehicles": VEHICLES, "ops": ops_id}
    async with engine.begin() as conn:
        for statement in GENERATE:
            await conn.execute(text(statement), sizes)
    async with engine.connect() as conn:
        autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM ANALYZE"))
        sample = await _sample(conn)
    await engine.dispose()
    return sample


async def _sample(conn: Any) -> dict[str, Any]:
    booking_ids = (
        (await conn.execute(text("SELECT id FROM bookings ORDER BY random() LIMIT 1000")))
        .scalars()
        .all()
    )
    clients = (await conn.execute(text("SELECT id FROM clients LIMIT 500"))).scalars().all()
    vehicles = (await conn.execute(text("SELECT id FROM vehicles"))).scalars().all()
    return {"bookings": booking_ids, "clients": clients, "vehicles": vehicles}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    base: str
    pid: int

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (Linux /proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@asynccontextmanager
async def _server(target: list[str], env: dict[str, str], probe: str) -> AsyncIterator[Server]:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "uvicorn", *target, "--host", "127.0.0.1", "--port", str(port),
        *UVICORN, env={**os.environ, **env}, cwd=ROOT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as http:
            for _ in range(200):
                try:
                    if (await http.get(probe)).status_code < 500:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError(f"{target[0]} did not start on {base}")
        yield Server(base, process.pid)
    finally:
        process.terminate()
        await process.wait()


async def _load(server: Server, build: Callable[[int], Call], total: int) -> Result:
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=server.base, limits=limits, timeout=60) as http:
        counter = iter(range(total))
        latencies: list[float] = []

        async def worker() -> None:
            for i in counter:
                method, path, options = build(i)
                started = time.perf_counter()
                response = await http.request(method, path, **options)
                latencies.append(time.perf_counter() - started)
                if response.status_code >= 400:
                    raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")

        started, cpu = time.perf_counter(), server.cpu_seconds()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed, cpu = time.perf_counter() - started, server.cpu_seconds() - cpu
    return Result(
        percentile_ms(latencies, 50),
        percentile_ms(latencies, 99),
        total / elapsed,
        cpu / total * 1000,
    )


def _scenarios(sample: dict[str, Any], token: str) -> list[Scenario]:
    auth = {"Authorization": f"Bearer {token}"}
    now = datetime.now(UTC).replace(microsecond=0)
    recent = {"status": "settlement", "from": (now - timedelta(days=30)).isoformat(),
              "to": now.isoformat(), "limit": "50"}  # fmt: skip
    picks = random.Random(5)
    ids = [str(booking) for booking in sample["bookings"]]
    window = {"start": (now + timedelta(days=40)).isoformat(),
              "end": (now + timedelta(days=43)).isoformat()}  # fmt: skip

    def new_booking(i: int) -> dict[str, str]:
        start = datetime(2030, 1, 1, tzinfo=UTC) + timedelta(hours=i)
        return {
            "client_id": str(picks.choice(sample["clients"])),
            "vehicle_id": str(picks.choice(sample["vehicles"])),
            "start_at": start.isoformat(),
            "end_at": (start + timedelta(days=2)).isoformat(),
        }

    return [
        Scenario(
            "GET /bookings?status&window, 50 rows",
            True,
            lambda i: ("GET", "/api/v1/bookings", {"params": recent, "headers": auth}),
            lambda i: ("GET", "/bookings", {"params": recent}),
        ),
        Scenario(
            "GET /bookings/{id}",
            True,
            lambda i: ("GET", f"/api/v1/bookings/{ids[i % len(ids)]}", {"headers": auth}),
            lambda i: ("GET", f"/bookings/{ids[i % len(ids)]}", {}),
        ),
        Scenario(
            "availability, 3-day window",
            True,
            lambda i: ("GET", "/api/v1/vehicles/availability", {"params": window, "headers": auth}),
            lambda i: ("GET", "/availability",
                       {"params": {**window, "buffer_minutes": str(BUFFER_MINUTES)}}),
        ),
        Scenario(
            "POST /bookings",
            False,
            lambda i: ("POST", "/api/v1/bookings", {"json": new_booking(i), "headers": auth}),
            lambda i: ("POST", "/bookings", {"json": new_booking(i)}),
        ),
    ]  # fmt: skip


def _print(rows: list[tuple[Scenario, Result, Result]]) -> None:
    print(f"{CONCURRENCY} concurrent clients, {REQUESTS} requests per run (after {WARMUP} "
          f"warm-up); {BOOKINGS:,} bookings, {CLIENTS:,} clients, {VEHICLES} cars; "
          "cpu = server process CPU per request")  # fmt: skip
    columns = "p50 ms   p99 ms    req/s   cpu ms"
    print(f"{'':36} | {'API':^34} | {'floor':^34} | API/floor")
    print(f"{'':36} | {columns} | {columns} | req/s  cpu")
    for scenario, api, floor in rows:
        cells = [
            f"{result.p50_ms:6.1f} {result.p99_ms:8.1f} {result.per_second:8.0f} "
            f"{result.cpu_ms:8.2f}"
            for result in (api, floor)
        ]
        ratio = api.per_second / floor.per_second
        cpu_ratio = floor.cpu_ms / api.cpu_ms
        target = "  (target >= 0.50)" if scenario.is_read else ""
        print(
            f"{scenario.name:36} | {cells[0]} | {cells[1]} | {ratio:5.2f} {cpu_ratio:4.2f}{target}"
        )


async def main() -> None:
    url = await fresh_database("skyluxse_bench_bookings")
    ops_id = uuid.uuid4()
    started = time.perf_counter()
    sample = await _generate(url, ops_id)
    print(f"generated {BOOKINGS:,} bookings in {time.perf_counter() - started:.0f} s")
    await measure(url, sample, mint_token(SECRET, subject=ops_id))


async def measure(url: str, sample: dict[str, Any], token: str) -> None:
    api_env = {
        "DATABASE_URL": url,
        "RUN_WORKER_IN_APP": "false",
        "SEED_DEMO_DATA": "false",
        "SUPABASE_JWT_SECRET": SECRET,
        "TURNAROUND_BUFFER_MINUTES": str(BUFFER_MINUTES),
        "LOG_LEVEL": "WARNING",
    }
    rows = []
    async with (
        _server(["--factory", "skyluxse_api.app:create_app"], api_env, "/health/live") as api,
        _server(["bench.floor:app"], {"FLOOR_DATABASE_URL": url}, "/") as floor,
    ):
        for scenario in _scenarios(sample, token):
            await _load(api, scenario.api, WARMUP)
            api_result = await _load(api, scenario.api, REQUESTS)
            await _load(floor, scenario.floor, WARMUP)
            floor_result = await _load(floor, scenario.floor, REQUESTS)
            rows.append((scenario, api_result, floor_result))
    _print(rows)


if __name__ == "__main__":
    asyncio.run(main())
