"""HTTP routes of the fleet: vehicles, availability, reminders, inspections, maintenance jobs."""

from __future__ import annotations

import enum
import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import AwareDatetime

from skyluxse_api.api.etag import IfMatch, set_etag
from skyluxse_api.api.pagination import Listing
from skyluxse_api.api.routing import API_PREFIX, IdOrCode, errors
from skyluxse_api.api.schemas import Page, SearchText, ShortText
from skyluxse_api.api.validation import check_window, field_error
from skyluxse_api.auth.dependencies import require
from skyluxse_api.auth.permissions import Permission as P
from skyluxse_api.auth.principal import Principal
from skyluxse_api.db.engine import DbSession
from skyluxse_api.fleet import maintenance, overview, schemas, service
from skyluxse_api.models import MaintenanceJob, Vehicle, VehicleInspection
from skyluxse_api.models.enums import (
    MaintenanceJobStatus,
    MaintenanceJobType,
    ReminderStatus,
    VehicleStatus,
)

router = APIRouter(prefix=API_PREFIX)


class VehicleSort(enum.StrEnum):
    name = "name"
    name_desc = "-name"
    created_at = "created_at"
    created_at_desc = "-created_at"
    model_year = "model_year"
    model_year_desc = "-model_year"
    utilization_pct = "utilization_pct"
    utilization_pct_desc = "-utilization_pct"


class ReminderSort(enum.StrEnum):
    due_date = "due_date"
    due_date_desc = "-due_date"
    created_at = "created_at"
    created_at_desc = "-created_at"


class InspectionSort(enum.StrEnum):
    inspection_date = "inspection_date"
    inspection_date_desc = "-inspection_date"
    created_at = "created_at"
    created_at_desc = "-created_at"


class MaintenanceJobSort(enum.StrEnum):
    scheduled_start = "scheduled_start"
    scheduled_start_desc = "-scheduled_start"
    created_at = "created_at"
    created_at_desc = "-created_at"


def _turnaround_buffer(request: Request) -> timedelta:
    return timedelta(minutes=request.app.state.settings.turnaround_buffer_minutes)


TurnaroundBuffer = Annotated[timedelta, Depends(_turnaround_buffer)]

VehicleOut = schemas.VehicleRead | schemas.VehicleDriverRead
JobOut = schemas.MaintenanceJobRead | schemas.MaintenanceJobDriverRead


def _vehicle_out(principal: Principal, vehicle: Vehicle) -> VehicleOut:
    if principal.is_driver:
        return schemas.VehicleDriverRead.model_validate(vehicle)
    return schemas.VehicleRead.model_validate(vehicle)


def _job_out(principal: Principal, job: MaintenanceJob) -> JobOut:
    if principal.is_driver:
        return schemas.MaintenanceJobDriverRead.model_validate(job)
    return schemas.MaintenanceJobRead.model_validate(job)


def _inspection_out(response: Response, inspection: VehicleInspection) -> schemas.InspectionRead:
    set_etag(response, inspection.id, inspection.updated_at)
    return schemas.InspectionRead.model_validate(inspection)


def _window(
    start: AwareDatetime | None,
    end: AwareDatetime | None,
    names: tuple[str, str],
    longest: timedelta | None = None,
) -> tuple[AwareDatetime, AwareDatetime] | None:
    if start is None and end is None:
        return None
    if start is None or end is None:
        missing = names[0] if start is None else names[1]
        raise field_error(f"/query/{missing}", f"Send {names[0]} and {names[1]} together.")
    check_window(start, end, end_pointer=f"/query/{names[1]}", longest=longest)
    return start, end


# --- vehicles ------------------------------------------------------------------------


@router.get("/vehicles", tags=["vehicles"], summary="List vehicles", responses=errors())
async def vehicles_list(
    session: DbSession,
    listing: Listing,
    buffer: TurnaroundBuffer,
    sort: VehicleSort = VehicleSort.name,
    status: VehicleStatus | None = None,
    vehicle_class: Annotated[ShortText | None, Query(alias="class")] = None,
    make: ShortText | None = None,
    body_style: ShortText | None = None,
    min_seats: Annotated[int | None, Query(ge=1, le=20)] = None,
    available_from: Annotated[
        AwareDatetime | None,
        Query(description="With available_to: only cars free for the whole window."),
    ] = None,
    available_to: AwareDatetime | None = None,
    q: Annotated[
        SearchText | None, Query(description="Name, make, model or plate contains")
    ] = None,
    principal: Principal = require(P.FLEET_READ),
) -> Page[VehicleOut]:
    filters = service.VehicleFilters(
        status=status,
        vehicle_class=vehicle_class,
        make=make,
        body_style=body_style,
        min_seats=min_seats,
        q=q,
        free_between=_window(
            available_from,
            available_to,
            ("available_from", "available_to"),
            service.MAX_AVAILABILITY_WINDOW,
        ),
    )
    page = await service.list_vehicles(session, principal, listing, sort, filters, buffer)
    return Page(
        items=[_vehicle_out(principal, item) for item in page.items],
        next_cursor=page.next_cursor,
        total=page.total,
    )


@router.post("/vehicles", tags=["vehicles"], status_code=status.HTTP_201_CREATED,
             summary="Add a vehicle to the fleet", responses=errors(409))  # fmt: skip
async def vehicles_create(
    body: schemas.VehicleCreate,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.FLEET_WRITE),
) -> schemas.VehicleRead:
    vehicle = await service.create_vehicle(session, principal, body)
    set_etag(response, vehicle.id, vehicle.updated_at)
    return schemas.VehicleRead.model_validate(vehicle)


# Declared before `/vehicles/{vehicle}` so "availability" is not read as a vehicle code.
@router.get(
    "/vehicles/availability",
    tags=["vehicles"],
    summary="Vehicles free for a whole window (turnaround buffer included)",
    description="Excludes sold cars and service cars. A car is taken by any booking past "
    "`new` and any scheduled or in-progress maintenance job, plus the turnaround buffer.",
    responses=errors(),
)
async def vehicles_availability(
    session: DbSession,
    listing: Listing,
    buffer: TurnaroundBuffer,
    start: AwareDatetime,
    end: AwareDatetime,
    sort: VehicleSort = VehicleSort.name,
    vehicle_class: Annotated[ShortText | None, Query(alias="class")] = None,
    make: ShortText | None = None,
    min_seats: Annotated[int | None, Query(ge=1, le=20)] = None,
    principal: Principal = require(P.FLEET_READ),
) -> Page[VehicleOut]:
    filters = service.VehicleFilters(
        vehicle_class=vehicle_class,
        make=make,
        min_seats=min_seats,
        free_between=_window(start, end, ("start", "end"), service.MAX_AVAILABILITY_WINDOW),
        rentable_only=True,
    )
    page = await service.list_vehicles(session, principal, listing, sort, filters, buffer)
    return Page(
        items=[_vehicle_out(principal, item) for item in page.items],
        next_cursor=page.next_cursor,
        total=page.total,
    )


@router.get("/vehicles/{vehicle}", tags=["vehicles"],
            summary="One vehicle, by id or natural code (`/vehicles/1`)",
            responses=errors(404))  # fmt: skip
async def vehicles_get(
    vehicle: IdOrCode,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.FLEET_READ),
) -> VehicleOut:
    found = await service.get_vehicle(session, principal, vehicle)
    set_etag(response, found.id, found.updated_at)
    return _vehicle_out(principal, found)


@router.patch("/vehicles/{vehicle}", tags=["vehicles"], summary="Change a vehicle",
              responses=errors(404, 409, 412))  # fmt: skip
async def vehicles_update(
    vehicle: IdOrCode,
    body: schemas.VehicleUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
    principal: Principal = require(P.FLEET_WRITE),
) -> schemas.VehicleRead:
    changed = await service.update_vehicle(session, principal, vehicle, body, if_match)
    set_etag(response, changed.id, changed.updated_at)
    return schemas.VehicleRead.model_validate(changed)


@router.delete(
    "/vehicles/{vehicle}",
    tags=["vehicles"],
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a vehicle without history (a car with bookings or jobs: set status sold)",
    responses=errors(404, 409, 412),
)
async def vehicles_delete(
    vehicle: IdOrCode,
    session: DbSession,
    if_match: IfMatch = None,
    principal: Principal = require(P.FLEET_WRITE),
) -> Response:
    await service.delete_vehicle(session, principal, vehicle, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/vehicles/{vehicle}/overview",
    tags=["vehicles"],
    summary="The fleet detail screen in one call",
    description="The vehicle, its reminders, last inspections, open maintenance jobs and next "
    "bookings. The ETag is the vehicle's, so the screen can PATCH it with If-Match.",
    responses=errors(404),
)
async def vehicles_overview(
    vehicle: IdOrCode,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.FLEET_READ),
) -> schemas.VehicleOverview | schemas.VehicleDriverOverview:
    screen = await overview.vehicle_overview(session, principal, vehicle)
    set_etag(response, screen.vehicle.id, screen.vehicle.updated_at)
    if principal.is_driver:
        return schemas.VehicleDriverOverview.model_validate(screen)
    return schemas.VehicleOverview.model_validate(screen)


# --- reminders -----------------------------------------------------------------------


@router.get("/vehicles/{vehicle}/reminders", tags=["reminders"],
            summary="A vehicle's reminders (status derived from the due date)",
            responses=errors(404))  # fmt: skip
async def reminders_list(
    vehicle: IdOrCode,
    session: DbSession,
    listing: Listing,
    sort: ReminderSort = ReminderSort.due_date,
    status: ReminderStatus | None = None,
    principal: Principal = require(P.FLEET_READ),
) -> Page[schemas.ReminderRead]:
    page = await service.list_reminders(session, principal, vehicle, listing, sort, status)
    return Page(items=page.items, next_cursor=page.next_cursor, total=page.total)


@router.post("/vehicles/{vehicle}/reminders", tags=["reminders"],
             status_code=status.HTTP_201_CREATED, summary="Add a reminder to a vehicle",
             responses=errors(404, 409))  # fmt: skip
async def reminders_create(
    vehicle: IdOrCode,
    body: schemas.ReminderCreate,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.FLEET_WRITE),
) -> schemas.ReminderRead:
    reminder = await service.create_reminder(session, principal, vehicle, body)
    set_etag(response, reminder.id, reminder.updated_at)
    return reminder


@router.get("/reminders/{reminder}", tags=["reminders"],
            summary="One reminder, by id or code (`RM-huracan-service`)",
            responses=errors(404))  # fmt: skip
async def reminders_get(
    reminder: IdOrCode,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.FLEET_READ),
) -> schemas.ReminderRead:
    found = await service.get_reminder(session, principal, reminder)
    set_etag(response, found.id, found.updated_at)
    return found


@router.patch("/reminders/{reminder}", tags=["reminders"], summary="Change a reminder",
              responses=errors(404, 409, 412))  # fmt: skip
async def reminders_update(
    reminder: IdOrCode,
    body: schemas.ReminderUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
    principal: Principal = require(P.FLEET_WRITE),
) -> schemas.ReminderRead:
    changed = await service.update_reminder(session, principal, reminder, body, if_match)
    set_etag(response, changed.id, changed.updated_at)
    return changed


@router.delete("/reminders/{reminder}", tags=["reminders"],
               status_code=status.HTTP_204_NO_CONTENT, summary="Delete a reminder",
               responses=errors(404, 412))  # fmt: skip
async def reminders_delete(
    reminder: IdOrCode,
    session: DbSession,
    if_match: IfMatch = None,
    principal: Principal = require(P.FLEET_WRITE),
) -> Response:
    await service.delete_reminder(session, principal, reminder, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- inspections ---------------------------------------------------------------------


@router.get("/vehicles/{vehicle}/inspections", tags=["inspections"],
            summary="A vehicle's inspections", responses=errors(404))  # fmt: skip
async def inspections_list(
    vehicle: IdOrCode,
    session: DbSession,
    listing: Listing,
    sort: InspectionSort = InspectionSort.inspection_date_desc,
    principal: Principal = require(P.FLEET_READ),
) -> Page[schemas.InspectionRead]:
    page = await service.list_inspections(session, principal, vehicle, listing, sort)
    return page.to_page(schemas.InspectionRead)


@router.post(
    "/vehicles/{vehicle}/inspections",
    tags=["inspections"],
    status_code=status.HTTP_201_CREATED,
    summary="Record an inspection (drivers: for the cars of their tasks)",
    responses=errors(404),
)
async def inspections_create(
    vehicle: IdOrCode,
    body: schemas.InspectionCreate,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.INSPECTIONS_CREATE),
) -> schemas.InspectionRead:
    inspection = await service.create_inspection(session, principal, vehicle, body)
    return _inspection_out(response, inspection)


@router.get("/inspections/{inspection_id}", tags=["inspections"], summary="One inspection",
            responses=errors(404))  # fmt: skip
async def inspections_get(
    inspection_id: uuid.UUID,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.FLEET_READ),
) -> schemas.InspectionRead:
    inspection = await service.get_inspection(session, principal, inspection_id)
    return _inspection_out(response, inspection)


@router.patch("/inspections/{inspection_id}", tags=["inspections"],
              summary="Change an inspection", responses=errors(404, 412))  # fmt: skip
async def inspections_update(
    inspection_id: uuid.UUID,
    body: schemas.InspectionUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
    principal: Principal = require(P.FLEET_WRITE),
) -> schemas.InspectionRead:
    inspection = await service.update_inspection(session, principal, inspection_id, body, if_match)
    return _inspection_out(response, inspection)


@router.delete("/inspections/{inspection_id}", tags=["inspections"],
               status_code=status.HTTP_204_NO_CONTENT, summary="Delete an inspection",
               responses=errors(404, 412))  # fmt: skip
async def inspections_delete(
    inspection_id: uuid.UUID,
    session: DbSession,
    if_match: IfMatch = None,
    principal: Principal = require(P.FLEET_WRITE),
) -> Response:
    await service.delete_inspection(session, principal, inspection_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- maintenance jobs ----------------------------------------------------------------


@router.get("/maintenance-jobs", tags=["maintenance-jobs"],
            summary="List maintenance, repair and detailing jobs",
            responses=errors())  # fmt: skip
async def maintenance_jobs_list(
    session: DbSession,
    listing: Listing,
    sort: MaintenanceJobSort = MaintenanceJobSort.scheduled_start,
    vehicle: Annotated[
        str | None, Query(min_length=1, max_length=100, description="Vehicle id or code")
    ] = None,
    status: MaintenanceJobStatus | None = None,
    job_type: MaintenanceJobType | None = None,
    window_start: Annotated[
        AwareDatetime | None,
        Query(description="With window_end: jobs whose window overlaps this one."),
    ] = None,
    window_end: AwareDatetime | None = None,
    principal: Principal = require(P.FLEET_READ),
) -> Page[JobOut]:
    window = _window(window_start, window_end, ("window_start", "window_end"))
    page = await maintenance.list_jobs(
        session, principal, listing, sort, vehicle, status, job_type, window
    )
    return Page(
        items=[_job_out(principal, item) for item in page.items],
        next_cursor=page.next_cursor,
        total=page.total,
    )


@router.post(
    "/maintenance-jobs",
    tags=["maintenance-jobs"],
    status_code=status.HTTP_201_CREATED,
    summary="Plan a job (409 when it overlaps a booking or another job of the car)",
    responses=errors(409),
)
async def maintenance_jobs_create(
    body: schemas.MaintenanceJobCreate,
    session: DbSession,
    response: Response,
    buffer: TurnaroundBuffer,
    principal: Principal = require(P.FLEET_WRITE),
) -> schemas.MaintenanceJobRead:
    job = await maintenance.create_job(session, principal, body, buffer)
    set_etag(response, job.id, job.updated_at)
    return schemas.MaintenanceJobRead.model_validate(job)


@router.get("/maintenance-jobs/{job_id}", tags=["maintenance-jobs"],
            summary="One maintenance job", responses=errors(404))  # fmt: skip
async def maintenance_jobs_get(
    job_id: uuid.UUID,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.FLEET_READ),
) -> JobOut:
    job = await maintenance.get_job(session, principal, job_id)
    set_etag(response, job.id, job.updated_at)
    return _job_out(principal, job)


@router.patch(
    "/maintenance-jobs/{job_id}",
    tags=["maintenance-jobs"],
    summary="Change a job, or move its status (scheduled -> in_progress -> done, or cancelled)",
    responses=errors(404, 409, 412),
)
async def maintenance_jobs_update(
    job_id: uuid.UUID,
    body: schemas.MaintenanceJobUpdate,
    session: DbSession,
    response: Response,
    buffer: TurnaroundBuffer,
    if_match: IfMatch = None,
    principal: Principal = require(P.FLEET_WRITE),
) -> schemas.MaintenanceJobRead:
    job = await maintenance.update_job(session, principal, job_id, body, if_match, buffer)
    set_etag(response, job.id, job.updated_at)
    return schemas.MaintenanceJobRead.model_validate(job)


@router.delete(
    "/maintenance-jobs/{job_id}",
    tags=["maintenance-jobs"],
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a scheduled or cancelled job (others are service history)",
    responses=errors(404, 409, 412),
)
async def maintenance_jobs_delete(
    job_id: uuid.UUID,
    session: DbSession,
    if_match: IfMatch = None,
    principal: Principal = require(P.FLEET_WRITE),
) -> Response:
    await maintenance.delete_job(session, principal, job_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
