"""Side effects towards Kommo and Zoho, queued in the same transaction as the change."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, Integer, Text, func, text
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


class KommoWebhookDelivery(Timestamps, Base):
    """One raw webhook delivery from Kommo, stored before it is processed."""

    __tablename__ = "kommo_webhook_deliveries"
    __table_args__ = (
        CheckConstraint(
            "status IN ('received', 'processed', 'duplicate', 'rejected', 'failed')",
            name="status_valid",
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    received_at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)
    account_subdomain: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    body_sha256: Mapped[str] = mapped_column(Text, index=True)
    status: Mapped[str] = mapped_column(Text, server_default="received", index=True)
    error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None]


class IntegrationCredential(Timestamps, Base):
    """The live OAuth tokens of one external system, shared by every process of the service.

    Kommo rotates its refresh token on every refresh and the old one stops working, so the
    current pair has to live in one place all workers read and update.
    """

    __tablename__ = "integration_credentials"

    provider: Mapped[str] = mapped_column(Text, primary_key=True)
    access_token: Mapped[str | None] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None]
