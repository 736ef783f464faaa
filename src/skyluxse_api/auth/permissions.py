"""The product's ROLES_CONFIG as data: which role may do what.

Routes declare one permission each (`require(...)`); rows are narrowed further by
the row-scope functions in `auth/scopes.py`.
"""

from __future__ import annotations

import enum

from skyluxse_api.models.enums import RoleType


class Permission(enum.StrEnum):
    ME = "me"
    SESSIONS_READ_ALL = "sessions:read_all"
    STAFF_READ = "staff:read"
    STAFF_WRITE = "staff:write"
    DRIVERS_READ = "drivers:read"
    DRIVERS_WRITE = "drivers:write"
    DRIVER_SELF_UPDATE = "drivers:update_self"
    CLIENTS_READ = "clients:read"
    # Notification history and preferences: more than the name and phone drivers get.
    CLIENT_DETAILS_READ = "clients:read_details"
    CLIENTS_WRITE = "clients:write"
    FLEET_READ = "fleet:read"
    FLEET_WRITE = "fleet:write"
    INSPECTIONS_CREATE = "inspections:create"
    BOOKINGS_READ = "bookings:read"
    BOOKINGS_WRITE = "bookings:write"
    BOOKINGS_RATE = "bookings:rate"
    CALENDAR_READ = "calendar:read"
    CALENDAR_WRITE = "calendar:write"
    TASKS_READ = "tasks:read"
    TASKS_WRITE = "tasks:write"
    TASKS_PROGRESS = "tasks:progress"
    DOCUMENTS_READ = "documents:read"
    DOCUMENTS_WRITE = "documents:write"
    PIPELINE_READ = "pipeline:read"
    PIPELINE_STAGES_WRITE = "pipeline:stages_write"
    LEADS_WRITE = "leads:write"
    KPIS_READ = "kpis:read"
    SALES_KPIS_READ = "kpis:read_sales"
    KNOWLEDGE_READ = "knowledge:read"
    KNOWLEDGE_WRITE = "knowledge:write"
    OUTBOX_READ = "outbox:read"
    OUTBOX_RETRY = "outbox:retry"


P = Permission

_EVERY_STAFF = {P.ME}

ROLE_PERMISSIONS: dict[RoleType, frozenset[Permission]] = {
    RoleType.ceo: frozenset(
        _EVERY_STAFF
        | {
            P.SESSIONS_READ_ALL,
            P.STAFF_READ,
            P.STAFF_WRITE,
            P.DRIVERS_READ,
            P.DRIVERS_WRITE,
            P.CLIENTS_READ,
            P.CLIENT_DETAILS_READ,
            P.CLIENTS_WRITE,
            P.FLEET_READ,
            P.FLEET_WRITE,
            P.INSPECTIONS_CREATE,
            P.BOOKINGS_READ,
            P.BOOKINGS_WRITE,
            P.BOOKINGS_RATE,
            P.CALENDAR_READ,
            P.TASKS_READ,
            P.TASKS_WRITE,
            P.TASKS_PROGRESS,
            P.DOCUMENTS_READ,
            P.DOCUMENTS_WRITE,
            P.PIPELINE_READ,
            P.PIPELINE_STAGES_WRITE,
            P.LEADS_WRITE,
            P.KPIS_READ,
            P.SALES_KPIS_READ,
            P.KNOWLEDGE_READ,
            P.KNOWLEDGE_WRITE,
            P.OUTBOX_READ,
            P.OUTBOX_RETRY,
        }
    ),
    RoleType.operations: frozenset(
        _EVERY_STAFF
        | {
            P.STAFF_READ,
            P.DRIVERS_READ,
            P.DRIVERS_WRITE,
            P.CLIENTS_READ,
            P.CLIENT_DETAILS_READ,
            P.CLIENTS_WRITE,
            P.FLEET_READ,
            P.FLEET_WRITE,
            P.INSPECTIONS_CREATE,
            P.BOOKINGS_READ,
            P.BOOKINGS_WRITE,
            P.CALENDAR_READ,
            P.CALENDAR_WRITE,
            P.TASKS_READ,
            P.TASKS_WRITE,
            P.TASKS_PROGRESS,
            P.DOCUMENTS_READ,
            P.DOCUMENTS_WRITE,
            P.PIPELINE_READ,
            P.KPIS_READ,
            P.SALES_KPIS_READ,
            P.KNOWLEDGE_READ,
            P.KNOWLEDGE_WRITE,
            P.OUTBOX_READ,
            P.OUTBOX_RETRY,
        }
    ),
    RoleType.sales: frozenset(
        _EVERY_STAFF
        | {
            P.STAFF_READ,
            P.DRIVERS_READ,
            P.CLIENTS_READ,
            P.CLIENT_DETAILS_READ,
            P.CLIENTS_WRITE,
            P.FLEET_READ,
            P.BOOKINGS_READ,
            P.BOOKINGS_WRITE,
            P.CALENDAR_READ,
            P.TASKS_READ,
            P.DOCUMENTS_READ,
            P.DOCUMENTS_WRITE,
            P.PIPELINE_READ,
            P.LEADS_WRITE,
            P.SALES_KPIS_READ,
            P.KNOWLEDGE_READ,
        }
    ),
    # Drivers: every read below is narrowed to the rows of their own tasks.
    RoleType.driver: frozenset(
        _EVERY_STAFF
        | {
            P.DRIVER_SELF_UPDATE,
            P.CLIENTS_READ,
            P.FLEET_READ,
            P.INSPECTIONS_CREATE,
            P.BOOKINGS_READ,
            P.CALENDAR_READ,
            P.TASKS_READ,
            P.TASKS_PROGRESS,
            P.DOCUMENTS_READ,
            P.DOCUMENTS_WRITE,
            P.KNOWLEDGE_READ,
        }
    ),
}

# Supabase's service_role key bypasses row-level security; so does this principal.
SERVICE_PERMISSIONS: frozenset[Permission] = frozenset(Permission)
