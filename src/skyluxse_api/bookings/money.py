"""Booking money: cents, totals from price lines, paid from invoices, client balances.

Every amount is a Decimal rounded to cents with ROUND_HALF_UP when it arrives, so
a total is always the exact sum of the stored lines (two lines of 0.005 are
0.01 + 0.01 = 0.02, never 0.01). Deposits are held, not earned: a paid deposit
invoice never counts towards `paid_amount`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from skyluxse_api.api.problems import Unprocessable
from skyluxse_api.models import Booking, BookingAddon, BookingInvoice, Client
from skyluxse_api.models.enums import InvoiceScope, InvoiceStatus, LineCategory

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Invoice scopes that are revenue; a deposit is held and given back.
REVENUE_SCOPES = (InvoiceScope.rental, InvoiceScope.extension)


def to_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def same_currency(booking: Booking, currency: str | None) -> None:
    """One currency per booking: a line, invoice or extension in another is refused."""
    if currency is not None and currency != booking.currency:
        raise Unprocessable(
            f"This booking is priced in {booking.currency}; {currency} amounts cannot be mixed in.",
            extra={"currency": booking.currency},
        )


async def recompute_total(session: AsyncSession, booking: Booking) -> None:
    """`total_amount` = base + add-on lines - discount lines; refused (422) below zero."""
    await session.flush()
    signed = case(
        (BookingAddon.category == LineCategory.discount, -BookingAddon.amount),
        else_=BookingAddon.amount,
    )
    total = await session.scalar(
        select(func.coalesce(func.sum(signed), 0)).where(BookingAddon.booking_id == booking.id)
    )
    total = to_cents(Decimal(total or 0))
    if total < 0:
        raise Unprocessable(
            f"Discounts would exceed the price: the total would be {total} {booking.currency}.",
            extra={"total_amount": str(total)},
        )
    booking.total_amount = total
    await session.flush()


async def recompute_paid(session: AsyncSession, booking: Booking) -> None:
    """`paid_amount` = paid rental and extension invoices (deposits are held, not paid)."""
    await session.flush()
    paid = await session.scalar(
        select(func.coalesce(func.sum(BookingInvoice.amount), 0)).where(
            BookingInvoice.booking_id == booking.id,
            BookingInvoice.status == InvoiceStatus.paid,
            BookingInvoice.scope.in_(REVENUE_SCOPES),
        )
    )
    booking.paid_amount = to_cents(Decimal(paid or 0))
    await session.flush()


async def refresh_client_balances(
    session: AsyncSession, client_ids: Iterable[uuid.UUID | None]
) -> None:
    """`clients.outstanding_amount` = what each booking still owes, over the client's bookings.

    A booking paid beyond its total owes nothing; its credit does not offset another's debt.
    """
    ids = sorted({client_id for client_id in client_ids if client_id is not None})
    if not ids:
        return
    await session.flush()
    owed = (
        select(
            func.coalesce(
                func.sum(
                    func.greatest(func.coalesce(Booking.total_amount, 0) - Booking.paid_amount, 0)
                ),
                0,
            )
        )
        .where(Booking.client_id == Client.id)
        .scalar_subquery()
    )
    await session.execute(
        update(Client)
        .where(Client.id.in_(ids))
        .values(outstanding_amount=owed)
        .execution_options(synchronize_session=False)
    )
