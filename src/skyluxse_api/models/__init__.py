"""Every ORM model, importable from one place (Alembic autogenerate reads this)."""

from skyluxse_api.db.base import Base
from skyluxse_api.models.analytics import KnowledgeBaseArticle, KpiSnapshot
from skyluxse_api.models.api import IdempotencyKey
from skyluxse_api.models.bookings import (
    Booking,
    BookingAddon,
    BookingConflict,
    BookingExtension,
    BookingInvoice,
    BookingTag,
    BookingTagLink,
    BookingTimelineEvent,
    ExtensionNotification,
    ExtensionTask,
)
from skyluxse_api.models.calendar import CalendarEvent
from skyluxse_api.models.clients import Client, ClientNotification, ClientPreferences
from skyluxse_api.models.documents import Document, DocumentLink
from skyluxse_api.models.fleet import MaintenanceJob, Vehicle, VehicleInspection, VehicleReminder
from skyluxse_api.models.identity import DriverProfile, StaffAccount, StaffSession
from skyluxse_api.models.integrations import (
    IntegrationCredential,
    IntegrationsOutbox,
    KommoWebhookDelivery,
)
from skyluxse_api.models.sales import (
    SalesLead,
    SalesLeadConflict,
    SalesLeadDocument,
    SalesLeadFinancial,
    SalesLeadOffer,
    SalesLeadPlaybookStep,
    SalesLeadPricingItem,
    SalesLeadTask,
    SalesLeadTimelineEvent,
    SalesLeadVehicleMatch,
    SalesPipelineStage,
)
from skyluxse_api.models.tasks import (
    Task,
    TaskChecklistItem,
    TaskMedia,
    TaskRequiredInput,
    TaskRequiredInputValue,
)

__all__ = [
    "Base",
    "Booking",
    "BookingAddon",
    "BookingConflict",
    "BookingExtension",
    "BookingInvoice",
    "BookingTag",
    "BookingTagLink",
    "BookingTimelineEvent",
    "CalendarEvent",
    "Client",
    "ClientNotification",
    "ClientPreferences",
    "Document",
    "DocumentLink",
    "DriverProfile",
    "ExtensionNotification",
    "ExtensionTask",
    "IdempotencyKey",
    "IntegrationCredential",
    "IntegrationsOutbox",
    "KnowledgeBaseArticle",
    "KommoWebhookDelivery",
    "KpiSnapshot",
    "MaintenanceJob",
    "SalesLead",
    "SalesLeadConflict",
    "SalesLeadDocument",
    "SalesLeadFinancial",
    "SalesLeadOffer",
    "SalesLeadPlaybookStep",
    "SalesLeadPricingItem",
    "SalesLeadTask",
    "SalesLeadTimelineEvent",
    "SalesLeadVehicleMatch",
    "SalesPipelineStage",
    "StaffAccount",
    "StaffSession",
    "Task",
    "TaskChecklistItem",
    "TaskMedia",
    "TaskRequiredInput",
    "TaskRequiredInputValue",
    "Vehicle",
    "VehicleInspection",
    "VehicleReminder",
]
