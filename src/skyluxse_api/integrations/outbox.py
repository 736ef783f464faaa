"""Enqueue side effects towards Kommo and Zoho in the caller's transaction.

A row says *what* to sync (entity, target, event), not *with which data*: the
worker reads the entity's current state when it delivers, so several changes
before delivery collapse into one up-to-date call and never overwrite newer data
with older. A pending row for the same entity, target and event makes a new one
redundant. `pg_notify` wakes the workers when the transaction commits.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from skyluxse_api.models import IntegrationsOutbox
from skyluxse_api.models.enums import (
    OutboxEntityType,
    OutboxEventType,
    OutboxStatus,
    OutboxTarget,
)

NOTIFY_CHANNEL = "integrations_outbox"


async def enqueue(
    session: AsyncSession,
    entity_type: OutboxEntityType,
    entity_id: uuid.UUID,
    target: OutboxTarget,
    event_type: OutboxEventType,
    payload: dict[str, Any] | None = None,
) -> None:
    already_pending = await session.scalar(
        select(IntegrationsOutbox.id).where(
            IntegrationsOutbox.entity_type == entity_type,
            IntegrationsOutbox.entity_id == entity_id,
            IntegrationsOutbox.target_system == target,
            IntegrationsOutbox.event_type == event_type,
            IntegrationsOutbox.status == OutboxStatus.pending,
        )
    )
    if already_pending is not None:
        return
    session.add(
        IntegrationsOutbox(
            entity_type=entity_type,
            entity_id=entity_id,
            target_system=target,
            event_type=event_type,
            payload=payload or {},
        )
    )
    await session.execute(text(f"SELECT pg_notify('{NOTIFY_CHANNEL}', '')"))


async def enqueue_contact_upsert(session: AsyncSession, client_id: uuid.UUID) -> None:
    """A client was created or its name, phone or email changed: sync both CRMs."""
    for target in (OutboxTarget.zoho, OutboxTarget.kommo):
        await enqueue(
            session, OutboxEntityType.client, client_id, target, OutboxEventType.contact_upsert
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
