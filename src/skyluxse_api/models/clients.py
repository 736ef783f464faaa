"""Clients, their notification history and their preferences."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ARRAY, Boolean, CheckConstraint, ForeignKey, Index, SmallInteger, Text
from sqlalchemy.dialects.postgresql import CITEXT, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from skyluxse_api.db.base import Base, Timestamps, pg_enum, uuid_pk
from skyluxse_api.models.enums import ClientSegment, ClientTier


class Client(Timestamps, Base):
    __tablename__ = "clients"
    __table_args__ = (
        CheckConstraint("nps_score BETWEEN 0 AND 10", name="nps_score_range"),
        Index("ix_clients_kommo_contact_id", "kommo_contact_id"),
        Index("ix_clients_zoho_contact_id", "zoho_contact_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    kommo_contact_id: Mapped[str | None] = mapped_column(Text)
    zoho_contact_id: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(CITEXT, index=True)
    residency_country: Mapped[str | None] = mapped_column(Text, index=True)
    # Computed by refresh_client_metrics_for_ids(); never written by the app.
    tier: Mapped[ClientTier] = mapped_column(
        pg_enum(ClientTier, "client_tier"), server_default="silver", index=True
    )
    segment: Mapped[ClientSegment] = mapped_column(
        pg_enum(ClientSegment, "client_segment"), server_default="general", index=True
    )
    gender: Mapped[str | None] = mapped_column(Text)
    birth_date: Mapped[date | None]
    outstanding_amount: Mapped[Decimal] = mapped_column(server_default="0")
    nps_score: Mapped[int | None] = mapped_column(SmallInteger)
    preferred_channels: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    preferred_language: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True
    )
    updated_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True
    )


class ClientNotification(Timestamps, Base):
    """The history feed under each client (`NT-101`, ...)."""

    __tablename__ = "client_notifications"

    id: Mapped[uuid.UUID] = uuid_pk()
    external_ref: Mapped[str | None] = mapped_column(Text, unique=True)
    client_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    content: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    status: Mapped[str | None] = mapped_column(Text)
    meta: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class ClientPreferences(Timestamps, Base):
    """Structured flags kept apart from the high-churn `clients` row (one row per client)."""

    __tablename__ = "client_preferences"

    id: Mapped[uuid.UUID] = uuid_pk()
    client_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), unique=True
    )
    marketing_opt_in: Mapped[bool] = mapped_column(Boolean, server_default="false")
    vip_concierge: Mapped[bool] = mapped_column(Boolean, server_default="false")
    concierge_staff_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True
    )
    do_not_contact: Mapped[bool] = mapped_column(Boolean, server_default="false")
    notes: Mapped[str | None] = mapped_column(Text)
