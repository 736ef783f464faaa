"""Test harness: one migrated PostgreSQL database per run, one rolled-back transaction per test.

The database is `skyluxse_test_<pid>` on the embedded server, created for the run
and dropped after it (so parallel runs never share one), or TEST_DATABASE_URL when
set (a throwaway database the run recreates).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)

from skyluxse_api.app import create_app
from skyluxse_api.auth.tokens import mint_token
from skyluxse_api.db import migrations
from skyluxse_api.documents.storage import LocalStorage
from skyluxse_api.settings import Settings, to_asyncpg_url

TEST_SECRET = "test-secret-for-hs256-0123456789abcdef0123456789"
ROOT = Path(__file__).resolve().parents[1]


async def recreate_database(url: str) -> None:
    """Drop and create the database `url` names, through the server's `postgres` database."""
    target = make_url(url)
    admin = create_async_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        await admin.dispose()


def _base_test_url() -> str:
    if os.environ.get("TEST_DATABASE_URL"):
        return to_asyncpg_url(os.environ["TEST_DATABASE_URL"])
    from skyluxse_api.db.embedded import embedded_database_url

    return embedded_database_url(ROOT / ".data", "postgres")


def _test_database_url() -> str:
    base = make_url(_base_test_url())
    if base.database == "postgres":
        base = base.set(database=f"skyluxse_test_{os.getpid()}")
    return base.render_as_string(hide_password=False)


def sibling_database_url(name: str) -> str:
    """A URL on the test server for another database (`<test db>_<name>`)."""
    base = make_url(_test_database_url())
    return base.set(database=f"{base.database}_{name}").render_as_string(hide_password=False)


async def drop_database(url: str) -> None:
    target = make_url(url)
    admin = create_async_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    url = _test_database_url()
    await recreate_database(url)
    # Alembic's env.py runs its own event loop: keep it off the test loop.
    await asyncio.to_thread(migrations.upgrade, url)
    yield url
    if not os.environ.get("TEST_DATABASE_URL"):
        await drop_database(url)


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        supabase_jwt_secret=TEST_SECRET,
        run_worker_in_app=False,
        seed_demo_data=False,
        data_dir=ROOT / ".data" / "test",
    )


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(
        database_url, connect_args={"server_settings": {"timezone": "UTC"}}
    )
    yield engine
    await engine.dispose()


@pytest.fixture
async def db(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside a transaction that is rolled back after the test."""
    async with engine.connect() as conn:
        transaction = await conn.begin()
        try:
            yield conn
        finally:
            await transaction.rollback()


@pytest.fixture
def app(settings: Settings, db: AsyncConnection, tmp_path: Path) -> Any:
    application = create_app(settings)
    # Each test's uploads land in its own folder (`tmp_path / "storage"`), not the shared one.
    application.state.storage = LocalStorage(tmp_path / "storage")
    # Request sessions join the test's transaction; their commits become savepoints.
    application.state.engine = db.engine
    application.state.sessionmaker = async_sessionmaker(
        bind=db, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
    )
    return application


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


StaffFactory = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def make_staff(db: AsyncConnection) -> StaffFactory:
    """Insert a staff account (and a driver profile for drivers); returns its ids and headers."""

    async def factory(role: str = "ceo", *, active: bool = True, **columns: Any) -> dict[str, Any]:
        staff_id = uuid.uuid4()
        email = columns.pop("email", f"{role}-{staff_id.hex[:8]}@test.skyluxse.ae")
        await db.execute(
            text(
                "INSERT INTO staff_accounts (id, full_name, email, role, is_active) "
                "VALUES (:id, :name, :email, :role, :active)"
            ),
            {
                "id": staff_id,
                "name": columns.pop("full_name", f"Test {role}"),
                "email": email,
                "role": role,
                "active": active,
            },
        )
        driver_id = None
        if role == "driver":
            driver_id = (
                await db.execute(
                    text(
                        "INSERT INTO driver_profiles (staff_account_id) VALUES (:id) RETURNING id"
                    ),
                    {"id": staff_id},
                )
            ).scalar_one()
        token = mint_token(TEST_SECRET, subject=staff_id, email=email)
        return {
            "id": staff_id,
            "email": email,
            "role": role,
            "driver_id": driver_id,
            "token": token,
            "headers": {"Authorization": f"Bearer {token}"},
        }

    return factory
