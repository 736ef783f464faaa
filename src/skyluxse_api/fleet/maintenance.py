"""Maintenance, repair and detailing jobs: they block the car and show in the fleet calendar."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from skyluxse_api.api.crud import (
    apply_changes,
    lock_for_change,
    not_found,
    one_or_404,
    refresh_after_write,
)
from skyluxse_api.api.pagination import ListParams, PageResult, paginate
from skyluxse_api.api.problems import Conflict
from skyluxse_api.api.routing import matches_id_or_code
from skyluxse_api.api.validation import field_error
from skyluxse_api.auth.principal import Principal
from skyluxse_api.auth.scopes import booking_scope, vehicle_scope
from skyluxse_api.fleet import schemas
from skyluxse_api.fleet.availability import (
    BLOCKING_JOB_STATUSES,
    find_conflict,
    job_window,
    lock_vehicle,
)
from skyluxse_api.models import Booking, CalendarEvent, MaintenanceJob, Vehicle
from skyluxse_api.models.enums import (
    CalendarEventType,
    EventStatus,
    MaintenanceJobStatus,
    MaintenanceJobType,
)

JOB_SORTS: dict[str, Any] = {
    "scheduled_start": func.coalesce(MaintenanceJob.scheduled_start, MaintenanceJob.created_at),
    "created_at": MaintenanceJob.created_at,
}

JOB_TRANSITIONS: dict[str, frozenset[MaintenanceJobStatus]] = {
    MaintenanceJobStatus.scheduled: frozenset(
        {MaintenanceJobStatus.in_progress, MaintenanceJobStatus.cancelled}
    ),
    MaintenanceJobStatus.in_progress: frozenset(
        {MaintenanceJobStatus.done, MaintenanceJobStatus.cancelled}
    ),
    MaintenanceJobStatus.done: frozenset(),
    MaintenanceJobStatus.cancelled: frozenset(),
}
JOB_WINDOW_FIELDS = frozenset({"scheduled_start", "scheduled_end", "actual_start", "actual_end"})
DELETABLE_JOB_STATUSES = (MaintenanceJobStatus.scheduled, MaintenanceJobStatus.cancelled)
CALENDAR_EVENT_TYPES = {
    MaintenanceJobType.maintenance: CalendarEventType.maintenance,
    MaintenanceJobType.detailing: CalendarEventType.maintenance,
    MaintenanceJobType.repair: CalendarEventType.repair,
}
CALENDAR_EVENT_STATUSES = {
    MaintenanceJobStatus.scheduled: EventStatus.scheduled,
    MaintenanceJobStatus.in_progress: EventStatus.in_progress,
    MaintenanceJobStatus.done: EventStatus.completed,
}


async def _db_now(session: AsyncSession) -> datetime:
    # The transaction's clock, the same one `created_at`/`now()` use in SQL.
    now: datetime = (await session.execute(select(func.now()))).scalar_one()
    return now


def jobs_in_scope(principal: Principal) -> Select[MaintenanceJob]:
    return select(MaintenanceJob).where(vehicle_scope(principal, MaintenanceJob.vehicle_id))


def _effective_window(job: MaintenanceJob) -> tuple[datetime | None, datetime | None]:
    """What actually happened, else what was planned (as `job_window()` in SQL)."""
    return job.actual_start or job.scheduled_start, job.actual_end or job.scheduled_end


def _check_job_fields(job: MaintenanceJob) -> None:
    """Rules over the merged row, so a PATCH of one side is checked against the other."""
    if job.scheduled_start is None or job.scheduled_end is None:
        if job.status in BLOCKING_JOB_STATUSES:
            raise field_error("/body/scheduled_start", "A planned job needs its scheduled window.")
    elif job.scheduled_end <= job.scheduled_start:
        raise field_error("/body/scheduled_end", "scheduled_end must be after scheduled_start.")
    if job.actual_start and job.actual_end and job.actual_end < job.actual_start:
        raise field_error("/body/actual_end", "actual_end must not be before actual_start.")
    if (
        job.odometer_start is not None
        and job.odometer_end is not None
        and job.odometer_end < job.odometer_start
    ):
        raise field_error("/body/odometer_end", "odometer_end must not be below odometer_start.")
    start, end = _effective_window(job)
    if job.status in BLOCKING_JOB_STATUSES and start and end and end <= start:
        raise field_error(
            "/body/scheduled_end", "The job started after its planned end; move scheduled_end."
        )


async def _refuse_overlap(session: AsyncSession, job: MaintenanceJob, buffer: timedelta) -> None:
    if job.status not in BLOCKING_JOB_STATUSES:
        return
    start, end = _effective_window(job)
    if start is None or end is None:
        return
    conflict = await find_conflict(
        session, job.vehicle_id, start, end, buffer, exclude_job_id=job.id
    )
    if conflict is not None:
        raise Conflict(conflict.describe(), extra=conflict.as_problem_extra())


async def _check_booking(
    session: AsyncSession, principal: Principal, booking_id: uuid.UUID, vehicle_id: uuid.UUID
) -> None:
    booked_vehicle = await session.execute(
        select(Booking.vehicle_id).where(Booking.id == booking_id, booking_scope(principal))
    )
    row = booked_vehicle.first()
    if row is None:
        raise field_error("/body/booking_id", f"No booking {booking_id}.")
    if row.vehicle_id != vehicle_id:
        raise field_error("/body/booking_id", "The booking is of another car.")


async def _sync_calendar_event(session: AsyncSession, job: MaintenanceJob) -> None:
    """Keep the job's fleet-calendar entry in step with its window, type and status."""
    event = await session.scalar(
        select(CalendarEvent).where(CalendarEvent.maintenance_job_id == job.id).limit(1)
    )
    if job.status == MaintenanceJobStatus.cancelled:
        if event is not None:
            await session.delete(event)
        return
    if event is None:
        event = CalendarEvent(maintenance_job_id=job.id, vehicle_id=job.vehicle_id)
        session.add(event)
    vehicle_name = await session.scalar(select(Vehicle.name).where(Vehicle.id == job.vehicle_id))
    job_type = MaintenanceJobType(job.job_type)
    event.event_type = CALENDAR_EVENT_TYPES[job_type]
    event.title = f"{job_type.value.capitalize()}: {vehicle_name}"
    event.description = job.description
    event.start_at, event.end_at = _effective_window(job)
    event.status = CALENDAR_EVENT_STATUSES[MaintenanceJobStatus(job.status)]


async def list_jobs(
    session: AsyncSession,
    principal: Principal,
    params: ListParams,
    sort: str,
    vehicle: str | None,
    status: MaintenanceJobStatus | None,
    job_type: MaintenanceJobType | None,
    window: tuple[datetime, datetime] | None,
) -> PageResult:
    statement = jobs_in_scope(principal)
    if vehicle is not None:
        statement = statement.where(
            MaintenanceJob.vehicle_id.in_(
                select(Vehicle.id).where(
                    matches_id_or_code(Vehicle.id, Vehicle.external_ref, vehicle)
                )
            )
        )
    if status is not None:
        statement = statement.where(MaintenanceJob.status == status)
    if job_type is not None:
        statement = statement.where(MaintenanceJob.job_type == job_type)
    if window is not None:
        job_start, job_end = job_window()
        statement = statement.where(job_start < window[1], job_end > window[0])
    return await paginate(
        session,
        statement,
        sort=sort,
        sort_columns=JOB_SORTS,
        id_column=MaintenanceJob.id,
        params=params,
    )


async def get_job(session: AsyncSession, principal: Principal, job_id: uuid.UUID) -> MaintenanceJob:
    return await one_or_404(
        session, jobs_in_scope(principal).where(MaintenanceJob.id == job_id), "maintenance job"
    )


async def create_job(
    session: AsyncSession,
    principal: Principal,
    data: schemas.MaintenanceJobCreate,
    buffer: timedelta,
) -> MaintenanceJob:
    """Plan a job; it blocks the car, so it may not overlap a booking or another job."""
    visible = await session.scalar(
        select(Vehicle.id).where(Vehicle.id == data.vehicle_id, vehicle_scope(principal))
    )
    if visible is None or not await lock_vehicle(session, data.vehicle_id):
        raise field_error("/body/vehicle_id", f"No vehicle {data.vehicle_id}.")
    if data.booking_id is not None:
        await _check_booking(session, principal, data.booking_id, data.vehicle_id)
    job = MaintenanceJob(**data.model_dump())
    if job.status == MaintenanceJobStatus.in_progress and job.actual_start is None:
        job.actual_start = await _db_now(session)
    _check_job_fields(job)
    await _refuse_overlap(session, job, buffer)
    session.add(job)
    await session.flush()
    await _sync_calendar_event(session, job)
    await refresh_after_write(session, job)
    return job


async def update_job(
    session: AsyncSession,
    principal: Principal,
    job_id: uuid.UUID,
    changes: schemas.MaintenanceJobUpdate,
    if_match: str | None,
    buffer: timedelta,
) -> MaintenanceJob:
    """Change a job; status moves scheduled -> in_progress -> done, or to cancelled."""
    vehicle_id = await session.scalar(
        select(MaintenanceJob.vehicle_id).where(
            MaintenanceJob.id == job_id,
            vehicle_scope(principal, MaintenanceJob.vehicle_id),
        )
    )
    if vehicle_id is None:
        raise not_found("maintenance job")
    # The car first, then the job: the same order as every other writer of its calendar.
    await lock_vehicle(session, vehicle_id)
    job = await lock_for_change(
        session,
        jobs_in_scope(principal).where(MaintenanceJob.id == job_id),
        "maintenance job",
        if_match,
    )
    was = MaintenanceJobStatus(job.status)
    sent = apply_changes(job, changes)
    if job.status != was:
        if job.status not in JOB_TRANSITIONS[was]:
            allowed = sorted(JOB_TRANSITIONS[was])
            raise Conflict(
                f"A {was} job cannot become {job.status}"
                + (f"; it can become {' or '.join(allowed)}." if allowed else "; it is final."),
                extra={"from": was.value, "to": str(job.status), "allowed": allowed},
            )
        now = await _db_now(session)
        if job.status == MaintenanceJobStatus.in_progress and job.actual_start is None:
            job.actual_start = now
        if job.status == MaintenanceJobStatus.done and job.actual_end is None:
            job.actual_end = now
    if changes.booking_id is not None:
        await _check_booking(session, principal, changes.booking_id, job.vehicle_id)
    _check_job_fields(job)
    if job.status != was or sent & JOB_WINDOW_FIELDS:
        await _refuse_overlap(session, job, buffer)
    await session.flush()
    await _sync_calendar_event(session, job)
    await refresh_after_write(session, job)
    return job


async def delete_job(
    session: AsyncSession, principal: Principal, job_id: uuid.UUID, if_match: str | None
) -> None:
    """Only a job that never happened goes; its calendar entry goes with it (cascade)."""
    job = await lock_for_change(
        session,
        jobs_in_scope(principal).where(MaintenanceJob.id == job_id),
        "maintenance job",
        if_match,
    )
    if job.status not in DELETABLE_JOB_STATUSES:
        raise Conflict(
            f"A {job.status} job is part of the car's service history and cannot be deleted"
            + ("; cancel it instead." if job.status == MaintenanceJobStatus.in_progress else "."),
            extra={"status": str(job.status)},
        )
    await session.delete(job)
    await session.flush()
