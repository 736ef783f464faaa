"""Extensions: the client keeps the car longer (`EXT-1052-1`), priced on its own.

Approval is where the car's calendar changes: the booking's end moves only if
the car is free until the new end (checked under the car's lock), and the same
transaction issues the extension invoice, adds the extension to the booking's
price, adjusts the deposit, queues the message to the client and the operations
follow-up, and writes the timeline.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from skyluxse_api.api.crud import lock_for_change
from skyluxse_api.api.pagination import ListParams, PageResult, paginate
from skyluxse_api.api.problems import Conflict
from skyluxse_api.api.routing import matches_id_or_code
from skyluxse_api.api.validation import field_error
from skyluxse_api.auth.principal import Principal
from skyluxse_api.bookings import lifecycle, schemas
from skyluxse_api.bookings.codes import booking_reference, next_child_code
from skyluxse_api.bookings.lifecycle import ensure_car_free
from skyluxse_api.bookings.money import ZERO, recompute_total, same_currency, to_cents
from skyluxse_api.bookings.service import issue_invoice, lock_booking, money_of
from skyluxse_api.business_time import BUSINESS_TIMEZONE
from skyluxse_api.fleet.availability import find_conflict
from skyluxse_api.models import (
    Booking,
    BookingAddon,
    BookingExtension,
    BookingInvoice,
    Client,
    ExtensionNotification,
    ExtensionTask,
    Vehicle,
)
from skyluxse_api.models.enums import (
    BookingStatus,
    ExtensionStatus,
    InvoiceScope,
    InvoiceStatus,
    LineCategory,
)

# A booking is extended while the car is promised or out; an enquiry is simply edited.
EXTENDABLE = (BookingStatus.preparation, BookingStatus.delivery, BookingStatus.in_rent)
EXTENSION_SORTS = {"created_at": BookingExtension.created_at}


def _extendable(booking: Booking) -> tuple[uuid.UUID, datetime, datetime]:
    """The car and window of a booking that may be extended, else 409."""
    if (
        booking.status not in EXTENDABLE
        or booking.vehicle_id is None
        or booking.start_at is None
        or booking.end_at is None
    ):
        raise Conflict(
            f"Booking {booking.external_code} is {booking.status}; only a confirmed booking "
            "that has not been returned is extended.",
            extra={"status": booking.status},
        )
    return booking.vehicle_id, booking.start_at, booking.end_at


async def list_extensions(
    session: AsyncSession, principal: Principal, booking_ref: str, params: ListParams, sort: str
) -> PageResult:
    booking_id = await money_of(session, principal, booking_ref)
    return await paginate(
        session,
        select(BookingExtension).where(BookingExtension.booking_id == booking_id),
        sort=sort,
        sort_columns=EXTENSION_SORTS,
        id_column=BookingExtension.id,
        params=params,
    )


async def request_extension(
    session: AsyncSession,
    principal: Principal,
    booking_ref: str,
    data: schemas.ExtensionCreate,
    buffer: timedelta,
) -> BookingExtension:
    """Price a longer rental; refused at once when the car is already taken after it."""
    booking = await lock_booking(session, principal, booking_ref)
    vehicle_id, start, current_end = _extendable(booking)
    same_currency(booking, data.currency)
    if data.end_at <= current_end:
        raise field_error("/body/end_at", "An extension ends after the booking's current end.")
    sums = {category: ZERO for category in ("base", "addon", "fee", "discount")}
    for line in data.lines:
        sums[line.category] += line.amount
    total = to_cents(sums["base"] + sums["addon"] + sums["fee"] - sums["discount"])
    if total < 0:
        raise field_error("/body/lines", "Discounts exceed the extension's price.")
    conflict = await find_conflict(
        session, vehicle_id, start, data.end_at, buffer, exclude_booking_id=booking.id
    )
    if conflict is not None:
        raise Conflict(conflict.describe(), extra=conflict.as_problem_extra())
    labels = await session.scalars(
        select(BookingExtension.label).where(BookingExtension.booking_id == booking.id)
    )
    extension = BookingExtension(
        booking_id=booking.id,
        label=next_child_code("EXT", booking_reference(booking.external_code, booking.id), labels),
        start_at=current_end,
        end_at=data.end_at,
        status=ExtensionStatus.requested,
        note=data.note,
        pricing_base=sums["base"],
        pricing_addons=sums["addon"],
        pricing_fees=sums["fee"],
        pricing_discounts=sums["discount"],
        pricing_total=total,
        currency=booking.currency,
        deposit_adjustment=data.deposit_adjustment,
        created_by=principal.staff_id,
    )
    session.add(extension)
    await session.flush()
    await session.refresh(extension)
    return extension


async def _requested(
    session: AsyncSession, booking: Booking, extension_ref: str
) -> BookingExtension:
    extension = await lock_for_change(
        session,
        select(BookingExtension).where(
            matches_id_or_code(BookingExtension.id, BookingExtension.label, extension_ref),
            BookingExtension.booking_id == booking.id,
        ),
        "extension",
        None,
    )
    if extension.status != ExtensionStatus.requested:
        raise Conflict(f"Extension {extension.label} was already {extension.status}.")
    return extension


def _local_time(moment: datetime, timezone: str | None) -> str:
    try:
        zone = ZoneInfo(timezone or BUSINESS_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(BUSINESS_TIMEZONE)
    return moment.astimezone(zone).strftime("%d %b %Y, %H:%M")


async def approve_extension(
    session: AsyncSession,
    principal: Principal,
    booking_ref: str,
    extension_ref: str,
    decision: schemas.ExtensionDecision,
    buffer: timedelta,
    now: datetime,
) -> tuple[BookingExtension, BookingInvoice, ExtensionNotification, ExtensionTask]:
    """Move the booking's end to the extension's (if the car is free) and bill it."""
    booking = await lock_booking(session, principal, booking_ref)
    extension = await _requested(session, booking, extension_ref)
    vehicle_id, start, previous_end = _extendable(booking)
    assert extension.end_at is not None and extension.pricing_total is not None
    if extension.end_at <= previous_end:
        raise Conflict(
            f"The booking already runs until {previous_end.isoformat()}; "
            f"extension {extension.label} no longer extends it."
        )
    deposit = (booking.deposit_amount or ZERO) + (extension.deposit_adjustment or ZERO)
    if deposit < 0:
        raise Conflict(
            f"The deposit adjustment {extension.deposit_adjustment} would leave a negative deposit."
        )
    await ensure_car_free(session, vehicle_id, start, extension.end_at, buffer, booking.id)
    booking.end_at = extension.end_at
    booking.deposit_amount = to_cents(deposit)
    session.add(
        BookingAddon(
            booking_id=booking.id,
            label=f"Extension {extension.label}",
            amount=extension.pricing_total,
            category=LineCategory.addon,
        )
    )
    await recompute_total(session, booking)
    invoice = await issue_invoice(
        session,
        booking,
        label=f"Extension {extension.label}",
        scope=InvoiceScope.extension,
        amount=extension.pricing_total,
        status=InvoiceStatus.issued,
        now=now,
        due_at=previous_end,
    )
    notification = await _notify_client(session, booking, extension)
    task = ExtensionTask(
        extension_id=extension.id,
        label=f"Confirm extension {extension.label} with the client, move the return to "
        f"{_local_time(extension.end_at, None)} and collect invoice {invoice.external_ref}",
        due_at=previous_end,
        assignee_staff_id=booking.owner_id,
    )
    session.add(task)
    extension.status = ExtensionStatus.approved
    extension.decided_at = now
    extension.decided_by = principal.staff_id
    note = f"Extension {extension.label} approved: returns {extension.end_at.isoformat()}"
    lifecycle.record(session, booking, principal, _with(note, decision.note), now)
    await session.flush()
    for row in (extension, notification, task):
        await session.refresh(row)
    return extension, invoice, notification, task


async def _notify_client(
    session: AsyncSession, booking: Booking, extension: BookingExtension
) -> ExtensionNotification:
    """WhatsApp when the client has a phone, else email; the message is queued, not sent."""
    client = await session.get(Client, booking.client_id) if booking.client_id else None
    vehicle_name = await session.scalar(
        select(Vehicle.name).where(Vehicle.id == booking.vehicle_id)
    )
    phone = client.phone if client else None
    email = client.email if client else None
    assert extension.end_at is not None
    greeting = f"Dear {client.name}, your" if client else "Your"
    message = (
        f"{greeting} {vehicle_name or 'car'} booking {booking.external_code} is extended until "
        f"{_local_time(extension.end_at, client.timezone if client else None)}. "
        f"Extension {extension.label}: {extension.pricing_total} {extension.currency}."
    )
    notification = ExtensionNotification(
        extension_id=extension.id,
        channel="whatsapp" if phone else "email",
        recipient=phone or email,
        message=message,
    )
    session.add(notification)
    return notification


def _with(note: str, comment: str | None) -> str:
    return f"{note}. {comment}" if comment else note


async def reject_extension(
    session: AsyncSession,
    principal: Principal,
    booking_ref: str,
    extension_ref: str,
    decision: schemas.ExtensionDecision,
    now: datetime,
) -> BookingExtension:
    booking = await lock_booking(session, principal, booking_ref)
    extension = await _requested(session, booking, extension_ref)
    extension.status = ExtensionStatus.rejected
    extension.decided_at = now
    extension.decided_by = principal.staff_id
    note = f"Extension {extension.label} rejected"
    lifecycle.record(session, booking, principal, _with(note, decision.note), now)
    await session.flush()
    await session.refresh(extension)
    return extension
