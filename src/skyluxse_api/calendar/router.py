"""HTTP routes of the fleet calendar and its maintenance/repair entries."""

from __future__ import annotations

import enum
import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import AwareDatetime

from skyluxse_api.api.etag import IfMatch, set_etag
from skyluxse_api.api.pagination import CreatedSort, Listing
from skyluxse_api.api.routing import API_PREFIX, errors
from skyluxse_api.api.schemas import Page
from skyluxse_api.api.validation import check_window, field_error
from skyluxse_api.auth.dependencies import require
from skyluxse_api.auth.permissions import Permission as P
from skyluxse_api.auth.principal import Principal
from skyluxse_api.calendar import schemas, service
from skyluxse_api.db.engine import DbSession
from skyluxse_api.models.enums import CalendarEventType, EventStatus

router = APIRouter(prefix=API_PREFIX)
EventRef = Annotated[
    str,
    Path(
        min_length=1, max_length=100, description="UUID or code", examples=["EVT-huracan-service"]
    ),
]


class CalendarSort(enum.StrEnum):
    start_at = "start_at"
    start_at_desc = "-start_at"


@router.get(
    "/calendar",
    tags=["calendar"],
    summary="The fleet calendar in a window: rentals, maintenance and repairs",
    responses=errors(),
)
async def calendar_list(
    session: DbSession,
    listing: Listing,
    window_from: Annotated[AwareDatetime, Query(alias="from")],
    window_to: Annotated[AwareDatetime, Query(alias="to")],
    sort: CalendarSort = CalendarSort.start_at,
    vehicle_id: Annotated[list[uuid.UUID] | None, Query(description="One or more cars.")] = None,
    event_type: Annotated[list[CalendarEventType] | None, Query()] = None,
    event_status: Annotated[list[EventStatus] | None, Query(alias="status")] = None,
    principal: Principal = require(P.CALENDAR_READ),
) -> Page[schemas.CalendarEntryRead]:
    check_window(window_from, window_to, end_pointer="/query/to")
    filters = service.CalendarFilters(
        window_from=window_from,
        window_to=window_to,
        vehicle_ids=tuple(vehicle_id or ()),
        event_types=tuple(event_type or ()),
        statuses=tuple(event_status or ()),
    )
    page = await service.list_entries(session, principal, filters, listing, sort)
    return page.to_page(schemas.CalendarEntryRead)


@router.get(
    "/calendar/events",
    tags=["calendar"],
    summary="Maintenance and repair entries of the calendar",
    responses=errors(),
)
async def calendar_events_list(
    session: DbSession,
    listing: Listing,
    sort: CreatedSort = CreatedSort.created_at_desc,
    vehicle_id: uuid.UUID | None = None,
    event_type: CalendarEventType | None = None,
    window_from: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    window_to: Annotated[AwareDatetime | None, Query(alias="to")] = None,
    principal: Principal = require(P.CALENDAR_READ),
) -> Page[schemas.CalendarEventRead]:
    if (window_from is None) != (window_to is None):
        raise field_error("/query/to", "Send `from` and `to` together.")
    check_window(window_from, window_to, end_pointer="/query/to")
    window = (window_from, window_to) if window_from and window_to else None
    page = await service.list_events(
        session, principal, listing, sort, vehicle_id, event_type, window
    )
    return page.to_page(schemas.CalendarEventRead)


@router.post(
    "/calendar/events",
    tags=["calendar"],
    status_code=status.HTTP_201_CREATED,
    summary="Put a maintenance or repair entry on the calendar (rentals come from bookings)",
    responses=errors(409),
)
async def calendar_events_create(
    body: schemas.CalendarEventCreate,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.CALENDAR_WRITE),
) -> schemas.CalendarEventRead:
    event = await service.create_event(session, body)
    set_etag(response, event.id, event.updated_at)
    return schemas.CalendarEventRead.model_validate(event)


@router.get(
    "/calendar/events/{event}",
    tags=["calendar"],
    summary="One calendar entry (UUID or EVT-code)",
    responses=errors(404),
)
async def calendar_events_get(
    event: EventRef,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.CALENDAR_READ),
) -> schemas.CalendarEventRead:
    found = await service.get_event(session, principal, event)
    set_etag(response, found.id, found.updated_at)
    return schemas.CalendarEventRead.model_validate(found)


@router.patch(
    "/calendar/events/{event}",
    tags=["calendar"],
    summary="Change a calendar entry (not a maintenance job's: change the job)",
    responses=errors(404, 409, 412),
)
async def calendar_events_update(
    event: EventRef,
    body: schemas.CalendarEventUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
    principal: Principal = require(P.CALENDAR_WRITE),
) -> schemas.CalendarEventRead:
    updated = await service.update_event(session, principal, event, body, if_match)
    set_etag(response, updated.id, updated.updated_at)
    return schemas.CalendarEventRead.model_validate(updated)


@router.delete(
    "/calendar/events/{event}",
    tags=["calendar"],
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a calendar entry (not a maintenance job's: cancel the job)",
    responses=errors(404, 409, 412),
)
async def calendar_events_delete(
    event: EventRef,
    session: DbSession,
    if_match: IfMatch = None,
    principal: Principal = require(P.CALENDAR_WRITE),
) -> Response:
    await service.delete_event(session, principal, event, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
