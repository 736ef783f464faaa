"""The async engine and the one-transaction-per-request session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from skyluxse_api.settings import Settings


def create_engine(database_url: str, settings: Settings) -> AsyncEngine:
    return create_async_engine(
        database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        # No pre-ping: it costs a round trip on every request. A connection the
        # server dropped fails once, is invalidated, and the pool replaces it;
        # recycling keeps connections younger than poolers' idle timeouts.
        pool_recycle=1800,
        # Timestamps are compared with now() in SQL; keep the session in UTC so
        # dates computed by the database match what the API prints.
        connect_args={"server_settings": {"timezone": "UTC", "application_name": "skyluxse-api"}},
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: commit when the endpoint returned, else roll back.

    Declared with scope="function" so the commit happens before the response is
    sent: a failed commit becomes an error answer, never a 2xx followed by loss.
    """
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        await session.commit()


DbSession = Annotated[AsyncSession, Depends(_request_session, scope="function")]
