"""The fleet calendar over `calendar_events_expanded`, and the maintenance/repair entries.

Entries written here are notes on the grid: a car is only *taken* by a booking
or a maintenance job (fleet/availability.py). A job's own entry follows the job
and is refused here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    MetaData,
    Select,
    Table,
    Text,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession

from skyluxse_api.api.crud import apply_changes, lock_for_change, one_or_404, refresh_after_write
from skyluxse_api.api.pagination import ListParams, PageResult, paginate
from skyluxse_api.api.problems import Conflict
from skyluxse_api.api.routing import matches_id_or_code
from skyluxse_api.api.validation import field_error
from skyluxse_api.auth.principal import Principal
from skyluxse_api.auth.scopes import calendar_booking_scope
from skyluxse_api.calendar import schemas
from skyluxse_api.db.base import pg_enum
from skyluxse_api.models import Booking, CalendarEvent, Vehicle
from skyluxse_api.models.enums import CalendarEventType, EventStatus, PriorityLevel

# The view is created by a migration; it lives outside Base.metadata so that
# Alembic never tries to create or drop it as a table.
calendar_events_expanded = Table(
    "calendar_events_expanded",
    MetaData(),
    Column("id", UUID(as_uuid=True)),
    Column("vehicle_id", UUID(as_uuid=True)),
    Column("booking_id", UUID(as_uuid=True)),
    Column("maintenance_job_id", UUID(as_uuid=True)),
    Column("event_type", pg_enum(CalendarEventType, "calendar_event_type")),
    Column("title", Text),
    Column("description", Text),
    Column("start_at", DateTime(timezone=True)),
    Column("end_at", DateTime(timezone=True)),
    Column("status", pg_enum(EventStatus, "event_status")),
    Column("priority", pg_enum(PriorityLevel, "priority_level")),
    Column("color_token", Text),
    Column("source", Text),
)
_view = calendar_events_expanded.c


@dataclass(frozen=True)
class CalendarFilters:
    window_from: datetime
    window_to: datetime
    vehicle_ids: tuple[uuid.UUID, ...] = ()
    event_types: tuple[CalendarEventType, ...] = ()
    statuses: tuple[EventStatus, ...] = ()


def _overlapping(start: Any, end: Any, window_from: datetime, window_to: datetime) -> Any:
    # An entry with one timestamp only (imported rentals) is a point in time.
    return (func.coalesce(start, end) < window_to) & (func.coalesce(end, start) > window_from)


async def list_entries(
    session: AsyncSession,
    principal: Principal,
    filters: CalendarFilters,
    params: ListParams,
    sort: str,
) -> PageResult:
    statement = select(calendar_events_expanded).where(
        _overlapping(_view.start_at, _view.end_at, filters.window_from, filters.window_to),
        calendar_booking_scope(principal, _view.booking_id),
    )
    if filters.vehicle_ids:
        statement = statement.where(_view.vehicle_id.in_(filters.vehicle_ids))
    if filters.event_types:
        statement = statement.where(_view.event_type.in_(filters.event_types))
    if filters.statuses:
        statement = statement.where(_view.status.in_(filters.statuses))
    page = await paginate(
        session,
        statement,
        sort=sort,
        sort_columns={"start_at": func.coalesce(_view.start_at, _view.end_at)},
        id_column=_view.id,
        params=params,
    )
    columns = [column.name for column in calendar_events_expanded.columns]
    return PageResult(
        items=[dict(zip(columns, row, strict=True)) for row in page.items],
        next_cursor=page.next_cursor,
        total=page.total,
    )


# --- calendar events -------------------------------------------------------------------------


def _events(principal: Principal) -> Select[CalendarEvent]:
    return select(CalendarEvent).where(
        calendar_booking_scope(principal, CalendarEvent.booking_id.expression)
    )


async def list_events(
    session: AsyncSession,
    principal: Principal,
    params: ListParams,
    sort: str,
    vehicle_id: uuid.UUID | None,
    event_type: CalendarEventType | None,
    window: tuple[datetime, datetime] | None,
) -> PageResult:
    statement = _events(principal)
    if vehicle_id is not None:
        statement = statement.where(CalendarEvent.vehicle_id == vehicle_id)
    if event_type is not None:
        statement = statement.where(CalendarEvent.event_type == event_type)
    if window is not None:
        statement = statement.where(
            _overlapping(CalendarEvent.start_at, CalendarEvent.end_at, *window)
        )
    return await paginate(
        session,
        statement,
        sort=sort,
        sort_columns={"created_at": CalendarEvent.created_at},
        id_column=CalendarEvent.id,
        params=params,
    )


def _event(principal: Principal, event: str) -> Select[CalendarEvent]:
    return _events(principal).where(
        matches_id_or_code(CalendarEvent.id, CalendarEvent.external_ref, event)
    )


async def get_event(session: AsyncSession, principal: Principal, event: str) -> CalendarEvent:
    return await one_or_404(session, _event(principal, event), "calendar event")


async def _check(session: AsyncSession, event: CalendarEvent) -> None:
    """Rules over the merged row: a real car, a window, and a booking of that same car."""
    if event.start_at is None or event.end_at is None:
        raise field_error("/body/start_at", "A calendar entry has a start and an end.")
    if event.end_at <= event.start_at:
        raise field_error("/body/end_at", "The entry must end after it starts.")
    if await session.scalar(select(Vehicle.id).where(Vehicle.id == event.vehicle_id)) is None:
        raise field_error("/body/vehicle_id", f"No vehicle {event.vehicle_id}.")
    if event.booking_id is not None:
        booked = await session.scalar(
            select(Booking.vehicle_id).where(Booking.id == event.booking_id)
        )
        if booked != event.vehicle_id:
            raise field_error("/body/booking_id", "The booking is not of this car.")


async def create_event(session: AsyncSession, data: schemas.CalendarEventCreate) -> CalendarEvent:
    event = CalendarEvent(**data.model_dump(exclude_none=True))
    await _check(session, event)
    session.add(event)
    await refresh_after_write(session, event)
    return event


async def _editable(
    session: AsyncSession, principal: Principal, event_ref: str, if_match: str | None
) -> CalendarEvent:
    event = await lock_for_change(session, _event(principal, event_ref), "calendar event", if_match)
    if event.maintenance_job_id is not None:
        raise Conflict(
            "This entry belongs to a maintenance job; change the job instead.",
            extra={"maintenance_job_id": str(event.maintenance_job_id)},
        )
    if event.event_type is CalendarEventType.rental:
        raise Conflict("Rental entries follow their booking; change the booking instead.")
    return event


async def update_event(
    session: AsyncSession,
    principal: Principal,
    event_ref: str,
    changes: schemas.CalendarEventUpdate,
    if_match: str | None,
) -> CalendarEvent:
    event = await _editable(session, principal, event_ref, if_match)
    for required in ("vehicle_id", "event_type", "title", "start_at", "end_at", "status"):
        if required in changes.model_fields_set and getattr(changes, required) is None:
            raise field_error(f"/body/{required}", f"A calendar entry always has a {required}.")
    apply_changes(event, changes)
    await _check(session, event)
    await refresh_after_write(session, event)
    return event


async def delete_event(
    session: AsyncSession, principal: Principal, event_ref: str, if_match: str | None
) -> None:
    event = await _editable(session, principal, event_ref, if_match)
    await session.delete(event)
    await session.flush()
