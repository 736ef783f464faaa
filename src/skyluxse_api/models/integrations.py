"""Side effects towards Kommo and Zoho, queued in the same transaction as the change."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from skyluxse_api.db.base import Base, Timestamps, one_of, uuid_pk
from skyluxse_api.models.enums import (
    OutboxEntityType,
    OutboxEventType,
    OutboxStatus,
    OutboxTarget,
)


class IntegrationsOutbox(Timestamps, Base):
    __tablename__ = "integrations_outbox"
    __table_args__ = (
        one_of("entity_type", OutboxEntityType),
        one_of("target_system", OutboxTarget),
        one_of("event_type", OutboxEventType),
        one_of("status", OutboxStatus),
        # The worker's claim query: due pending rows, oldest first.
        Index(
            "ix_integrations_outbox_due",
            "next_run_at",
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_integrations_outbox_entity", "entity_type", "entity_id"),
        Index("ix_integrations_outbox_status_target", "status", "target_system"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    entity_type: Mapped[str] = mapped_column(Text)
    entity_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    target_system: Mapped[str] = mapped_column(Text)
    event_type: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    status: Mapped[str] = mapped_column(Text, server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    next_run_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # Lease of the worker that claimed the row; an expired lease makes it claimable again.
    locked_until: Mapped[datetime | None]
    locked_by: Mapped[str | None] = mapped_column(Text)
