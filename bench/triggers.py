"""Issue 2: a bulk booking import with the statement-level refresh triggers on and off.

20,000 bookings for 200 clients and 50 vehicles in one INSERT ... SELECT, timed
with the refresh triggers enabled and with user triggers disabled, alternating,
five rounds each. Target: ratio <= 3 (row-level triggers measured over 100).
"""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench.common import fresh_database, median_ms

ROUNDS = 5
BOOKINGS, CLIENTS, VEHICLES = 20_000, 200, 50

INSERT_BOOKINGS = text(
    """
    INSERT INTO bookings (client_id, vehicle_id, status, total_amount, start_at, end_at)
    SELECT c.ids[1 + i % :clients], v.ids[1 + i % :vehicles],
           (enum_range(NULL::booking_status))[1 + i % 5],
           (500 + i % 4000)::numeric(12, 2),
           now() - make_interval(days => i % 90),
           now() - make_interval(days => i % 90) + interval '2 days'
    FROM generate_series(1, :bookings) AS i,
         (SELECT array_agg(id) AS ids FROM clients) AS c,
         (SELECT array_agg(id) AS ids FROM vehicles) AS v
    """
)


async def _timed_insert(engine: AsyncEngine, triggers_on: bool) -> float:
    async with engine.begin() as conn:
        action = "ENABLE" if triggers_on else "DISABLE"
        await conn.execute(text(f"ALTER TABLE bookings {action} TRIGGER USER"))
        started = time.perf_counter()
        await conn.execute(
            INSERT_BOOKINGS, {"clients": CLIENTS, "vehicles": VEHICLES, "bookings": BOOKINGS}
        )
        elapsed = time.perf_counter() - started
        await conn.execute(text("ALTER TABLE bookings ENABLE TRIGGER USER"))
    # Each round starts from the same empty bookings table.
    async with engine.begin() as conn:
        await conn.execute(text("ALTER TABLE bookings DISABLE TRIGGER USER"))
        await conn.execute(text("DELETE FROM bookings"))
        await conn.execute(text("ALTER TABLE bookings ENABLE TRIGGER USER"))
    async with engine.connect() as conn:
        await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(
            text("VACUUM ANALYZE bookings")
        )
    return elapsed


async def main() -> None:
    url = await fresh_database("skyluxse_bench_triggers")
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(
            text("INSERT INTO clients (name) SELECT 'Client ' || i FROM generate_series(1, :n) i"),
            {"n": CLIENTS},
        )
        await conn.execute(
            text("INSERT INTO vehicles (name) SELECT 'Car ' || i FROM generate_series(1, :n) i"),
            {"n": VEHICLES},
        )
    with_triggers: list[float] = []
    without: list[float] = []
    for _ in range(ROUNDS):
        with_triggers.append(await _timed_insert(engine, triggers_on=True))
        without.append(await _timed_insert(engine, triggers_on=False))
    await engine.dispose()
    on, off = median_ms(with_triggers), median_ms(without)
    print(f"bulk insert of {BOOKINGS:,} bookings ({CLIENTS} clients, {VEHICLES} vehicles), "
          f"median of {ROUNDS}")  # fmt: skip
    print(f"  refresh triggers enabled : {on:8.1f} ms")
    print(f"  user triggers disabled   : {off:8.1f} ms")
    print(f"  ratio                    : {on / off:8.2f}  (target <= 3)")


if __name__ == "__main__":
    asyncio.run(main())
