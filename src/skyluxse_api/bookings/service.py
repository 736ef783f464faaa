"""Bookings: create, change, delete, transitions, price lines, invoices, tags and rating.

Writes load the booking `FOR UPDATE` first, so two changes of one booking's money
never interleave; when the car or window moves they then lock the car, and the
client's balance comes last: always booking, car, client, so writers cannot
deadlock each other.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Select, delete, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from skyluxse_api.api.crud import apply_changes, lock_for_change, not_found, one_or_404
from skyluxse_api.api.pagination import ListParams, PageResult, paginate
from skyluxse_api.api.problems import Conflict, Forbidden
from skyluxse_api.api.routing import matches_id_or_code
from skyluxse_api.api.validation import check_window, field_error
from skyluxse_api.auth.principal import Principal
from skyluxse_api.auth.scopes import booking_scope
from skyluxse_api.bookings import lifecycle, schemas
from skyluxse_api.bookings.codes import booking_reference, next_booking_code, next_child_code
from skyluxse_api.bookings.lifecycle import ensure_car_free, lock_car
from skyluxse_api.bookings.money import (
    recompute_paid,
    recompute_total,
    refresh_client_balances,
    same_currency,
)
from skyluxse_api.models import (
    Booking,
    BookingAddon,
    BookingExtension,
    BookingInvoice,
    BookingTag,
    BookingTagLink,
    BookingTimelineEvent,
    Client,
)
from skyluxse_api.models.enums import BookingStatus, InvoiceScope, InvoiceStatus

INVOICE_NEXT: dict[InvoiceStatus, frozenset[InvoiceStatus]] = {
    InvoiceStatus.draft: frozenset({InvoiceStatus.issued, InvoiceStatus.paid, InvoiceStatus.void}),
    InvoiceStatus.issued: frozenset({InvoiceStatus.paid, InvoiceStatus.void}),
    # Voiding a paid invoice is how a payment is refunded.
    InvoiceStatus.paid: frozenset({InvoiceStatus.void}),
    InvoiceStatus.void: frozenset(),
}
TIMELINE_SORTS = {"event_ts": BookingTimelineEvent.event_ts}
ADDON_SORTS = {"created_at": BookingAddon.created_at}
INVOICE_SORTS = {"created_at": BookingInvoice.created_at}


def _booking(principal: Principal, booking: str) -> Select[Booking]:
    return select(Booking).where(
        matches_id_or_code(Booking.id, Booking.external_code, booking), booking_scope(principal)
    )


async def lock_booking(
    session: AsyncSession, principal: Principal, booking: str, if_match: str | None = None
) -> Booking:
    """The booking, locked for this transaction (404 outside the reader's scope)."""
    return await lock_for_change(session, _booking(principal, booking), "booking", if_match)


async def visible_booking_id(
    session: AsyncSession, principal: Principal, booking: str
) -> uuid.UUID:
    found = await session.scalar(
        select(Booking.id).where(
            matches_id_or_code(Booking.id, Booking.external_code, booking),
            booking_scope(principal),
        )
    )
    if found is None:
        raise not_found("booking")
    return found


async def money_of(session: AsyncSession, principal: Principal, booking: str) -> uuid.UUID:
    """The booking whose money is asked for; drivers see their bookings, never the money."""
    booking_id = await visible_booking_id(session, principal, booking)
    if principal.is_driver:
        raise Forbidden("Drivers see the bookings of their tasks without any money.")
    return booking_id


async def _client(session: AsyncSession, client_id: uuid.UUID) -> Client:
    client = await session.get(Client, client_id)
    if client is None:
        raise field_error("/body/client_id", f"No client {client_id}.")
    return client


# --- bookings ------------------------------------------------------------------------------


async def create_booking(
    session: AsyncSession,
    principal: Principal,
    data: schemas.BookingCreate,
    buffer: timedelta,
    now: datetime,
) -> uuid.UUID:
    """A new booking (an enquiry, blocking nothing), or a confirmed one (`preparation`)."""
    check_window(data.start_at, data.end_at)
    client = await _client(session, data.client_id)
    booking = Booking(
        **data.model_dump(exclude={"status"}, exclude_none=True),
        status=BookingStatus.new,
        segment=client.segment,
        total_amount=Decimal("0.00"),
    )
    if data.vehicle_id is not None:
        await lock_car(session, data.vehicle_id)
    if booking.external_code is None:
        booking.external_code = await next_booking_code(session)
    session.add(booking)
    await session.flush()
    lifecycle.record(session, booking, principal, "Booking created", now)
    if data.status is BookingStatus.preparation:
        await lifecycle.confirm(session, booking, buffer)
        booking.status = BookingStatus.preparation
        lifecycle.record(session, booking, principal, "Confirmed at creation", now)
    await session.flush()
    return booking.id


async def update_booking(
    session: AsyncSession,
    principal: Principal,
    booking_ref: str,
    changes: schemas.BookingUpdate,
    buffer: timedelta,
    if_match: str | None,
) -> uuid.UUID:
    """Change the booking's fields; moving a confirmed booking's car or window is checked."""
    booking = await lock_booking(session, principal, booking_ref, if_match)
    sent = changes.model_fields_set
    for required in ("client_id", "currency", "external_code"):
        if required in sent and getattr(changes, required) is None:
            raise field_error(f"/body/{required}", f"A booking always has a {required}.")
    if "currency" in sent and changes.currency != booking.currency:
        await _refuse_currency_change(session, booking)
    previous_client = booking.client_id
    apply_changes(booking, changes)
    check_window(booking.start_at, booking.end_at)
    if booking.client_id != previous_client and booking.client_id is not None:
        booking.segment = (await _client(session, booking.client_id)).segment
    if sent & {"vehicle_id", "start_at", "end_at"}:
        await _check_calendar(session, booking, buffer)
    await session.flush()
    if booking.client_id != previous_client:
        await refresh_client_balances(session, (previous_client, booking.client_id))
    return booking.id


async def _check_calendar(session: AsyncSession, booking: Booking, buffer: timedelta) -> None:
    if booking.status is BookingStatus.new:
        # An enquiry blocks nothing, but its car's calendar still has one writer at a time.
        if booking.vehicle_id is not None:
            await lock_car(session, booking.vehicle_id)
        return
    if booking.vehicle_id is None or booking.start_at is None or booking.end_at is None:
        raise field_error(
            "/body/vehicle_id", "A confirmed booking keeps a car and a window (start_at, end_at)."
        )
    await ensure_car_free(
        session, booking.vehicle_id, booking.start_at, booking.end_at, buffer, booking.id
    )


async def _refuse_currency_change(session: AsyncSession, booking: Booking) -> None:
    priced = await session.scalar(
        select(
            or_(
                exists().where(BookingAddon.booking_id == booking.id),
                exists().where(BookingInvoice.booking_id == booking.id),
                exists().where(BookingExtension.booking_id == booking.id),
            )
        )
    )
    if priced:
        raise Conflict(
            f"The booking is already priced in {booking.currency}; its currency is fixed.",
            extra={"currency": booking.currency},
        )


async def delete_booking(
    session: AsyncSession, principal: Principal, booking_ref: str, if_match: str | None
) -> None:
    """Only an enquiry (`new`) is deleted; a confirmed booking is history."""
    booking = await lock_booking(session, principal, booking_ref, if_match)
    if booking.status is not BookingStatus.new:
        raise Conflict(
            f"Booking {booking.external_code} is confirmed ({booking.status}); "
            "only new bookings can be deleted."
        )
    client_id = booking.client_id
    await session.delete(booking)
    await session.flush()
    await refresh_client_balances(session, (client_id,))


async def transition_booking(
    session: AsyncSession,
    principal: Principal,
    booking_ref: str,
    body: schemas.TransitionCreate,
    buffer: timedelta,
    now: datetime,
    if_match: str | None,
) -> uuid.UUID:
    booking = await lock_booking(session, principal, booking_ref, if_match)
    await lifecycle.transition(session, principal, booking, body, buffer, now)
    return booking.id


async def list_timeline(
    session: AsyncSession, principal: Principal, booking_ref: str, params: ListParams, sort: str
) -> PageResult:
    booking_id = await visible_booking_id(session, principal, booking_ref)
    return await paginate(
        session,
        select(BookingTimelineEvent).where(BookingTimelineEvent.booking_id == booking_id),
        sort=sort,
        sort_columns=TIMELINE_SORTS,
        id_column=BookingTimelineEvent.id,
        params=params,
    )


async def rate_booking(
    session: AsyncSession,
    principal: Principal,
    booking_ref: str,
    rating: schemas.RatingPut,
    now: datetime,
) -> uuid.UUID:
    booking = await lock_booking(session, principal, booking_ref)
    booking.sales_rating_value = rating.value
    booking.sales_rating_feedback = rating.feedback
    booking.rated_by_role = principal.role
    booking.rated_at = now
    await session.flush()
    return booking.id


# --- price lines ---------------------------------------------------------------------------


async def list_addons(
    session: AsyncSession, principal: Principal, booking_ref: str, params: ListParams, sort: str
) -> PageResult:
    booking_id = await money_of(session, principal, booking_ref)
    return await paginate(
        session,
        select(BookingAddon).where(BookingAddon.booking_id == booking_id),
        sort=sort,
        sort_columns=ADDON_SORTS,
        id_column=BookingAddon.id,
        params=params,
    )


async def _priced_change(session: AsyncSession, booking: Booking) -> None:
    await recompute_total(session, booking)
    await refresh_client_balances(session, (booking.client_id,))


async def create_addon(
    session: AsyncSession, principal: Principal, booking_ref: str, data: schemas.AddonCreate
) -> BookingAddon:
    booking = await lock_booking(session, principal, booking_ref)
    same_currency(booking, data.currency)
    addon = BookingAddon(
        booking_id=booking.id, label=data.label, amount=data.amount, category=data.category
    )
    session.add(addon)
    await _priced_change(session, booking)
    await session.refresh(addon)
    return addon


async def _addon(session: AsyncSession, booking: Booking, addon_id: uuid.UUID) -> BookingAddon:
    return await one_or_404(
        session,
        select(BookingAddon).where(
            BookingAddon.id == addon_id, BookingAddon.booking_id == booking.id
        ),
        "price line",
    )


async def update_addon(
    session: AsyncSession,
    principal: Principal,
    booking_ref: str,
    addon_id: uuid.UUID,
    changes: schemas.AddonUpdate,
    if_match: str | None,
) -> BookingAddon:
    booking = await lock_booking(session, principal, booking_ref)
    addon = await lock_for_change(
        session,
        select(BookingAddon).where(
            BookingAddon.id == addon_id, BookingAddon.booking_id == booking.id
        ),
        "price line",
        if_match,
    )
    for required in ("label", "amount", "category"):
        if required in changes.model_fields_set and getattr(changes, required) is None:
            raise field_error(f"/body/{required}", f"A price line always has a {required}.")
    apply_changes(addon, changes)
    await _priced_change(session, booking)
    await session.refresh(addon)
    return addon


async def delete_addon(
    session: AsyncSession,
    principal: Principal,
    booking_ref: str,
    addon_id: uuid.UUID,
    if_match: str | None,
) -> None:
    booking = await lock_booking(session, principal, booking_ref)
    addon = await lock_for_change(
        session,
        select(BookingAddon).where(
            BookingAddon.id == addon_id, BookingAddon.booking_id == booking.id
        ),
        "price line",
        if_match,
    )
    await session.delete(addon)
    await _priced_change(session, booking)


# --- invoices ------------------------------------------------------------------------------


async def list_invoices(
    session: AsyncSession,
    principal: Principal,
    booking_ref: str,
    params: ListParams,
    sort: str,
    scope: InvoiceScope | None,
    status: InvoiceStatus | None,
) -> PageResult:
    booking_id = await money_of(session, principal, booking_ref)
    statement = select(BookingInvoice).where(BookingInvoice.booking_id == booking_id)
    if scope is not None:
        statement = statement.where(BookingInvoice.scope == scope)
    if status is not None:
        statement = statement.where(BookingInvoice.status == status)
    return await paginate(
        session,
        statement,
        sort=sort,
        sort_columns=INVOICE_SORTS,
        id_column=BookingInvoice.id,
        params=params,
    )


async def issue_invoice(
    session: AsyncSession,
    booking: Booking,
    *,
    label: str,
    scope: InvoiceScope,
    amount: Decimal,
    status: InvoiceStatus,
    now: datetime,
    invoice_type: str | None = None,
    due_at: datetime | None = None,
) -> BookingInvoice:
    """An invoice `INV-<booking>-<k>` of a locked booking; `paid_amount` follows."""
    if amount < 0 and scope is not InvoiceScope.deposit:
        raise field_error(
            "/body/amount", "Only a deposit invoice may be negative (a deposit refund)."
        )
    refs = await session.scalars(
        select(BookingInvoice.external_ref).where(BookingInvoice.booking_id == booking.id)
    )
    invoice = BookingInvoice(
        booking_id=booking.id,
        external_ref=next_child_code(
            "INV", booking_reference(booking.external_code, booking.id), refs
        ),
        label=label,
        invoice_type=invoice_type or scope.value,
        scope=scope,
        amount=amount,
        status=status,
        issued_at=None if status is InvoiceStatus.draft else now,
        paid_at=now if status is InvoiceStatus.paid else None,
        due_at=due_at,
    )
    session.add(invoice)
    await recompute_paid(session, booking)
    await refresh_client_balances(session, (booking.client_id,))
    await session.refresh(invoice)
    return invoice


async def create_invoice(
    session: AsyncSession,
    principal: Principal,
    booking_ref: str,
    data: schemas.InvoiceCreate,
    now: datetime,
) -> BookingInvoice:
    booking = await lock_booking(session, principal, booking_ref)
    same_currency(booking, data.currency)
    return await issue_invoice(
        session,
        booking,
        label=data.label,
        scope=data.scope,
        amount=data.amount,
        status=data.status,
        now=now,
        invoice_type=data.invoice_type,
        due_at=data.due_at,
    )


async def update_invoice(
    session: AsyncSession,
    principal: Principal,
    booking_ref: str,
    invoice_ref: str,
    changes: schemas.InvoiceUpdate,
    now: datetime,
    if_match: str | None,
) -> BookingInvoice:
    """Edit a draft, or move an invoice along draft -> issued -> paid (void ends it)."""
    booking = await lock_booking(session, principal, booking_ref)
    invoice = await lock_for_change(
        session,
        select(BookingInvoice).where(
            matches_id_or_code(BookingInvoice.id, BookingInvoice.external_ref, invoice_ref),
            BookingInvoice.booking_id == booking.id,
        ),
        "invoice",
        if_match,
    )
    sent = changes.model_fields_set
    for required in ("label", "amount", "status"):
        if required in sent and getattr(changes, required) is None:
            raise field_error(f"/body/{required}", f"An invoice always has a {required}.")
    current = InvoiceStatus(invoice.status)
    if "amount" in sent and changes.amount != invoice.amount and current is not InvoiceStatus.draft:
        raise Conflict(
            f"Invoice {invoice.external_ref} is {current}; only a draft's amount changes."
        )
    if changes.amount is not None and changes.amount < 0 and invoice.scope != InvoiceScope.deposit:
        raise field_error(
            "/body/amount", "Only a deposit invoice may be negative (a deposit refund)."
        )
    target = changes.status
    if target is not None and target is not current:
        if target not in INVOICE_NEXT[current]:
            raise Conflict(
                f"Invoice {invoice.external_ref} is {current} and cannot become {target}.",
                extra={"allowed": sorted(INVOICE_NEXT[current])},
            )
        if current is InvoiceStatus.draft:
            invoice.issued_at = now
        if target is InvoiceStatus.paid:
            invoice.paid_at = now
    apply_changes(invoice, changes)
    await recompute_paid(session, booking)
    await refresh_client_balances(session, (booking.client_id,))
    await session.refresh(invoice)
    return invoice


# --- tags ----------------------------------------------------------------------------------


def _tag_label(slug: str) -> str:
    return slug.replace("-", " ").capitalize()


async def replace_tags(
    session: AsyncSession, principal: Principal, booking_ref: str, slugs: list[str]
) -> list[BookingTag]:
    """The booking's tags become exactly these; unknown slugs become new tags."""
    booking = await lock_booking(session, principal, booking_ref)
    wanted = sorted(set(slugs))
    if wanted:
        await session.execute(
            insert(BookingTag)
            .values([{"slug": slug, "label": _tag_label(slug)} for slug in wanted])
            .on_conflict_do_nothing(index_elements=[BookingTag.slug])
        )
    tags = list(
        await session.scalars(
            select(BookingTag).where(BookingTag.slug.in_(wanted)).order_by(BookingTag.slug)
        )
    )
    current = set(
        await session.scalars(
            select(BookingTagLink.tag_id).where(BookingTagLink.booking_id == booking.id)
        )
    )
    keep = {tag.id for tag in tags}
    if current != keep:
        await session.execute(
            delete(BookingTagLink).where(
                BookingTagLink.booking_id == booking.id, BookingTagLink.tag_id.not_in(keep)
            )
        )
        if keep - current:
            await session.execute(
                insert(BookingTagLink).values(
                    [{"booking_id": booking.id, "tag_id": tag_id} for tag_id in keep - current]
                )
            )
        # Tags are part of the booking's representation: its ETag must move with them.
        await session.execute(
            update(Booking)
            .where(Booking.id == booking.id)
            .values(updated_at=func.clock_timestamp())
            .execution_options(synchronize_session=False)
        )
    return tags


async def list_tags(session: AsyncSession, params: ListParams, sort: str) -> PageResult:
    return await paginate(
        session,
        select(BookingTag),
        sort=sort,
        sort_columns={"slug": BookingTag.slug},
        id_column=BookingTag.id,
        params=params,
    )
