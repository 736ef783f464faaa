"""Maintenance and repair entries of the fleet calendar (rentals come from bookings)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from skyluxse_api.db.base import Base, Timestamps, pg_enum, uuid_pk
from skyluxse_api.models.enums import CalendarEventType, EventStatus, PriorityLevel


class CalendarEvent(Timestamps, Base):
    __tablename__ = "calendar_events"
    __table_args__ = (
        CheckConstraint(
            "end_at IS NULL OR start_at IS NULL OR end_at >= start_at", name="window_order"
        ),
        Index("ix_calendar_events_vehicle_window", "vehicle_id", "start_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    external_ref: Mapped[str | None] = mapped_column(Text, unique=True)
    vehicle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("vehicles.id", ondelete="RESTRICT"), index=True
    )
    booking_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("bookings.id", ondelete="SET NULL"), index=True
    )
    maintenance_job_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("maintenance_jobs.id", ondelete="CASCADE"), index=True
    )
    event_type: Mapped[CalendarEventType] = mapped_column(
        pg_enum(CalendarEventType, "calendar_event_type")
    )
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    start_at: Mapped[datetime | None]
    end_at: Mapped[datetime | None]
    status: Mapped[EventStatus] = mapped_column(
        pg_enum(EventStatus, "event_status"), server_default="scheduled"
    )
    priority: Mapped[PriorityLevel | None] = mapped_column(pg_enum(PriorityLevel, "priority_level"))
    color_token: Mapped[str | None] = mapped_column(Text)
