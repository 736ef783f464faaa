"""The booking lifecycle `new -> preparation -> delivery -> in_rent -> settlement`.

Each step is one transition with its own preconditions; leaving `new` is the
confirmation, the moment the car becomes taken, so it goes through the fleet's
single definition of "busy" under the car's row lock.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from skyluxse_api.api.problems import Conflict, Unprocessable
from skyluxse_api.api.validation import field_error
from skyluxse_api.auth.principal import Principal
from skyluxse_api.bookings.schemas import TransitionCreate
from skyluxse_api.fleet.availability import find_conflict, lock_vehicle
from skyluxse_api.integrations.outbox import enqueue_sales_order
from skyluxse_api.models import Booking, BookingTimelineEvent, Vehicle
from skyluxse_api.models.enums import BookingStatus

NEXT_STATUS: dict[BookingStatus, BookingStatus] = {
    BookingStatus.new: BookingStatus.preparation,
    BookingStatus.preparation: BookingStatus.delivery,
    BookingStatus.delivery: BookingStatus.in_rent,
    BookingStatus.in_rent: BookingStatus.settlement,
}
# The delivery SLA when the booking names none (the operations board's usual promise).
DEFAULT_SLA_MINUTES = 30
# Fields of a transition that belong to one target status only.
_FIELDS_OF = {
    "pickup_mileage": BookingStatus.in_rent,
    "pickup_fuel_level": BookingStatus.in_rent,
    "actual_at": BookingStatus.in_rent,
    "return_mileage": BookingStatus.settlement,
    "return_fuel_level": BookingStatus.settlement,
}


async def lock_car(session: AsyncSession, vehicle_id: uuid.UUID) -> None:
    """Serialize with every other writer of this car's calendar (422 when no such car)."""
    if not await lock_vehicle(session, vehicle_id):
        raise field_error("/body/vehicle_id", f"No vehicle {vehicle_id}.")


async def ensure_car_free(
    session: AsyncSession,
    vehicle_id: uuid.UUID,
    start: datetime,
    end: datetime,
    buffer: timedelta,
    booking_id: uuid.UUID | None = None,
) -> None:
    """Lock the car's calendar and refuse (409, naming it) any booking or job in the way."""
    await lock_car(session, vehicle_id)
    conflict = await find_conflict(
        session, vehicle_id, start, end, buffer, exclude_booking_id=booking_id
    )
    if conflict is not None:
        raise Conflict(conflict.describe(), extra=conflict.as_problem_extra())


async def confirm(session: AsyncSession, booking: Booking, buffer: timedelta) -> None:
    """Leaving `new`: the car must be free for the window; Zoho gets a sales order."""
    if booking.vehicle_id is None or booking.start_at is None or booking.end_at is None:
        raise Unprocessable(
            "A booking is confirmed with a car and a window: set vehicle_id, start_at and end_at."
        )
    await ensure_car_free(
        session, booking.vehicle_id, booking.start_at, booking.end_at, buffer, booking.id
    )
    await session.flush()
    await enqueue_sales_order(session, booking.id)


def record(
    session: AsyncSession,
    booking: Booking,
    principal: Principal,
    note: str | None,
    at: datetime,
) -> None:
    """A timeline row for what just happened to the booking, by whom."""
    session.add(
        BookingTimelineEvent(
            booking_id=booking.id,
            event_ts=at,
            status=booking.status,
            note=note,
            actor_type=principal.actor_type,
            actor_id=principal.staff_id,
        )
    )


def _refuse_foreign_fields(body: TransitionCreate) -> None:
    for name, status in _FIELDS_OF.items():
        if name in body.model_fields_set and body.to_status != status:
            raise field_error(f"/body/{name}", f"{name} is only sent when entering {status}.")


def _require(body: TransitionCreate, *names: str) -> None:
    for name in names:
        if getattr(body, name) is None:
            raise field_error(f"/body/{name}", f"{name} is required to enter {body.to_status}.")


async def _start_rent(
    session: AsyncSession, booking: Booking, body: TransitionCreate, now: datetime
) -> None:
    _require(body, "pickup_mileage", "pickup_fuel_level")
    assert body.pickup_mileage is not None
    if booking.vehicle_id is not None:
        odometer = await session.scalar(
            select(Vehicle.mileage_km).where(Vehicle.id == booking.vehicle_id)
        )
        if odometer is not None and body.pickup_mileage < odometer:
            raise field_error(
                "/body/pickup_mileage",
                f"The car's odometer already reads {odometer} km; mileage never goes backwards.",
            )
    handed_over = body.actual_at or now
    if handed_over > now:
        raise field_error("/body/actual_at", "The hand-over cannot be in the future.")
    booking.pickup_mileage = body.pickup_mileage
    booking.pickup_fuel_level = body.pickup_fuel_level
    booking.actual_at = handed_over


async def _settle(session: AsyncSession, booking: Booking, body: TransitionCreate) -> None:
    _require(body, "return_mileage", "return_fuel_level")
    assert body.return_mileage is not None
    if booking.pickup_mileage is not None and body.return_mileage < booking.pickup_mileage:
        raise field_error(
            "/body/return_mileage",
            f"The car left at {booking.pickup_mileage} km; mileage never goes backwards.",
        )
    booking.return_mileage = body.return_mileage
    booking.return_fuel_level = body.return_fuel_level
    if booking.vehicle_id is not None:
        await session.execute(
            update(Vehicle)
            .where(Vehicle.id == booking.vehicle_id)
            .values(
                mileage_km=func.greatest(func.coalesce(Vehicle.mileage_km, 0), body.return_mileage)
            )
            .execution_options(synchronize_session=False)
        )


async def transition(
    session: AsyncSession,
    principal: Principal,
    booking: Booking,
    body: TransitionCreate,
    buffer: timedelta,
    now: datetime,
) -> None:
    """Move a locked booking one step along the lifecycle, or refuse with what is allowed."""
    allowed = NEXT_STATUS.get(booking.status)
    if body.to_status != allowed:
        raise Conflict(
            f"A booking in {booking.status} cannot move to {body.to_status}.",
            extra={"status": booking.status, "allowed": [allowed] if allowed else []},
        )
    _refuse_foreign_fields(body)
    if body.to_status is BookingStatus.preparation:
        await confirm(session, booking, buffer)
    elif body.to_status is BookingStatus.delivery:
        minutes = booking.sla_minutes if booking.sla_minutes is not None else DEFAULT_SLA_MINUTES
        booking.promised_at = now + timedelta(minutes=minutes)
    elif body.to_status is BookingStatus.in_rent:
        await _start_rent(session, booking, body, now)
    else:
        await _settle(session, booking, body)
    booking.status = body.to_status
    record(session, booking, principal, body.note, now)
    await session.flush()
