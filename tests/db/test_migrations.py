"""The migration chain is the only way the schema is built: it must go up, down and up again."""

from __future__ import annotations

import asyncio

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from skyluxse_api.db import migrations
from skyluxse_api.models import Base
from tests.conftest import drop_database, recreate_database, sibling_database_url


async def _fetch(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return [tuple(row) for row in (await conn.execute(text(sql))).all()]
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade_and_no_drift() -> None:
    url = sibling_database_url("migrations")
    await recreate_database(url)
    await asyncio.to_thread(migrations.upgrade, url)
    tables = await _fetch(
        url,
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' "
        "AND table_name <> 'alembic_version'",
    )
    assert {name for (name,) in tables} == set(Base.metadata.tables)
    assert len(tables) == 45  # the 41 of the schema document + 4 of the API itself

    await asyncio.to_thread(migrations.downgrade, url, "base")
    leftovers = await _fetch(
        url,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
        "AND table_name <> 'alembic_version' UNION ALL "
        "SELECT typname::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE n.nspname = 'public' AND t.typtype = 'e' UNION ALL "
        "SELECT proname::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = 'public' AND p.prokind = 'f' AND p.proname NOT LIKE 'citext%'",
    )
    assert leftovers == []

    await asyncio.to_thread(migrations.upgrade, url)
    # `alembic check` raises when autogenerate finds a difference from the models.
    await asyncio.to_thread(command.check, migrations.alembic_config(url))
    await drop_database(url)


async def test_every_table_has_an_updated_at_trigger(db) -> None:  # type: ignore[no-untyped-def]
    rows = (
        await db.execute(
            text(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'alembic_version' "
                "AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid "
                "AND t.tgname = c.relname || '_set_updated_at')"
            )
        )
    ).all()
    assert rows == []
