"""Request and response shapes of tasks (operations board and driver cards)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AwareDatetime, Field

from skyluxse_api.api.schemas import (
    NonEmptyText,
    NonNegativeInt32,
    ShortText,
    Text,
    Timestamped,
    WriteModel,
)
from skyluxse_api.models.enums import PriorityLevel, TaskCategory, TaskStatus, TaskType

Distance = Annotated[Decimal, Field(ge=0, max_digits=6, decimal_places=2)]


class TaskRead(Timestamped):
    id: uuid.UUID
    booking_id: uuid.UUID | None
    vehicle_id: uuid.UUID | None
    client_id: uuid.UUID | None
    extension_id: uuid.UUID | None
    task_type: TaskType
    category: TaskCategory | None
    status: TaskStatus
    priority: PriorityLevel | None
    title: str = Field(examples=["Deliver Bentley Bentayga to Emirates Towers"])
    description: str | None
    deadline_at: datetime | None
    sla_minutes: int | None
    geo_pickup: dict[str, Any] | None = Field(
        examples=[{"label": "SkyLuxse HQ", "lat": 25.1865, "lng": 55.2644}]
    )
    geo_dropoff: dict[str, Any] | None
    route_distance_km: Decimal | None
    assignee_driver_id: uuid.UUID | None
    assignee_staff_id: uuid.UUID | None
    created_by: uuid.UUID | None
    started_at: datetime | None
    completed_at: datetime | None
    completion_notes: str | None


class _TaskFields(WriteModel):
    booking_id: uuid.UUID | None = None
    vehicle_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    extension_id: uuid.UUID | None = None
    category: TaskCategory | None = None
    priority: PriorityLevel | None = None
    description: Text | None = None
    deadline_at: AwareDatetime | None = None
    sla_minutes: NonNegativeInt32 | None = None
    geo_pickup: dict[str, Any] | None = None
    geo_dropoff: dict[str, Any] | None = None
    route_distance_km: Distance | None = None
    assignee_driver_id: uuid.UUID | None = None
    assignee_staff_id: uuid.UUID | None = None


class TaskCreate(_TaskFields):
    task_type: TaskType
    title: NonEmptyText


class TaskUpdate(_TaskFields):
    task_type: TaskType | None = None
    title: NonEmptyText | None = None


class TaskProgress(WriteModel):
    """What the assignee reports from the field: the task's status and closing notes."""

    status: TaskStatus
    completion_notes: ShortText | None = None
