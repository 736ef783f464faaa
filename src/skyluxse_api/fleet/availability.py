"""When a car is taken: the one definition of "busy" for bookings, jobs and availability.

A car is busy during every booking that is past `new` (a `new` booking is an
enquiry and blocks nothing) and every maintenance job that is scheduled or in
progress. Windows are half-open `[start, end)`, and a turnaround buffer keeps
that much time free between two of them (cleaning, refuel, transfer).

Writers serialize per car with `lock_vehicle` (a row lock on the vehicle, held to
the end of the transaction) before they check for a conflict, so two requests
for overlapping windows on one car can never both succeed. There is no
exclusion constraint on purpose: imported history may already overlap and must
still load (decisions.md).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from skyluxse_api.models import Booking, MaintenanceJob, Vehicle
from skyluxse_api.models.enums import BookingStatus, MaintenanceJobStatus

BLOCKING_JOB_STATUSES = (MaintenanceJobStatus.scheduled, MaintenanceJobStatus.in_progress)


def job_window() -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """A job's effective window: what actually happened, else what was planned."""
    return (
        func.coalesce(MaintenanceJob.actual_start, MaintenanceJob.scheduled_start),
        func.coalesce(MaintenanceJob.actual_end, MaintenanceJob.scheduled_end),
    )


def booking_overlaps(
    vehicle_id: Any, start: datetime, end: datetime, buffer: timedelta
) -> ColumnElement[bool]:
    return and_(
        Booking.vehicle_id == vehicle_id,
        Booking.status != BookingStatus.new,
        Booking.start_at < end + buffer,
        Booking.end_at > start - buffer,
    )


def _job_overlaps(
    vehicle_id: Any, start: datetime, end: datetime, buffer: timedelta
) -> ColumnElement[bool]:
    job_start, job_end = job_window()
    return and_(
        MaintenanceJob.vehicle_id == vehicle_id,
        MaintenanceJob.status.in_(BLOCKING_JOB_STATUSES),
        job_start < end + buffer,
        job_end > start - buffer,
    )


def vehicle_is_free(
    start: datetime, end: datetime, buffer: timedelta, vehicle_id: Any = Vehicle.id
) -> ColumnElement[bool]:
    """SQL predicate: no blocking booking or job of `vehicle_id` within the window."""
    return ~exists().where(booking_overlaps(vehicle_id, start, end, buffer)) & ~exists().where(
        _job_overlaps(vehicle_id, start, end, buffer)
    )


@dataclass(frozen=True)
class Conflict:
    kind: str  # "booking" or "maintenance_job"
    id: uuid.UUID
    code: str | None
    start_at: datetime | None
    end_at: datetime | None

    def describe(self) -> str:
        name = (
            f"booking {self.code}"
            if self.kind == "booking" and self.code
            else f"{self.kind} {self.id}"
        )
        return f"The car is taken by {name} ({self.start_at} - {self.end_at})."

    def as_problem_extra(self) -> dict[str, Any]:
        return {
            "conflict": {
                "kind": self.kind,
                "id": str(self.id),
                "code": self.code,
                "start_at": self.start_at.isoformat() if self.start_at else None,
                "end_at": self.end_at.isoformat() if self.end_at else None,
            }
        }


async def lock_vehicle(session: AsyncSession, vehicle_id: uuid.UUID) -> bool:
    """Serialize writers of one car's calendar; False when the car does not exist."""
    locked = await session.scalar(
        select(Vehicle.id).where(Vehicle.id == vehicle_id).with_for_update()
    )
    return locked is not None


async def find_conflict(
    session: AsyncSession,
    vehicle_id: uuid.UUID,
    start: datetime,
    end: datetime,
    buffer: timedelta,
    *,
    exclude_booking_id: uuid.UUID | None = None,
    exclude_job_id: uuid.UUID | None = None,
) -> Conflict | None:
    """The first booking or job of the car overlapping the window (buffer included)."""
    bookings = select(Booking.id, Booking.external_code, Booking.start_at, Booking.end_at).where(
        booking_overlaps(vehicle_id, start, end, buffer)
    )
    if exclude_booking_id is not None:
        bookings = bookings.where(Booking.id != exclude_booking_id)
    row = (await session.execute(bookings.order_by(Booking.start_at).limit(1))).first()
    if row is not None:
        return Conflict("booking", row.id, row.external_code, row.start_at, row.end_at)
    job_start, job_end = job_window()
    jobs = select(MaintenanceJob.id, job_start.label("s"), job_end.label("e")).where(
        _job_overlaps(vehicle_id, start, end, buffer)
    )
    if exclude_job_id is not None:
        jobs = jobs.where(MaintenanceJob.id != exclude_job_id)
    job = (await session.execute(jobs.order_by(job_start).limit(1))).first()
    if job is not None:
        return Conflict("maintenance_job", job.id, None, job.s, job.e)
    return None
