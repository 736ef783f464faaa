"""HTTP routes of bookings: CRUD, lifecycle, money, extensions, tags, rating and the board.

Booking bodies are written by `queries` straight from the database row (the hot
path); the other resources go through their pydantic models as usual.
"""

from __future__ import annotations

import enum
import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from pydantic import AwareDatetime

from skyluxse_api.api.crud import not_found
from skyluxse_api.api.etag import IfMatch, set_etag
from skyluxse_api.api.pagination import CreatedSort, Listing
from skyluxse_api.api.routing import API_PREFIX, errors
from skyluxse_api.api.schemas import Page, SearchText, ShortText
from skyluxse_api.api.validation import check_window
from skyluxse_api.auth.dependencies import require
from skyluxse_api.auth.permissions import Permission as P
from skyluxse_api.auth.principal import Principal
from skyluxse_api.bookings import board, extensions, queries, schemas, service
from skyluxse_api.bookings.clock import Now
from skyluxse_api.db.engine import DbSession
from skyluxse_api.models.enums import (
    BookingStatus,
    BookingType,
    InvoiceScope,
    InvoiceStatus,
    PriorityLevel,
)

router = APIRouter(prefix=API_PREFIX)

BookingRef = Annotated[
    str,
    Path(min_length=1, max_length=100, description="UUID or code", examples=["BK-1052"]),
]
InvoiceRef = Annotated[
    str,
    Path(min_length=1, max_length=100, description="UUID or code", examples=["INV-1052-1"]),
]
ExtensionRef = Annotated[
    str,
    Path(min_length=1, max_length=100, description="UUID or code", examples=["EXT-1052-1"]),
]
WindowFrom = Annotated[
    AwareDatetime | None,
    Query(alias="from", description="Bookings still running after this time."),
]
WindowTo = Annotated[
    AwareDatetime | None, Query(alias="to", description="Bookings starting before this time.")
]


def turnaround_buffer(request: Request) -> timedelta:
    return timedelta(minutes=request.app.state.settings.turnaround_buffer_minutes)


Buffer = Annotated[timedelta, Depends(turnaround_buffer)]


class BookingSort(enum.StrEnum):
    start_at = "start_at"
    start_at_desc = "-start_at"
    created_at = "created_at"
    created_at_desc = "-created_at"
    total_amount = "total_amount"
    total_amount_desc = "-total_amount"
    promised_at = "promised_at"
    promised_at_desc = "-promised_at"


class TimelineSort(enum.StrEnum):
    event_ts = "event_ts"
    event_ts_desc = "-event_ts"


class TagSort(enum.StrEnum):
    slug = "slug"
    slug_desc = "-slug"


def _json(body: bytes, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(body, status_code=status_code, media_type="application/json")


async def _booking_response(
    session: DbSession,
    principal: Principal,
    booking_id: uuid.UUID | str,
    status_code: int = status.HTTP_200_OK,
) -> Response:
    row = await queries.booking_row(session, principal, str(booking_id))
    if row is None:
        raise not_found("booking")
    response = _json(queries.to_json(dict(row)), status_code)
    set_etag(response, row["id"], row["updated_at"])
    return response


# --- bookings ------------------------------------------------------------------------------


@router.get(
    "/bookings",
    tags=["bookings"],
    summary="List bookings (drivers: the bookings of their tasks, without money)",
    responses=errors(),
)
async def bookings_list(
    session: DbSession,
    listing: Listing,
    sort: BookingSort = BookingSort.start_at_desc,
    status_in: Annotated[
        list[BookingStatus] | None, Query(alias="status", description="One or more statuses.")
    ] = None,
    booking_type: BookingType | None = None,
    priority: PriorityLevel | None = None,
    client_id: uuid.UUID | None = None,
    vehicle_id: uuid.UUID | None = None,
    driver_id: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
    channel: ShortText | None = None,
    window_from: WindowFrom = None,
    window_to: WindowTo = None,
    q: Annotated[
        SearchText | None, Query(description="Booking code or client name contains")
    ] = None,
    principal: Principal = require(P.BOOKINGS_READ),
) -> Page[schemas.BookingRead] | Page[schemas.BookingDriverRead]:
    check_window(window_from, window_to, end_pointer="/query/to")
    filters = queries.BookingFilters(
        statuses=tuple(sorted(set(status_in or ()))),
        booking_type=booking_type,
        priority=priority,
        client_id=client_id,
        vehicle_id=vehicle_id,
        driver_id=driver_id,
        owner_id=owner_id,
        channel=channel,
        window_from=window_from,
        window_to=window_to,
        q=q,
    )
    page = await queries.list_bookings(
        session,
        principal,
        filters,
        sort,
        listing.limit,
        listing.cursor,
        listing.include_total,
    )
    return _json(queries.page_json(page))  # type: ignore[return-value]


@router.post(
    "/bookings",
    tags=["bookings"],
    status_code=status.HTTP_201_CREATED,
    summary="Create a booking (status `preparation` confirms it: the car must be free)",
    responses=errors(409),
)
async def bookings_create(
    body: schemas.BookingCreate,
    session: DbSession,
    buffer: Buffer,
    now: Now,
    principal: Principal = require(P.BOOKINGS_WRITE),
) -> schemas.BookingRead:
    booking_id = await service.create_booking(session, principal, body, buffer, now)
    return await _booking_response(  # type: ignore[return-value]
        session, principal, booking_id, status.HTTP_201_CREATED
    )


@router.get(
    "/bookings/board",
    tags=["bookings"],
    summary="The operations board: bookings by status with their SLA state",
    responses=errors(),
)
async def bookings_board(
    session: DbSession,
    request: Request,
    now: Now,
    window_from: WindowFrom = None,
    window_to: WindowTo = None,
    owner_id: uuid.UUID | None = None,
    vehicle_id: uuid.UUID | None = None,
    driver_id: uuid.UUID | None = None,
    per_column: Annotated[int, Query(ge=1, le=200, description="Cards per column.")] = 50,
    principal: Principal = require(P.BOOKINGS_READ),
) -> schemas.BoardRead:
    check_window(window_from, window_to, end_pointer="/query/to")
    filters = queries.BookingFilters(
        owner_id=owner_id,
        vehicle_id=vehicle_id,
        driver_id=driver_id,
        window_from=window_from,
        window_to=window_to,
    )
    due_soon = timedelta(minutes=request.app.state.settings.sla_due_soon_minutes)
    return await board.board(session, principal, filters, per_column, now, due_soon)


@router.get(
    "/bookings/{booking}",
    tags=["bookings"],
    summary="One booking (UUID or BK-code); drivers get it without money",
    responses=errors(404),
)
async def bookings_get(
    booking: BookingRef,
    session: DbSession,
    principal: Principal = require(P.BOOKINGS_READ),
) -> schemas.BookingRead | schemas.BookingDriverRead:
    return await _booking_response(session, principal, booking)  # type: ignore[return-value]


@router.patch(
    "/bookings/{booking}",
    tags=["bookings"],
    summary="Change a booking (moving a confirmed one's car or window is checked)",
    responses=errors(404, 409, 412),
)
async def bookings_update(
    booking: BookingRef,
    body: schemas.BookingUpdate,
    session: DbSession,
    buffer: Buffer,
    if_match: IfMatch = None,
    principal: Principal = require(P.BOOKINGS_WRITE),
) -> schemas.BookingRead:
    booking_id = await service.update_booking(session, principal, booking, body, buffer, if_match)
    return await _booking_response(session, principal, booking_id)  # type: ignore[return-value]


@router.delete(
    "/bookings/{booking}",
    tags=["bookings"],
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a booking that is still `new` (an enquiry)",
    responses=errors(404, 409, 412),
)
async def bookings_delete(
    booking: BookingRef,
    session: DbSession,
    if_match: IfMatch = None,
    principal: Principal = require(P.BOOKINGS_WRITE),
) -> Response:
    await service.delete_booking(session, principal, booking, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/bookings/{booking}/transitions",
    tags=["bookings"],
    summary="Move a booking to its next status (409 lists the allowed ones)",
    responses=errors(404, 409, 412),
)
async def bookings_transition(
    booking: BookingRef,
    body: schemas.TransitionCreate,
    session: DbSession,
    buffer: Buffer,
    now: Now,
    if_match: IfMatch = None,
    principal: Principal = require(P.BOOKINGS_WRITE),
) -> schemas.BookingRead:
    booking_id = await service.transition_booking(
        session, principal, booking, body, buffer, now, if_match
    )
    return await _booking_response(session, principal, booking_id)  # type: ignore[return-value]


@router.get(
    "/bookings/{booking}/timeline",
    tags=["bookings"],
    summary="What happened to a booking, and who did it",
    responses=errors(404),
)
async def booking_timeline_list(
    booking: BookingRef,
    session: DbSession,
    listing: Listing,
    sort: TimelineSort = TimelineSort.event_ts,
    principal: Principal = require(P.BOOKINGS_READ),
) -> Page[schemas.TimelineEventRead]:
    page = await service.list_timeline(session, principal, booking, listing, sort)
    return page.to_page(schemas.TimelineEventRead)


@router.put(
    "/bookings/{booking}/rating",
    tags=["bookings"],
    summary="The ceo's rating of how a booking was sold (0-10)",
    responses=errors(404),
)
async def bookings_rate(
    booking: BookingRef,
    body: schemas.RatingPut,
    session: DbSession,
    now: Now,
    principal: Principal = require(P.BOOKINGS_RATE),
) -> schemas.BookingRead:
    booking_id = await service.rate_booking(session, principal, booking, body, now)
    return await _booking_response(session, principal, booking_id)  # type: ignore[return-value]


@router.put(
    "/bookings/{booking}/tags",
    tags=["bookings"],
    summary="Set a booking's tags (unknown slugs become new tags)",
    responses=errors(404),
)
async def booking_tags_replace(
    booking: BookingRef,
    body: schemas.TagsReplace,
    session: DbSession,
    principal: Principal = require(P.BOOKINGS_WRITE),
) -> list[schemas.TagRead]:
    tags = await service.replace_tags(session, principal, booking, body.tags)
    return [schemas.TagRead.model_validate(tag) for tag in tags]


@router.get("/booking-tags", tags=["bookings"], summary="Every booking tag", responses=errors())
async def booking_tags_list(
    session: DbSession,
    listing: Listing,
    sort: TagSort = TagSort.slug,
    principal: Principal = require(P.BOOKINGS_READ),
) -> Page[schemas.TagRead]:
    page = await service.list_tags(session, listing, sort)
    return page.to_page(schemas.TagRead)


# --- price lines ---------------------------------------------------------------------------


@router.get(
    "/bookings/{booking}/addons",
    tags=["booking money"],
    summary="A booking's price lines: base, add-ons, discounts",
    responses=errors(404),
)
async def booking_addons_list(
    booking: BookingRef,
    session: DbSession,
    listing: Listing,
    sort: CreatedSort = CreatedSort.created_at,
    principal: Principal = require(P.BOOKINGS_READ),
) -> Page[schemas.AddonRead]:
    page = await service.list_addons(session, principal, booking, listing, sort)
    return page.to_page(schemas.AddonRead)


@router.post(
    "/bookings/{booking}/addons",
    tags=["booking money"],
    status_code=status.HTTP_201_CREATED,
    summary="Add a price line; the booking's total follows",
    responses=errors(404),
)
async def booking_addons_create(
    booking: BookingRef,
    body: schemas.AddonCreate,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.BOOKINGS_WRITE),
) -> schemas.AddonRead:
    addon = await service.create_addon(session, principal, booking, body)
    set_etag(response, addon.id, addon.updated_at)
    return schemas.AddonRead.model_validate(addon)


@router.patch(
    "/bookings/{booking}/addons/{addon_id}",
    tags=["booking money"],
    summary="Change a price line; the booking's total follows",
    responses=errors(404, 412),
)
async def booking_addons_update(
    booking: BookingRef,
    addon_id: uuid.UUID,
    body: schemas.AddonUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
    principal: Principal = require(P.BOOKINGS_WRITE),
) -> schemas.AddonRead:
    addon = await service.update_addon(session, principal, booking, addon_id, body, if_match)
    set_etag(response, addon.id, addon.updated_at)
    return schemas.AddonRead.model_validate(addon)


@router.delete(
    "/bookings/{booking}/addons/{addon_id}",
    tags=["booking money"],
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a price line; the booking's total follows",
    responses=errors(404, 412),
)
async def booking_addons_delete(
    booking: BookingRef,
    addon_id: uuid.UUID,
    session: DbSession,
    if_match: IfMatch = None,
    principal: Principal = require(P.BOOKINGS_WRITE),
) -> Response:
    await service.delete_addon(session, principal, booking, addon_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/bookings/{booking}/invoices",
    tags=["booking money"],
    summary="A booking's invoices (rental, deposit, extension)",
    responses=errors(404),
)
async def booking_invoices_list(
    booking: BookingRef,
    session: DbSession,
    listing: Listing,
    sort: CreatedSort = CreatedSort.created_at,
    scope: InvoiceScope | None = None,
    invoice_status: Annotated[InvoiceStatus | None, Query(alias="status")] = None,
    principal: Principal = require(P.BOOKINGS_READ),
) -> Page[schemas.InvoiceRead]:
    page = await service.list_invoices(
        session, principal, booking, listing, sort, scope, invoice_status
    )
    return page.to_page(schemas.InvoiceRead)


@router.post(
    "/bookings/{booking}/invoices",
    tags=["booking money"],
    status_code=status.HTTP_201_CREATED,
    summary="Issue an invoice (INV-<booking>-<n>); paid amounts follow",
    responses=errors(404, 409),
)
async def booking_invoices_create(
    booking: BookingRef,
    body: schemas.InvoiceCreate,
    session: DbSession,
    response: Response,
    now: Now,
    principal: Principal = require(P.BOOKINGS_WRITE),
) -> schemas.InvoiceRead:
    invoice = await service.create_invoice(session, principal, booking, body, now)
    set_etag(response, invoice.id, invoice.updated_at)
    return schemas.InvoiceRead.model_validate(invoice)


@router.patch(
    "/bookings/{booking}/invoices/{invoice}",
    tags=["booking money"],
    summary="Edit a draft invoice or move it: issued, paid, void",
    responses=errors(404, 409, 412),
)
async def booking_invoices_update(
    booking: BookingRef,
    invoice: InvoiceRef,
    body: schemas.InvoiceUpdate,
    session: DbSession,
    response: Response,
    now: Now,
    if_match: IfMatch = None,
    principal: Principal = require(P.BOOKINGS_WRITE),
) -> schemas.InvoiceRead:
    updated = await service.update_invoice(
        session, principal, booking, invoice, body, now, if_match
    )
    set_etag(response, updated.id, updated.updated_at)
    return schemas.InvoiceRead.model_validate(updated)


# --- extensions ----------------------------------------------------------------------------


@router.get(
    "/bookings/{booking}/extensions",
    tags=["booking extensions"],
    summary="A booking's extension requests and decisions",
    responses=errors(404),
)
async def booking_extensions_list(
    booking: BookingRef,
    session: DbSession,
    listing: Listing,
    sort: CreatedSort = CreatedSort.created_at,
    principal: Principal = require(P.BOOKINGS_READ),
) -> Page[schemas.ExtensionRead]:
    page = await extensions.list_extensions(session, principal, booking, listing, sort)
    return page.to_page(schemas.ExtensionRead)


@router.post(
    "/bookings/{booking}/extensions",
    tags=["booking extensions"],
    status_code=status.HTTP_201_CREATED,
    summary="Request an extension: a later end, priced by lines",
    responses=errors(404, 409),
)
async def booking_extensions_create(
    booking: BookingRef,
    body: schemas.ExtensionCreate,
    session: DbSession,
    response: Response,
    buffer: Buffer,
    principal: Principal = require(P.BOOKINGS_WRITE),
) -> schemas.ExtensionRead:
    extension = await extensions.request_extension(session, principal, booking, body, buffer)
    set_etag(response, extension.id, extension.updated_at)
    return schemas.ExtensionRead.model_validate(extension)


@router.post(
    "/bookings/{booking}/extensions/{extension}/approve",
    tags=["booking extensions"],
    summary="Approve: the end moves if the car is free, the extension is invoiced",
    responses=errors(404, 409),
)
async def booking_extensions_approve(
    booking: BookingRef,
    extension: ExtensionRef,
    body: schemas.ExtensionDecision,
    session: DbSession,
    response: Response,
    buffer: Buffer,
    now: Now,
    principal: Principal = require(P.BOOKINGS_WRITE),
) -> schemas.ExtensionApproved:
    approved, invoice, notification, task = await extensions.approve_extension(
        session, principal, booking, extension, body, buffer, now
    )
    set_etag(response, approved.id, approved.updated_at)
    return schemas.ExtensionApproved(
        extension=schemas.ExtensionRead.model_validate(approved),
        invoice=schemas.InvoiceRead.model_validate(invoice),
        notification=schemas.ExtensionNotificationRead.model_validate(notification),
        task=schemas.ExtensionTaskRead.model_validate(task),
    )


@router.post(
    "/bookings/{booking}/extensions/{extension}/reject",
    tags=["booking extensions"],
    summary="Reject an extension request",
    responses=errors(404, 409),
)
async def booking_extensions_reject(
    booking: BookingRef,
    extension: ExtensionRef,
    body: schemas.ExtensionDecision,
    session: DbSession,
    response: Response,
    now: Now,
    principal: Principal = require(P.BOOKINGS_WRITE),
) -> schemas.ExtensionRead:
    rejected = await extensions.reject_extension(session, principal, booking, extension, body, now)
    set_etag(response, rejected.id, rejected.updated_at)
    return schemas.ExtensionRead.model_validate(rejected)
