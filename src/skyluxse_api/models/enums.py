"""Python mirrors of the PostgreSQL enums (decisions.md settles the contradictory lists)."""

from __future__ import annotations

import enum


class StrEnum(enum.StrEnum):
    """Members compare and serialise as their database labels."""


class RoleType(StrEnum):
    operations = "operations"
    sales = "sales"
    ceo = "ceo"
    driver = "driver"


class DriverStatus(StrEnum):
    available = "available"
    on_task = "on_task"
    standby = "standby"


class ClientTier(StrEnum):
    vip = "vip"
    gold = "gold"
    silver = "silver"


class ClientSegment(StrEnum):
    premier_loyalist = "premier_loyalist"
    dormant_vip = "dormant_vip"
    growth_gold = "growth_gold"
    at_risk = "at_risk"
    new_rising = "new_rising"
    high_value_dormant = "high_value_dormant"
    general = "general"


class VehicleStatus(StrEnum):
    available = "available"
    in_rent = "in_rent"
    maintenance = "maintenance"
    reserved = "reserved"
    sold = "sold"
    service_car = "service_car"


class BookingStatus(StrEnum):
    new = "new"
    preparation = "preparation"
    delivery = "delivery"
    in_rent = "in_rent"
    settlement = "settlement"


class BookingType(StrEnum):
    vip = "vip"
    short = "short"
    corporate = "corporate"


class PriorityLevel(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"


class CalendarEventType(StrEnum):
    rental = "rental"
    maintenance = "maintenance"
    repair = "repair"


class EventStatus(StrEnum):
    scheduled = "scheduled"
    in_progress = "in_progress"
    completed = "completed"


class TaskType(StrEnum):
    delivery = "delivery"
    pickup = "pickup"
    maintenance = "maintenance"
    documents = "documents"


class TaskCategory(StrEnum):
    logistics = "logistics"
    maintenance = "maintenance"
    operations = "operations"


class TaskStatus(StrEnum):
    todo = "todo"
    inprogress = "inprogress"
    done = "done"


class DocumentStatus(StrEnum):
    verified = "verified"
    needs_review = "needs_review"
    expired = "expired"


class DocumentScope(StrEnum):
    client = "client"
    vehicle = "vehicle"
    booking = "booking"
    task = "task"
    lead = "lead"


class LeadStatus(StrEnum):
    active = "active"
    won = "won"
    lost = "lost"


# The values below are `text` columns with a documented closed set. They are
# checked in the database (CHECK constraints) rather than made Postgres enums,
# because the schema document types them as text.


class ReminderStatus(StrEnum):
    scheduled = "scheduled"
    warning = "warning"
    critical = "critical"


class MaintenanceJobStatus(StrEnum):
    scheduled = "scheduled"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


class MaintenanceJobType(StrEnum):
    maintenance = "maintenance"
    repair = "repair"
    detailing = "detailing"


class LineCategory(StrEnum):
    base = "base"
    addon = "addon"
    discount = "discount"


class InvoiceScope(StrEnum):
    rental = "rental"
    deposit = "deposit"
    extension = "extension"


class InvoiceStatus(StrEnum):
    draft = "draft"
    issued = "issued"
    paid = "paid"
    void = "void"


class ActorType(StrEnum):
    system = "system"
    staff = "staff"
    driver = "driver"


class ZohoSyncStatus(StrEnum):
    pending = "pending"
    synced = "synced"
    failed = "failed"


class ExtensionStatus(StrEnum):
    requested = "requested"
    approved = "approved"
    rejected = "rejected"


class OutboxEntityType(StrEnum):
    client = "client"
    booking = "booking"
    lead = "lead"


class OutboxTarget(StrEnum):
    kommo = "kommo"
    zoho = "zoho"


class OutboxEventType(StrEnum):
    contact_upsert = "contact.upsert"
    sales_order_create = "sales_order.create"
    booking_retry = "booking.retry"


class OutboxStatus(StrEnum):
    pending = "pending"
    processing = "processing"
    succeeded = "succeeded"
    failed = "failed"


class TaskInputType(StrEnum):
    number = "number"
    text = "text"
    select = "select"
    file = "file"
