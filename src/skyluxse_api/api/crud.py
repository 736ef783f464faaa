"""Small helpers every service uses to load, change and delete one scoped row."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from skyluxse_api.api.etag import check_if_match
from skyluxse_api.api.problems import NotFound

T = TypeVar("T")


def not_found(what: str) -> NotFound:
    return NotFound(f"No {what} with this id, or it is outside what you may see.")


async def one_or_404(session: AsyncSession, statement: Select[T], what: str) -> T:
    """The single row `statement` finds (already narrowed by a row scope), else 404."""
    found = (await session.execute(statement)).scalar_one_or_none()
    if found is None:
        raise not_found(what)
    return found


async def lock_for_change(
    session: AsyncSession, statement: Select[T], what: str, if_match: str | None
) -> T:
    """Load a row FOR UPDATE and refuse a stale `If-Match` (412)."""
    row: Any = await one_or_404(session, statement.with_for_update(), what)
    check_if_match(if_match, row.id, row.updated_at)
    return row


def apply_changes(row: object, changes: BaseModel) -> set[str]:
    """Copy the fields the client sent (not the defaults) onto the row."""
    sent = changes.model_fields_set
    for field in sent:
        setattr(row, field, getattr(changes, field))
    return sent


async def refresh_after_write(session: AsyncSession, row: object) -> None:
    """Flush and reload server-side values (updated_at, defaults, computed columns)."""
    await session.flush()
    await session.refresh(row)
