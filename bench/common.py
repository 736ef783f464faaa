"""Shared pieces of the benchmarks: a throwaway migrated database and timing helpers."""

from __future__ import annotations

import asyncio
import os
import statistics
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from skyluxse_api.db import migrations
from skyluxse_api.settings import to_asyncpg_url

ROOT = Path(__file__).resolve().parents[1]


async def fresh_database(name: str) -> str:
    """A migrated, empty database `<name>` on BENCH_DATABASE_URL's server or the embedded one."""
    if os.environ.get("BENCH_DATABASE_URL"):
        server = to_asyncpg_url(os.environ["BENCH_DATABASE_URL"])
    else:
        from skyluxse_api.db.embedded import embedded_database_url

        server = await asyncio.to_thread(embedded_database_url, ROOT / ".data", "postgres")
    admin = create_async_engine(
        make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    await asyncio.to_thread(migrations.upgrade, url)
    return url


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def percentile_ms(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index] * 1000
