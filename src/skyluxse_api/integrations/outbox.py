"""Enqueue side effects towards Kommo and Zoho in the caller's transaction.

A row says *what* to sync (entity, target, event), not *with which data*: the
worker reads the entity's current state when it delivers, so several changes
before delivery collapse into one up-to-date call and never overwrite newer data
with older. A pending row for the same entity, target and event makes a new one
redundant. `pg_notify` wakes the workers when the transaction commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from skyluxse_api.models import Booking, IntegrationsOutbox
from skyluxse_api.models.enums import (
    OutboxEntityType,
    OutboxEventType,
    OutboxStatus,
    OutboxTarget,
    ZohoSyncStatus,
)

NOTIFY_CHANNEL = "integrations_outbox"
BOTH_CRMS = (OutboxTarget.zoho, OutboxTarget.kommo)


async def notify_workers(session: AsyncSession) -> None:
    """Wake the workers when this transaction commits (PostgreSQL delivers NOTIFY at commit)."""
    await session.execute(text(f"SELECT pg_notify('{NOTIFY_CHANNEL}', '')"))


async def enqueue(
    session: AsyncSession,
    entity_type: OutboxEntityType,
    entity_id: uuid.UUID,
    target: OutboxTarget,
    event_type: OutboxEventType,
    payload: dict[str, Any] | None = None,
) -> IntegrationsOutbox:
    """Queue one delivery, or return the pending row that already covers it."""
    # FOR UPDATE: a worker claiming that row now waits for this transaction, so it reads the
    # entity after this change commits; a row it already claimed no longer matches `pending`.
    already_pending = await session.scalar(
        select(IntegrationsOutbox)
        .where(
            IntegrationsOutbox.entity_type == entity_type,
            IntegrationsOutbox.entity_id == entity_id,
            IntegrationsOutbox.target_system == target,
            IntegrationsOutbox.event_type == event_type,
            IntegrationsOutbox.status == OutboxStatus.pending,
        )
        .limit(1)
        .with_for_update()
    )
    if already_pending is not None:
        return already_pending
    row = IntegrationsOutbox(
        entity_type=entity_type,
        entity_id=entity_id,
        target_system=target,
        event_type=event_type,
        payload=payload or {},
    )
    session.add(row)
    await session.flush()
    await notify_workers(session)
    return row


async def enqueue_contact_upsert(
    session: AsyncSession, client_id: uuid.UUID, *, targets: Iterable[OutboxTarget] = BOTH_CRMS
) -> None:
    """A client was created or its name, phone or email changed: sync both CRMs.

    Changes imported from Kommo pass `targets=(OutboxTarget.zoho,)`: echoing them back to
    Kommo would start a webhook loop.
    """
    for target in targets:
        await enqueue(
            session, OutboxEntityType.client, client_id, target, OutboxEventType.contact_upsert
        )


async def _mark_sync_pending(session: AsyncSession, booking_id: uuid.UUID) -> None:
    # An ORM UPDATE also refreshes a Booking the caller holds in this session.
    await session.execute(
        update(Booking)
        .where(Booking.id == booking_id)
        .values(zoho_sync_status=ZohoSyncStatus.pending, zoho_sync_error=None)
    )


async def enqueue_sales_order(session: AsyncSession, booking_id: uuid.UUID) -> None:
    """A booking was confirmed (left `new`): create its Zoho sales order."""
    await enqueue(
        session,
        OutboxEntityType.booking,
        booking_id,
        OutboxTarget.zoho,
        OutboxEventType.sales_order_create,
    )
    await _mark_sync_pending(session, booking_id)


async def enqueue_booking_retry(
    session: AsyncSession, booking_id: uuid.UUID, requested_by: uuid.UUID | None
) -> IntegrationsOutbox:
    """An operator asks to sync a booking whose Zoho sales order failed."""
    row = await enqueue(
        session,
        OutboxEntityType.booking,
        booking_id,
        OutboxTarget.zoho,
        OutboxEventType.booking_retry,
        {"requested_by": str(requested_by) if requested_by else None},
    )
    await _mark_sync_pending(session, booking_id)
    return row
