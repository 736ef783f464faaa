"""Request and response shapes of the fleet calendar."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, Field

from skyluxse_api.api.schemas import (
    NonEmptyText,
    ReadModel,
    ShortText,
    Text,
    Timestamped,
    WriteModel,
)
from skyluxse_api.models.enums import CalendarEventType, EventStatus, PriorityLevel

# Rentals are not written here: they are the bookings themselves.
WritableEventType = Literal[CalendarEventType.maintenance, CalendarEventType.repair]


class CalendarEntryRead(ReadModel):
    """One bar of the fleet calendar: a rental (from its booking) or a calendar event."""

    id: uuid.UUID = Field(description="The booking's id for rentals, else the event's.")
    vehicle_id: uuid.UUID
    booking_id: uuid.UUID | None
    maintenance_job_id: uuid.UUID | None
    event_type: CalendarEventType
    title: str = Field(examples=["BK-1052 · Dmitri Ivanov"])
    description: str | None
    start_at: datetime | None
    end_at: datetime | None
    status: EventStatus
    priority: PriorityLevel | None
    color_token: str | None = Field(examples=["amber"])
    source: Literal["booking", "calendar_event"]


class CalendarEventRead(Timestamped):
    id: uuid.UUID
    external_ref: str | None = Field(examples=["EVT-huracan-service"])
    vehicle_id: uuid.UUID
    booking_id: uuid.UUID | None
    maintenance_job_id: uuid.UUID | None = Field(
        description="Set for a maintenance job's entry; such entries change with their job."
    )
    event_type: CalendarEventType
    title: str
    description: str | None
    start_at: datetime | None
    end_at: datetime | None
    status: EventStatus
    priority: PriorityLevel | None
    color_token: str | None


class CalendarEventCreate(WriteModel):
    vehicle_id: uuid.UUID
    event_type: WritableEventType = Field(
        description="maintenance or repair; rentals come from bookings."
    )
    title: NonEmptyText = Field(examples=["Ceramic coating"])
    description: Text | None = Field(default=None, max_length=5000)
    start_at: AwareDatetime
    end_at: AwareDatetime
    status: EventStatus = EventStatus.scheduled
    priority: PriorityLevel | None = None
    color_token: ShortText | None = None
    external_ref: NonEmptyText | None = Field(default=None, examples=["EVT-ghost-detailing"])
    booking_id: uuid.UUID | None = Field(default=None, description="A booking of the same car.")


class CalendarEventUpdate(WriteModel):
    vehicle_id: uuid.UUID | None = None
    event_type: WritableEventType | None = None
    title: NonEmptyText | None = None
    description: Text | None = Field(default=None, max_length=5000)
    start_at: AwareDatetime | None = None
    end_at: AwareDatetime | None = None
    status: EventStatus | None = None
    priority: PriorityLevel | None = None
    color_token: ShortText | None = None
    external_ref: NonEmptyText | None = None
    booking_id: uuid.UUID | None = None
