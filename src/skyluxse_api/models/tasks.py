"""Field and back-office tasks: the operations board and the driver's phone cards."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from skyluxse_api.db.base import Base, Timestamps, numeric, one_of, pg_enum, uuid_pk
from skyluxse_api.models.enums import (
    PriorityLevel,
    TaskCategory,
    TaskInputType,
    TaskStatus,
    TaskType,
)


class Task(Timestamps, Base):
    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint("sla_minutes >= 0", name="sla_minutes_non_negative"),
        CheckConstraint("route_distance_km >= 0", name="route_distance_non_negative"),
        Index("ix_tasks_driver_status", "assignee_driver_id", "status"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    booking_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("bookings.id", ondelete="SET NULL"), index=True
    )
    vehicle_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("vehicles.id", ondelete="SET NULL"), index=True
    )
    client_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("clients.id", ondelete="SET NULL"), index=True
    )
    extension_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("booking_extensions.id", ondelete="SET NULL"), index=True
    )
    task_type: Mapped[TaskType] = mapped_column(pg_enum(TaskType, "task_type"), index=True)
    category: Mapped[TaskCategory | None] = mapped_column(pg_enum(TaskCategory, "task_category"))
    status: Mapped[TaskStatus] = mapped_column(
        pg_enum(TaskStatus, "task_status"), server_default="todo", index=True
    )
    priority: Mapped[PriorityLevel | None] = mapped_column(pg_enum(PriorityLevel, "priority_level"))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    deadline_at: Mapped[datetime | None] = mapped_column(index=True)
    sla_minutes: Mapped[int | None] = mapped_column(Integer)
    geo_pickup: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    geo_dropoff: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    route_distance_km: Mapped[Decimal | None] = mapped_column(numeric(6, 2))
    assignee_driver_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("driver_profiles.id", ondelete="SET NULL"), index=True
    )
    assignee_staff_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True
    )
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completion_notes: Mapped[str | None] = mapped_column(Text)


class TaskChecklistItem(Timestamps, Base):
    __tablename__ = "task_checklist_items"

    id: Mapped[uuid.UUID] = uuid_pk()
    task_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(Text)
    required: Mapped[bool] = mapped_column(Boolean, server_default="false")
    position: Mapped[int] = mapped_column(Integer, server_default="0")
    completed: Mapped[bool] = mapped_column(Boolean, server_default="false")
    completed_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True
    )
    completed_at: Mapped[datetime | None]


class TaskRequiredInput(Timestamps, Base):
    """What the driver must capture to close a task: odometer, fuel, photos."""

    __tablename__ = "task_required_inputs"
    __table_args__ = (
        one_of("input_type", TaskInputType),
        UniqueConstraint("task_id", "key", name="uq_task_required_inputs_task_key"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    task_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(Text)
    input_type: Mapped[str] = mapped_column(Text)
    accept: Mapped[str | None] = mapped_column(Text)
    multiple: Mapped[bool] = mapped_column(Boolean, server_default="false")
    required: Mapped[bool] = mapped_column(Boolean, server_default="false")


class TaskRequiredInputValue(Timestamps, Base):
    __tablename__ = "task_required_input_values"

    id: Mapped[uuid.UUID] = uuid_pk()
    input_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("task_required_inputs.id", ondelete="CASCADE"), index=True
    )
    value_text: Mapped[str | None] = mapped_column(Text)
    value_number: Mapped[Decimal | None] = mapped_column(numeric(14, 3))
    value_json: Mapped[Any | None] = mapped_column(JSONB)
    captured_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True
    )
    captured_at: Mapped[datetime] = mapped_column(server_default=func.now())


class TaskMedia(Timestamps, Base):
    """A photo or video taken for a task; the file itself is a `documents` row."""

    __tablename__ = "task_media"
    __table_args__ = (
        UniqueConstraint("task_id", "document_id", name="uq_task_media_task_document"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    task_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    caption: Mapped[str | None] = mapped_column(Text)
    captured_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True
    )
