"""Row scopes: one function per resource deciding which rows a principal may see.

This is the API's emulation of Supabase row-level security. Every query for a
resource goes through its scope, so a row outside it is simply not found (404),
and its existence does not leak. Office roles see every row of what their
permissions allow; a driver sees only what hangs off the tasks assigned to them.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Select, false, select, true, union

from skyluxse_api.auth.permissions import Permission
from skyluxse_api.auth.principal import Principal
from skyluxse_api.models import (
    Booking,
    Client,
    Document,
    DocumentLink,
    DriverProfile,
    SalesLead,
    StaffAccount,
    StaffSession,
    Task,
    TaskMedia,
    Vehicle,
)
from skyluxse_api.models.enums import DocumentScope, RoleType, TaskStatus


def _driver_task_ids(principal: Principal) -> Select[uuid.UUID]:
    return select(Task.id).where(Task.assignee_driver_id == principal.driver_id)


def _driver_booking_ids(principal: Principal) -> Select[uuid.UUID | None]:
    return select(Task.booking_id).where(
        Task.assignee_driver_id == principal.driver_id, Task.booking_id.is_not(None)
    )


def _sees_all(principal: Principal) -> bool:
    return not principal.is_driver


def _no_driver_profile(principal: Principal) -> bool:
    # A driver account without a profile has no tasks, hence no rows.
    return principal.driver_id is None


def task_scope(principal: Principal) -> ColumnElement[bool]:
    if _sees_all(principal):
        return true()
    if _no_driver_profile(principal):
        return false()
    return Task.assignee_driver_id == principal.driver_id


def booking_scope(principal: Principal) -> ColumnElement[bool]:
    if _sees_all(principal):
        return true()
    if _no_driver_profile(principal):
        return false()
    return Booking.id.in_(_driver_booking_ids(principal))


def client_scope(principal: Principal) -> ColumnElement[bool]:
    """Drivers: only the clients of their open tasks (directly or through the booking)."""
    if _sees_all(principal):
        return true()
    if _no_driver_profile(principal):
        return false()
    open_tasks = (Task.assignee_driver_id == principal.driver_id, Task.status != TaskStatus.done)
    direct = select(Task.client_id).where(*open_tasks, Task.client_id.is_not(None))
    via_booking = (
        select(Booking.client_id)
        .join(Task, Task.booking_id == Booking.id)
        .where(*open_tasks, Booking.client_id.is_not(None))
    )
    return Client.id.in_(union(direct, via_booking))


def vehicle_ids_of_driver(principal: Principal) -> Select[uuid.UUID | None]:
    direct = select(Task.vehicle_id).where(
        Task.assignee_driver_id == principal.driver_id, Task.vehicle_id.is_not(None)
    )
    via_booking = (
        select(Booking.vehicle_id)
        .join(Task, Task.booking_id == Booking.id)
        .where(Task.assignee_driver_id == principal.driver_id, Booking.vehicle_id.is_not(None))
    )
    return select(union(direct, via_booking).subquery().c[0])


def vehicle_scope(principal: Principal, vehicle_id: Any = None) -> ColumnElement[bool]:
    """Vehicles, or a vehicle's child rows when given their `vehicle_id` column."""
    column = Vehicle.id if vehicle_id is None else vehicle_id
    if _sees_all(principal):
        return true()
    if _no_driver_profile(principal):
        return false()
    return column.in_(vehicle_ids_of_driver(principal))


def document_scope(principal: Principal) -> ColumnElement[bool]:
    """Drivers: documents linked to their tasks, or taken as their tasks' media."""
    if _sees_all(principal):
        return true()
    if _no_driver_profile(principal):
        return false()
    linked = select(DocumentLink.document_id).where(
        DocumentLink.scope == DocumentScope.task,
        DocumentLink.entity_id.in_(_driver_task_ids(principal)),
    )
    media = select(TaskMedia.document_id).where(TaskMedia.task_id.in_(_driver_task_ids(principal)))
    return Document.id.in_(union(linked, media))


def staff_scope(principal: Principal) -> ColumnElement[bool]:
    if _sees_all(principal):
        return true()
    return StaffAccount.id == principal.staff_id


def driver_profile_scope(principal: Principal) -> ColumnElement[bool]:
    if _sees_all(principal):
        return true()
    if _no_driver_profile(principal):
        return false()
    return DriverProfile.id == principal.driver_id


def session_scope(principal: Principal) -> ColumnElement[bool]:
    if principal.can(Permission.SESSIONS_READ_ALL):
        return true()
    return StaffSession.staff_account_id == principal.staff_id


def calendar_booking_scope(
    principal: Principal, booking_id: ColumnElement[uuid.UUID | None]
) -> ColumnElement[bool]:
    """Calendar rows: drivers see the windows of their own tasks' bookings only."""
    if _sees_all(principal):
        return true()
    if _no_driver_profile(principal):
        return false()
    return booking_id.in_(_driver_booking_ids(principal))


def lead_scope(principal: Principal) -> ColumnElement[bool]:
    # Pipeline readers (ceo, operations, sales) see every lead; drivers hold no
    # pipeline permission at all, so they never reach a lead query.
    return true() if _sees_all(principal) else false()


def may_write_lead(principal: Principal, lead: SalesLead) -> bool:
    """Sales write only the leads they own or that have no owner; the ceo writes all."""
    if principal.role is RoleType.sales:
        return lead.owner_id is None or lead.owner_id == principal.staff_id
    return principal.can(Permission.LEADS_WRITE)
