"""Bookings and everything hanging off them: money lines, invoices, timeline, tags, extensions."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from skyluxse_api.db.base import Base, Timestamps, one_of, pg_enum, uuid_pk
from skyluxse_api.models.enums import (
    ActorType,
    BookingStatus,
    BookingType,
    ClientSegment,
    ExtensionStatus,
    InvoiceScope,
    InvoiceStatus,
    LineCategory,
    PriorityLevel,
    RoleType,
    TaskStatus,
    ZohoSyncStatus,
)


class Booking(Timestamps, Base):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("sales_rating_value BETWEEN 0 AND 10", name="sales_rating_range"),
        CheckConstraint(
            "end_at IS NULL OR start_at IS NULL OR end_at >= start_at", name="window_order"
        ),
        CheckConstraint("sla_minutes >= 0", name="sla_minutes_non_negative"),
        CheckConstraint("pickup_mileage >= 0", name="pickup_mileage_non_negative"),
        CheckConstraint(
            "return_mileage IS NULL OR pickup_mileage IS NULL OR return_mileage >= pickup_mileage",
            name="mileage_not_backwards",
        ),
        CheckConstraint("total_amount >= 0", name="total_amount_non_negative"),
        CheckConstraint("paid_amount >= 0", name="paid_amount_non_negative"),
        CheckConstraint("deposit_amount >= 0", name="deposit_amount_non_negative"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_code"),
        one_of("zoho_sync_status", ZohoSyncStatus),
        Index("ix_bookings_vehicle_window", "vehicle_id", "start_at", "end_at"),
        Index("ix_bookings_status_start", "status", "start_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    external_code: Mapped[str | None] = mapped_column(Text, unique=True)
    client_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    vehicle_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("vehicles.id", ondelete="RESTRICT"), index=True
    )
    driver_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("driver_profiles.id", ondelete="SET NULL"), index=True
    )
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[BookingStatus] = mapped_column(
        pg_enum(BookingStatus, "booking_status"), server_default="new"
    )
    booking_type: Mapped[BookingType | None] = mapped_column(
        pg_enum(BookingType, "booking_type"), index=True
    )
    channel: Mapped[str | None] = mapped_column(Text, index=True)
    source_payload_id: Mapped[str | None] = mapped_column(Text, unique=True)
    kommo_status_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    priority: Mapped[PriorityLevel | None] = mapped_column(
        pg_enum(PriorityLevel, "priority_level"), index=True
    )
    # Snapshot of the client's segment when the booking was created.
    segment: Mapped[ClientSegment | None] = mapped_column(pg_enum(ClientSegment, "client_segment"))
    start_at: Mapped[datetime | None] = mapped_column(index=True)
    end_at: Mapped[datetime | None] = mapped_column(index=True)
    pickup_location: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    dropoff_location: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    sla_minutes: Mapped[int | None] = mapped_column(Integer)
    promised_at: Mapped[datetime | None] = mapped_column(index=True)
    actual_at: Mapped[datetime | None]
    total_amount: Mapped[Decimal | None]
    paid_amount: Mapped[Decimal] = mapped_column(server_default="0")
    deposit_amount: Mapped[Decimal | None]
    currency: Mapped[str] = mapped_column(Text, server_default="AED")
    pickup_mileage: Mapped[int | None] = mapped_column(Integer)
    pickup_fuel_level: Mapped[str | None] = mapped_column(Text)
    return_mileage: Mapped[int | None] = mapped_column(Integer)
    return_fuel_level: Mapped[str | None] = mapped_column(Text)
    sales_rating_value: Mapped[int | None] = mapped_column(SmallInteger)
    sales_rating_feedback: Mapped[str | None] = mapped_column(Text)
    rated_by_role: Mapped[RoleType | None] = mapped_column(pg_enum(RoleType, "role_type"))
    rated_at: Mapped[datetime | None]
    zoho_sales_order_id: Mapped[str | None] = mapped_column(Text)
    zoho_sync_status: Mapped[str | None] = mapped_column(Text, index=True)
    zoho_sync_error: Mapped[str | None] = mapped_column(Text)


class BookingAddon(Timestamps, Base):
    """A price line: the base rate, an add-on (`chauffeur`, ...) or a discount."""

    __tablename__ = "booking_addons"
    __table_args__ = (
        one_of("category", LineCategory),
        CheckConstraint("amount >= 0", name="amount_non_negative"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    booking_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal] = mapped_column()
    category: Mapped[str] = mapped_column(Text, server_default="addon")


class BookingInvoice(Timestamps, Base):
    __tablename__ = "booking_invoices"
    __table_args__ = (
        one_of("scope", InvoiceScope),
        one_of("status", InvoiceStatus),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    booking_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    external_ref: Mapped[str | None] = mapped_column(Text, unique=True)
    label: Mapped[str] = mapped_column(Text)
    invoice_type: Mapped[str | None] = mapped_column(Text)
    # Signed: a negative deposit invoice is a refund of part of the deposit.
    amount: Mapped[Decimal] = mapped_column()
    status: Mapped[str] = mapped_column(Text, server_default="issued", index=True)
    issued_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    scope: Mapped[str] = mapped_column(Text, server_default="rental")


class BookingTimelineEvent(Timestamps, Base):
    __tablename__ = "booking_timeline_events"
    __table_args__ = (one_of("actor_type", ActorType),)

    id: Mapped[uuid.UUID] = uuid_pk()
    booking_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    event_ts: Mapped[datetime] = mapped_column(server_default=func.now())
    status: Mapped[BookingStatus | None] = mapped_column(pg_enum(BookingStatus, "booking_status"))
    note: Mapped[str | None] = mapped_column(Text)
    actor_type: Mapped[str] = mapped_column(Text, server_default="system")
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True
    )


class BookingTag(Timestamps, Base):
    __tablename__ = "booking_tags"

    id: Mapped[uuid.UUID] = uuid_pk()
    slug: Mapped[str] = mapped_column(Text, unique=True)
    label: Mapped[str] = mapped_column(Text)
    color_token: Mapped[str | None] = mapped_column(Text)


class BookingTagLink(Timestamps, Base):
    __tablename__ = "booking_tag_links"

    booking_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("booking_tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class BookingExtension(Timestamps, Base):
    """A request to keep the car longer (`EXT-1052-1`), priced on its own."""

    __tablename__ = "booking_extensions"
    __table_args__ = (
        one_of("status", ExtensionStatus),
        CheckConstraint(
            "end_at IS NULL OR start_at IS NULL OR end_at > start_at", name="window_order"
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    booking_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(Text, unique=True)
    start_at: Mapped[datetime | None]
    end_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(Text, server_default="requested", index=True)
    note: Mapped[str | None] = mapped_column(Text)
    pricing_base: Mapped[Decimal | None]
    pricing_addons: Mapped[Decimal | None]
    pricing_fees: Mapped[Decimal | None]
    pricing_discounts: Mapped[Decimal | None]
    pricing_total: Mapped[Decimal | None]
    currency: Mapped[str] = mapped_column(Text, server_default="AED")
    deposit_adjustment: Mapped[Decimal | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True
    )


class ExtensionNotification(Timestamps, Base):
    """A WhatsApp or email message to send to the client about an extension."""

    __tablename__ = "extension_notifications"

    id: Mapped[uuid.UUID] = uuid_pk()
    extension_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("booking_extensions.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(Text)
    recipient: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, server_default="pending")
    sent_at: Mapped[datetime | None]


class ExtensionTask(Timestamps, Base):
    """An operational follow-up of an extension, shown on the operations board."""

    __tablename__ = "extension_tasks"

    id: Mapped[uuid.UUID] = uuid_pk()
    extension_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("booking_extensions.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(Text)
    status: Mapped[TaskStatus] = mapped_column(
        pg_enum(TaskStatus, "task_status"), server_default="todo"
    )
    due_at: Mapped[datetime | None]
    assignee_staff_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True
    )


class BookingConflict(Timestamps, Base):
    """An overlap found when importing a booking: recorded, not refused (decisions.md)."""

    __tablename__ = "booking_conflicts"
    __table_args__ = (
        UniqueConstraint("booking_id", "conflicting_booking_id", name="uq_booking_conflicts_pair"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    booking_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    conflicting_booking_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(Text, server_default="kommo_import")
    detected_at: Mapped[datetime] = mapped_column(server_default=func.now())
    resolved_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
