"""The fleet detail screen: a vehicle and everything around it, in one call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from skyluxse_api.auth.principal import Principal
from skyluxse_api.auth.scopes import booking_scope
from skyluxse_api.fleet import maintenance, schemas, service
from skyluxse_api.fleet.availability import BLOCKING_JOB_STATUSES, job_window
from skyluxse_api.models import Booking, MaintenanceJob, Vehicle, VehicleInspection, VehicleReminder

OVERVIEW_INSPECTIONS = 5
OVERVIEW_BOOKINGS = 5


@dataclass(frozen=True)
class Overview:
    vehicle: Vehicle
    reminders: list[schemas.ReminderRead]
    recent_inspections: Sequence[VehicleInspection]
    open_maintenance_jobs: Sequence[MaintenanceJob]
    upcoming_bookings: Sequence[Any]


async def vehicle_overview(session: AsyncSession, principal: Principal, vehicle: str) -> Overview:
    """The fleet detail screen in five queries, each scoped like its own resource."""
    car = await service.get_vehicle(session, principal, vehicle)
    reminders = (
        await session.execute(
            service.reminders_in_scope(principal)
            .where(VehicleReminder.vehicle_id == car.id)
            .order_by(service.REMINDER_SORTS["due_date"], VehicleReminder.created_at)
        )
    ).all()
    inspections = (
        await session.scalars(
            service.inspections_in_scope(principal)
            .where(VehicleInspection.vehicle_id == car.id)
            .order_by(
                service.INSPECTION_SORTS["inspection_date"].desc(),
                VehicleInspection.created_at.desc(),
            )
            .limit(OVERVIEW_INSPECTIONS)
        )
    ).all()
    job_start, _ = job_window()
    jobs = (
        await session.scalars(
            maintenance.jobs_in_scope(principal)
            .where(
                MaintenanceJob.vehicle_id == car.id,
                MaintenanceJob.status.in_(BLOCKING_JOB_STATUSES),
            )
            .order_by(job_start.asc().nulls_last(), MaintenanceJob.created_at)
        )
    ).all()
    bookings = (
        await session.execute(
            select(
                Booking.id,
                Booking.external_code,
                Booking.status,
                Booking.start_at,
                Booking.end_at,
                Booking.total_amount,
                Booking.currency,
            )
            .where(
                Booking.vehicle_id == car.id,
                Booking.start_at.is_not(None),
                func.coalesce(Booking.end_at, Booking.start_at) >= func.now(),
                booking_scope(principal),
            )
            .order_by(Booking.start_at)
            .limit(OVERVIEW_BOOKINGS)
        )
    ).all()
    return Overview(
        vehicle=car,
        reminders=[service.reminder_read(*row) for row in reminders],
        recent_inspections=inspections,
        open_maintenance_jobs=jobs,
        upcoming_bookings=bookings,
    )
