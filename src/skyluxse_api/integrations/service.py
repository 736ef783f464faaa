"""Outbox administration: list and inspect rows, retry failed ones, count them."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from skyluxse_api.api.crud import lock_for_change, one_or_404, refresh_after_write
from skyluxse_api.api.pagination import ListParams, PageResult, paginate
from skyluxse_api.api.problems import Conflict
from skyluxse_api.api.routing import matches_id_or_code
from skyluxse_api.auth.principal import Principal
from skyluxse_api.auth.scopes import booking_scope
from skyluxse_api.integrations import schemas
from skyluxse_api.integrations.delivery import SALES_ORDER_EVENTS
from skyluxse_api.integrations.outbox import enqueue_booking_retry, notify_workers
from skyluxse_api.models import Booking, IntegrationsOutbox
from skyluxse_api.models.enums import (
    OutboxEntityType,
    OutboxEventType,
    OutboxStatus,
    OutboxTarget,
    ZohoSyncStatus,
)

OUTBOX_SORTS = {
    "created_at": IntegrationsOutbox.created_at,
    "next_run_at": IntegrationsOutbox.next_run_at,
    "updated_at": IntegrationsOutbox.updated_at,
}


@dataclass(frozen=True)
class OutboxFilters:
    status: OutboxStatus | None = None
    target_system: OutboxTarget | None = None
    event_type: OutboxEventType | None = None
    entity_type: OutboxEntityType | None = None
    entity_id: uuid.UUID | None = None


async def list_rows(
    session: AsyncSession, params: ListParams, sort: str, filters: OutboxFilters
) -> PageResult:
    statement = select(IntegrationsOutbox)
    for column, value in (
        (IntegrationsOutbox.status, filters.status),
        (IntegrationsOutbox.target_system, filters.target_system),
        (IntegrationsOutbox.event_type, filters.event_type),
        (IntegrationsOutbox.entity_type, filters.entity_type),
        (IntegrationsOutbox.entity_id, filters.entity_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    return await paginate(
        session,
        statement,
        sort=sort,
        sort_columns=OUTBOX_SORTS,
        id_column=IntegrationsOutbox.id,
        params=params,
    )


async def get_row(session: AsyncSession, row_id: uuid.UUID) -> IntegrationsOutbox:
    return await one_or_404(
        session, select(IntegrationsOutbox).where(IntegrationsOutbox.id == row_id), "outbox row"
    )


async def retry_row(session: AsyncSession, row_id: uuid.UUID) -> IntegrationsOutbox:
    """A failed row goes back to `pending`, due now, with its attempts reset (409 otherwise)."""
    row = await lock_for_change(
        session,
        select(IntegrationsOutbox).where(IntegrationsOutbox.id == row_id),
        "outbox row",
        None,
    )
    if row.status != OutboxStatus.failed:
        raise Conflict(
            f"Only a failed row can be retried; this one is {row.status}.",
            extra={"outbox_status": row.status},
        )
    row.status = OutboxStatus.pending
    row.attempts = 0
    row.next_run_at = func.now()
    row.locked_until = None
    row.locked_by = None
    if row.entity_type == OutboxEntityType.booking and row.event_type in SALES_ORDER_EVENTS:
        booking = await session.get(Booking, row.entity_id, with_for_update=True)
        if booking is not None:
            booking.zoho_sync_status = ZohoSyncStatus.pending
            booking.zoho_sync_error = None
    await notify_workers(session)
    await refresh_after_write(session, row)
    return row


async def stats(session: AsyncSession) -> schemas.OutboxStats:
    counts = (
        await session.execute(
            select(
                IntegrationsOutbox.target_system, IntegrationsOutbox.status, func.count()
            ).group_by(IntegrationsOutbox.target_system, IntegrationsOutbox.status)
        )
    ).all()
    by_status = dict.fromkeys(OutboxStatus, 0)
    by_target: dict[OutboxTarget, dict[OutboxStatus, int]] = defaultdict(
        lambda: dict.fromkeys(OutboxStatus, 0)
    )
    for target, status, count in counts:
        by_status[OutboxStatus(status)] += count
        by_target[OutboxTarget(target)][OutboxStatus(status)] += count
    oldest = await session.scalar(
        select(func.min(IntegrationsOutbox.created_at)).where(
            IntegrationsOutbox.status == OutboxStatus.pending
        )
    )
    return schemas.OutboxStats(
        by_status=by_status,
        by_target={target: by_target[target] for target in OutboxTarget},
        oldest_pending_created_at=oldest,
    )


async def retry_booking_sync(
    session: AsyncSession, principal: Principal, booking_ref: str
) -> IntegrationsOutbox:
    """Queue `booking.retry` for a booking whose Zoho sync failed (409 otherwise)."""
    booking = await lock_for_change(
        session,
        select(Booking).where(
            matches_id_or_code(Booking.id, Booking.external_code, booking_ref),
            booking_scope(principal),
        ),
        "booking",
        None,
    )
    if booking.zoho_sync_status != ZohoSyncStatus.failed:
        raise Conflict(
            "Only a booking whose Zoho sync failed can be retried; "
            f"its sync status is {booking.zoho_sync_status or 'not started'}.",
            extra={"zoho_sync_status": booking.zoho_sync_status},
        )
    row = await enqueue_booking_retry(session, booking.id, principal.staff_id)
    await refresh_after_write(session, row)
    return row
