"""Vehicles, their reminders and inspections, and the helpers the fleet modules share."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, case, func, literal, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from skyluxse_api.api.crud import (
    apply_changes,
    lock_for_change,
    not_found,
    one_or_404,
    refresh_after_write,
)
from skyluxse_api.api.pagination import ListParams, PageResult, paginate
from skyluxse_api.api.problems import Conflict, Forbidden, Unprocessable
from skyluxse_api.api.routing import matches_id_or_code
from skyluxse_api.api.validation import field_error
from skyluxse_api.auth.principal import Principal
from skyluxse_api.auth.scopes import document_scope, vehicle_scope
from skyluxse_api.business_time import business_today
from skyluxse_api.fleet import schemas
from skyluxse_api.fleet.availability import vehicle_is_free
from skyluxse_api.models import (
    Base,
    Document,
    DriverProfile,
    StaffAccount,
    Vehicle,
    VehicleInspection,
    VehicleReminder,
)
from skyluxse_api.models.enums import ReminderStatus, VehicleStatus

# The business runs in Dubai: a reminder turns overdue at Dubai midnight.
REMINDER_WARNING_DAYS = 14
MAX_AVAILABILITY_WINDOW = timedelta(days=366)
# A sold car or the staff's own service car is never offered, whatever its calendar.
NOT_RENTABLE = (VehicleStatus.sold, VehicleStatus.service_car)

VEHICLE_SORTS: dict[str, Any] = {
    "name": Vehicle.name,
    "created_at": Vehicle.created_at,
    "model_year": func.coalesce(Vehicle.model_year, 0),
    "utilization_pct": Vehicle.utilization_pct,
}
REMINDER_SORTS: dict[str, Any] = {
    "due_date": func.coalesce(VehicleReminder.due_date, date.max),
    "created_at": VehicleReminder.created_at,
}
INSPECTION_SORTS: dict[str, Any] = {
    "inspection_date": func.coalesce(VehicleInspection.inspection_date, date.min),
    "created_at": VehicleInspection.created_at,
}


# --- vehicles ------------------------------------------------------------------------


@dataclass(frozen=True)
class VehicleFilters:
    status: VehicleStatus | None = None
    vehicle_class: str | None = None
    make: str | None = None
    body_style: str | None = None
    min_seats: int | None = None
    q: str | None = None
    free_between: tuple[datetime, datetime] | None = None
    rentable_only: bool = False


def _vehicle(principal: Principal, vehicle: str) -> Select[Vehicle]:
    return select(Vehicle).where(
        matches_id_or_code(Vehicle.id, Vehicle.external_ref, vehicle), vehicle_scope(principal)
    )


async def _vehicle_id(session: AsyncSession, principal: Principal, vehicle: str) -> uuid.UUID:
    found = await session.scalar(_vehicle(principal, vehicle).with_only_columns(Vehicle.id))
    if found is None:
        raise not_found("vehicle")
    return found


def _same_text(column: Any, value: str) -> ColumnElement[bool]:
    # Values come from free-typed Kommo imports: "suv" finds "SUV".
    return func.lower(column) == value.lower()


async def list_vehicles(
    session: AsyncSession,
    principal: Principal,
    params: ListParams,
    sort: str,
    filters: VehicleFilters,
    buffer: timedelta,
) -> PageResult:
    statement = select(Vehicle).where(vehicle_scope(principal))
    if filters.status is not None:
        statement = statement.where(Vehicle.status == filters.status)
    if filters.rentable_only:
        statement = statement.where(Vehicle.status.not_in(NOT_RENTABLE))
    for column, value in (
        (Vehicle.vehicle_class, filters.vehicle_class),
        (Vehicle.make, filters.make),
        (Vehicle.body_style, filters.body_style),
    ):
        if value is not None:
            statement = statement.where(_same_text(column, value))
    if filters.min_seats is not None:
        statement = statement.where(Vehicle.seating_capacity >= filters.min_seats)
    if filters.q:
        statement = statement.where(
            or_(
                *(
                    column.icontains(filters.q, autoescape=True)
                    for column in (Vehicle.name, Vehicle.make, Vehicle.model, Vehicle.plate_number)
                )
            )
        )
    if filters.free_between is not None:
        statement = statement.where(vehicle_is_free(*filters.free_between, buffer))
    return await paginate(
        session,
        statement,
        sort=sort,
        sort_columns=VEHICLE_SORTS,
        id_column=Vehicle.id,
        params=params,
    )


async def get_vehicle(session: AsyncSession, principal: Principal, vehicle: str) -> Vehicle:
    return await one_or_404(session, _vehicle(principal, vehicle), "vehicle")


async def create_vehicle(
    session: AsyncSession, principal: Principal, data: schemas.VehicleCreate
) -> Vehicle:
    vehicle = Vehicle(
        **data.model_dump(exclude_unset=True),
        created_by=principal.staff_id,
        updated_by=principal.staff_id,
    )
    session.add(vehicle)
    await refresh_after_write(session, vehicle)
    return vehicle


async def update_vehicle(
    session: AsyncSession,
    principal: Principal,
    vehicle: str,
    changes: schemas.VehicleUpdate,
    if_match: str | None,
) -> Vehicle:
    row = await lock_for_change(session, _vehicle(principal, vehicle), "vehicle", if_match)
    if apply_changes(row, changes):
        row.updated_by = principal.staff_id
    await refresh_after_write(session, row)
    return row


def _referencing_table(constraint: str | None) -> str | None:
    for table in Base.metadata.tables.values():
        for foreign_key in table.foreign_key_constraints:
            if foreign_key.name == constraint:
                return table.name
    return None


async def delete_vehicle(
    session: AsyncSession, principal: Principal, vehicle: str, if_match: str | None
) -> None:
    """Delete a car without history; reminders and inspections go with it.

    Bookings, maintenance jobs and calendar entries keep the car (RESTRICT): a car
    with history is retired by setting its status to `sold`, never deleted.
    """
    row = await lock_for_change(session, _vehicle(principal, vehicle), "vehicle", if_match)
    try:
        async with session.begin_nested():
            await session.delete(row)
            await session.flush()
    except IntegrityError as exc:
        cause = exc.orig.__cause__ if exc.orig is not None else None
        # ON DELETE RESTRICT raises restrict_violation; NO ACTION a foreign key violation.
        if getattr(cause, "sqlstate", None) not in ("23001", "23503"):
            raise
        constraint = getattr(cause, "constraint_name", None)
        table = _referencing_table(constraint)
        held_by = table.replace("_", " ") if table else "other records"
        raise Conflict(
            f"This vehicle has history ({held_by} point at it) and cannot be deleted; "
            "set its status to `sold` to retire it.",
            extra={"constraint": constraint, "referenced_by": table},
        ) from exc


# --- reminders -----------------------------------------------------------------------


def reminder_status(due_date: ColumnElement[Any] | QueryableAttribute[Any]) -> ColumnElement[str]:
    """`critical` when overdue, `warning` when due within 14 days, else `scheduled`."""
    today = business_today()
    return case(
        (due_date < today, ReminderStatus.critical.value),
        (due_date <= today + REMINDER_WARNING_DAYS, ReminderStatus.warning.value),
        else_=ReminderStatus.scheduled.value,
    )


def reminders_in_scope(principal: Principal) -> Select[VehicleReminder, str]:
    # The status is derived at read time, so it is never stale between writes.
    return select(
        VehicleReminder, reminder_status(VehicleReminder.due_date).label("current_status")
    ).where(vehicle_scope(principal, VehicleReminder.vehicle_id))


def reminder_read(reminder: VehicleReminder, status: str) -> schemas.ReminderRead:
    return schemas.ReminderRead.model_validate(reminder).model_copy(
        update={"status": ReminderStatus(status)}
    )


def _restamp_reminder_status(reminder: VehicleReminder) -> None:
    # The stored status follows the new due date (an UPDATE's SET sees the old one).
    reminder.status = reminder_status(literal(reminder.due_date, Date))


async def list_reminders(
    session: AsyncSession,
    principal: Principal,
    vehicle: str,
    params: ListParams,
    sort: str,
    status: ReminderStatus | None,
) -> PageResult:
    vehicle_id = await _vehicle_id(session, principal, vehicle)
    statement = reminders_in_scope(principal).where(VehicleReminder.vehicle_id == vehicle_id)
    if status is not None:
        statement = statement.where(reminder_status(VehicleReminder.due_date) == status)
    page = await paginate(
        session,
        statement,
        sort=sort,
        sort_columns=REMINDER_SORTS,
        id_column=VehicleReminder.id,
        params=params,
    )
    return PageResult(
        items=[reminder_read(*row) for row in page.items],
        next_cursor=page.next_cursor,
        total=page.total,
    )


async def get_reminder(
    session: AsyncSession, principal: Principal, reminder: str
) -> schemas.ReminderRead:
    row = (
        await session.execute(
            reminders_in_scope(principal).where(
                matches_id_or_code(VehicleReminder.id, VehicleReminder.external_ref, reminder)
            )
        )
    ).first()
    if row is None:
        raise not_found("reminder")
    return reminder_read(*row)


async def create_reminder(
    session: AsyncSession, principal: Principal, vehicle: str, data: schemas.ReminderCreate
) -> schemas.ReminderRead:
    reminder = VehicleReminder(
        **data.model_dump(),
        vehicle_id=await _vehicle_id(session, principal, vehicle),
        created_by=principal.staff_id,
    )
    _restamp_reminder_status(reminder)
    session.add(reminder)
    await refresh_after_write(session, reminder)
    return reminder_read(reminder, reminder.status)


def _locked_reminder(principal: Principal, reminder: str) -> Select[VehicleReminder]:
    return select(VehicleReminder).where(
        matches_id_or_code(VehicleReminder.id, VehicleReminder.external_ref, reminder),
        vehicle_scope(principal, VehicleReminder.vehicle_id),
    )


async def update_reminder(
    session: AsyncSession,
    principal: Principal,
    reminder: str,
    changes: schemas.ReminderUpdate,
    if_match: str | None,
) -> schemas.ReminderRead:
    row = await lock_for_change(
        session, _locked_reminder(principal, reminder), "reminder", if_match
    )
    apply_changes(row, changes)
    _restamp_reminder_status(row)
    await refresh_after_write(session, row)
    return reminder_read(row, row.status)


async def delete_reminder(
    session: AsyncSession, principal: Principal, reminder: str, if_match: str | None
) -> None:
    row = await lock_for_change(
        session, _locked_reminder(principal, reminder), "reminder", if_match
    )
    await session.delete(row)
    await session.flush()


# --- inspections ---------------------------------------------------------------------


def inspections_in_scope(principal: Principal) -> Select[VehicleInspection]:
    return select(VehicleInspection).where(vehicle_scope(principal, VehicleInspection.vehicle_id))


async def _require_driver(session: AsyncSession, driver_id: uuid.UUID) -> None:
    if await session.scalar(select(DriverProfile.id).where(DriverProfile.id == driver_id)) is None:
        raise field_error("/body/driver_id", f"No driver profile {driver_id}.")


async def _visible_photos(
    session: AsyncSession, principal: Principal, document_ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    """The ids, de-duplicated in order, once each is a document the caller may see."""
    wanted = list(dict.fromkeys(document_ids))
    found = set(
        (
            await session.scalars(
                select(Document.id).where(Document.id.in_(wanted), document_scope(principal))
            )
        ).all()
    )
    missing = [
        {"pointer": f"/body/photo_document_ids/{index}", "detail": f"No document {document_id}."}
        for index, document_id in enumerate(document_ids)
        if document_id not in found
    ]
    if missing:
        raise Unprocessable(
            "Some photo_document_ids name no document you can see: "
            + ", ".join(str(document_id) for document_id in wanted if document_id not in found),
            extra={"errors": missing},
        )
    return wanted


async def _name_of_inspector(
    session: AsyncSession, principal: Principal, driver_id: uuid.UUID | None
) -> str | None:
    if driver_id is not None:
        return await session.scalar(
            select(StaffAccount.full_name)
            .join(DriverProfile, DriverProfile.staff_account_id == StaffAccount.id)
            .where(DriverProfile.id == driver_id)
        )
    if principal.staff_id is None:
        return None
    return await session.scalar(
        select(StaffAccount.full_name).where(StaffAccount.id == principal.staff_id)
    )


async def list_inspections(
    session: AsyncSession, principal: Principal, vehicle: str, params: ListParams, sort: str
) -> PageResult:
    vehicle_id = await _vehicle_id(session, principal, vehicle)
    return await paginate(
        session,
        inspections_in_scope(principal).where(VehicleInspection.vehicle_id == vehicle_id),
        sort=sort,
        sort_columns=INSPECTION_SORTS,
        id_column=VehicleInspection.id,
        params=params,
    )


async def get_inspection(
    session: AsyncSession, principal: Principal, inspection_id: uuid.UUID
) -> VehicleInspection:
    return await one_or_404(
        session,
        inspections_in_scope(principal).where(VehicleInspection.id == inspection_id),
        "inspection",
    )


async def create_inspection(
    session: AsyncSession, principal: Principal, vehicle: str, data: schemas.InspectionCreate
) -> VehicleInspection:
    """Record an inspection; a driver records it, under their own profile, for their cars."""
    vehicle_id = await _vehicle_id(session, principal, vehicle)
    driver_id = data.driver_id
    if principal.is_driver:
        if driver_id not in (None, principal.driver_id):
            raise Forbidden("Drivers record inspections under their own driver profile.")
        driver_id = principal.driver_id
    elif driver_id is not None:
        await _require_driver(session, driver_id)
    inspection = VehicleInspection(
        vehicle_id=vehicle_id,
        inspection_date=data.inspection_date or business_today(),
        driver_id=driver_id,
        performed_by=data.performed_by or await _name_of_inspector(session, principal, driver_id),
        notes=data.notes,
        photo_document_ids=await _visible_photos(session, principal, data.photo_document_ids),
    )
    session.add(inspection)
    await refresh_after_write(session, inspection)
    return inspection


async def update_inspection(
    session: AsyncSession,
    principal: Principal,
    inspection_id: uuid.UUID,
    changes: schemas.InspectionUpdate,
    if_match: str | None,
) -> VehicleInspection:
    row = await lock_for_change(
        session,
        inspections_in_scope(principal).where(VehicleInspection.id == inspection_id),
        "inspection",
        if_match,
    )
    if changes.driver_id is not None:
        await _require_driver(session, changes.driver_id)
    sent = apply_changes(row, changes)
    if "photo_document_ids" in sent:
        row.photo_document_ids = await _visible_photos(
            session, principal, changes.photo_document_ids or []
        )
    await refresh_after_write(session, row)
    return row


async def delete_inspection(
    session: AsyncSession, principal: Principal, inspection_id: uuid.UUID, if_match: str | None
) -> None:
    row = await lock_for_change(
        session,
        inspections_in_scope(principal).where(VehicleInspection.id == inspection_id),
        "inspection",
        if_match,
    )
    await session.delete(row)
    await session.flush()
