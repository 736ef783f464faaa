"""The operations kanban: bookings by status, each card with its SLA state.

One statement ranks the bookings within their status (most urgent first; the
settlement column shows the latest returns first) and counts every column, so
the board costs one round trip however many columns it has.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from skyluxse_api.auth.principal import Principal
from skyluxse_api.auth.scopes import booking_scope
from skyluxse_api.bookings.queries import BookingFilters, filtered, tags_of
from skyluxse_api.bookings.schemas import BoardCard, BoardColumn, BoardRead, SlaState
from skyluxse_api.models import Booking, Client, Vehicle
from skyluxse_api.models.enums import BookingStatus


def sla_state(
    promised_at: datetime | None, actual_at: datetime | None, now: datetime, due_soon: timedelta
) -> SlaState:
    """On time, due soon (within `due_soon` of the promise), breached, or none promised."""
    if promised_at is None:
        return SlaState.none
    if actual_at is not None:
        return SlaState.breached if actual_at > promised_at else SlaState.on_time
    if now > promised_at:
        return SlaState.breached
    return SlaState.due_soon if promised_at - now <= due_soon else SlaState.on_time


def _urgency() -> Any:
    returned = extract("epoch", func.coalesce(Booking.end_at, Booking.start_at))
    due = extract("epoch", func.coalesce(Booking.promised_at, Booking.start_at))
    return case((Booking.status == BookingStatus.settlement, -returned), else_=due)


async def board(
    session: AsyncSession,
    principal: Principal,
    filters: BookingFilters,
    per_column: int,
    now: datetime,
    due_soon: timedelta,
) -> BoardRead:
    values = filters.values()
    ranked = filtered(
        select(
            Booking.id,
            Booking.external_code,
            Booking.status,
            Booking.booking_type,
            Booking.priority,
            Client.name.label("client_name"),
            Booking.vehicle_id,
            Vehicle.name.label("vehicle_name"),
            Booking.driver_id,
            Booking.owner_id,
            Booking.start_at,
            Booking.end_at,
            Booking.sla_minutes,
            Booking.promised_at,
            Booking.actual_at,
            tags_of(Booking.id).label("tags"),
            func.count().over(partition_by=Booking.status).label("column_count"),
            func.row_number()
            .over(
                partition_by=Booking.status,
                order_by=(_urgency().asc().nulls_last(), Booking.id),
            )
            .label("position"),
        )
        .select_from(Booking)
        .outerjoin(Client, Client.id == Booking.client_id)
        .outerjoin(Vehicle, Vehicle.id == Booking.vehicle_id)
        .where(booking_scope(principal)),
        frozenset(values),
    ).subquery()
    rows = (
        await session.execute(
            select(ranked)
            .where(ranked.c.position <= per_column)
            .order_by(ranked.c.status, ranked.c.position),
            values,
        )
    ).mappings()
    columns = {status: BoardColumn(status=status, count=0, items=[]) for status in BookingStatus}
    for row in rows:
        column = columns[row["status"]]
        column.count = row["column_count"]
        state = sla_state(row["promised_at"], row["actual_at"], now, due_soon)
        column.items.append(BoardCard.model_validate({**row, "sla_state": state}))
    return BoardRead(generated_at=now, columns=list(columns.values()))
