"""Request and response shapes of vehicles, reminders, inspections and maintenance jobs.

Drivers get their own response schemas without money or CRM fields (not nulled
fields): `VehicleDriverRead`, `MaintenanceJobDriverRead`, `BookingSlotDriverRead`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, ConfigDict, Field

from skyluxse_api.api.schemas import (
    Money,
    NonEmptyText,
    NonNegativeInt32,
    NonNegativeMoney,
    ReadModel,
    ShortText,
    Text,
    Timestamped,
    WriteModel,
)
from skyluxse_api.models.enums import (
    BookingStatus,
    MaintenanceJobStatus,
    MaintenanceJobType,
    ReminderStatus,
    VehicleStatus,
)


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("may be left out, but not set to null")
    return value


# PATCH fields of required columns: omitted means unchanged, null is refused.
NotNull = BeforeValidator(_not_null)


def _addressable_code(value: str) -> str:
    # The code is a path segment (`/vehicles/{id or code}`): a UUID-shaped code
    # would be read as an id, and a slash would never reach the route.
    try:
        uuid.UUID(value)
    except ValueError:
        return value
    raise ValueError("must not look like a UUID (it is used in URLs beside ids)")


NaturalCode = Annotated[
    str,
    Field(min_length=1, max_length=100, pattern=r"^[^/\s]+$", examples=["1"]),
    AfterValidator(_addressable_code),
]
Vin = Annotated[
    str,
    Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9-]+$", examples=["SCA664S58RUX12345"]),
    AfterValidator(str.upper),
]
ModelYear = Annotated[int, Field(ge=1980, le=2100, examples=[2024])]
SeatingCapacity = Annotated[int, Field(ge=1, le=20, examples=[4])]
PowerHp = Annotated[int, Field(ge=50, le=1200, examples=[563])]
Cylinders = Annotated[int, Field(ge=2, le=16, examples=[12])]
# numeric(4,2): at most 99.99.
PositiveSmallDecimal = Annotated[Decimal, Field(gt=0, max_digits=4, decimal_places=2)]


class VehicleDriverRead(Timestamped):
    """A vehicle as a driver sees it: what identifies and describes the car, no money."""

    model_config = ConfigDict(validate_by_name=True, serialize_by_alias=True)

    id: uuid.UUID
    external_ref: str | None = Field(examples=["1"])
    name: str = Field(examples=["Rolls-Royce Ghost"])
    make: str | None = Field(examples=["Rolls-Royce"])
    model: str | None = Field(examples=["Ghost"])
    vin: str | None
    model_year: int | None
    exterior_color: str | None = Field(examples=["Arctic White"])
    interior_color: str | None = Field(examples=["Black/Red"])
    plate_number: str | None = Field(examples=["Dubai P 12345"])
    body_style: str | None = Field(examples=["Sedan"])
    status: VehicleStatus
    vehicle_class: str | None = Field(alias="class", examples=["Luxury"])
    segment: str | None = Field(examples=["Sedan"])
    seating_capacity: int | None
    engine_displacement_l: Decimal | None = Field(examples=["6.75"])
    power_hp: int | None
    cylinders: int | None
    zero_to_hundred_sec: Decimal | None = Field(examples=["4.80"])
    transmission: str | None = Field(examples=["Automatic"])
    mileage_km: int | None
    health_score: Decimal | None = Field(
        examples=["0.92"], description="0-1, computed from inspections and jobs; read-only."
    )
    location: str | None = Field(examples=["SkyLuxse HQ"])
    image_url: str | None


class VehicleRead(VehicleDriverRead):
    kommo_vehicle_id: str | None
    utilization_pct: Decimal = Field(
        examples=["0.47"], description="Share of the last 30 days rented (0-1); read-only."
    )
    revenue_ytd: Money | None
    created_by: uuid.UUID | None
    updated_by: uuid.UUID | None


class _VehicleFields(WriteModel):
    external_ref: NaturalCode | None = None
    kommo_vehicle_id: NonEmptyText | None = None
    make: ShortText | None = None
    model: ShortText | None = None
    vin: Vin | None = None
    model_year: ModelYear | None = None
    exterior_color: ShortText | None = None
    interior_color: ShortText | None = None
    plate_number: ShortText | None = None
    body_style: ShortText | None = None
    vehicle_class: ShortText | None = Field(default=None, alias="class", examples=["Luxury"])
    segment: ShortText | None = None
    seating_capacity: SeatingCapacity | None = None
    engine_displacement_l: PositiveSmallDecimal | None = None
    power_hp: PowerHp | None = None
    cylinders: Cylinders | None = Field(default=None, description="Empty for electric cars.")
    zero_to_hundred_sec: PositiveSmallDecimal | None = None
    transmission: ShortText | None = None
    mileage_km: NonNegativeInt32 | None = None
    revenue_ytd: Money | None = None
    location: ShortText | None = None
    image_url: ShortText | None = None


class VehicleCreate(_VehicleFields):
    name: NonEmptyText = Field(examples=["Rolls-Royce Ghost"])
    status: VehicleStatus = VehicleStatus.available


class VehicleUpdate(_VehicleFields):
    name: Annotated[NonEmptyText | None, NotNull] = None
    status: Annotated[VehicleStatus | None, NotNull] = Field(
        default=None, description="Set `sold` to retire a car that has history."
    )


class ReminderRead(Timestamped):
    id: uuid.UUID
    external_ref: str | None = Field(examples=["RM-huracan-service"])
    vehicle_id: uuid.UUID
    reminder_type: str = Field(examples=["insurance"])
    due_date: date | None
    status: ReminderStatus = Field(
        description="From due_date: `critical` overdue, `warning` due within 14 days "
        "(Dubai date), else `scheduled`. Read-only."
    )
    severity: str = Field(examples=["info"])
    notes: str | None
    created_by: uuid.UUID | None


class ReminderCreate(WriteModel):
    external_ref: NaturalCode | None = Field(default=None, examples=["RM-huracan-service"])
    reminder_type: NonEmptyText = Field(examples=["mulkiya"])
    due_date: date | None = None
    severity: NonEmptyText = Field(default="info", examples=["info"])
    notes: Text | None = None


class ReminderUpdate(WriteModel):
    external_ref: NaturalCode | None = None
    reminder_type: Annotated[NonEmptyText | None, NotNull] = None
    due_date: date | None = None
    severity: Annotated[NonEmptyText | None, NotNull] = None
    notes: Text | None = None


class InspectionRead(Timestamped):
    id: uuid.UUID
    vehicle_id: uuid.UUID
    inspection_date: date | None
    driver_id: uuid.UUID | None
    performed_by: str | None = Field(examples=["Omar Haddad"])
    notes: str | None
    photo_document_ids: Annotated[list[uuid.UUID], BeforeValidator(lambda ids: ids or [])]


class InspectionCreate(WriteModel):
    inspection_date: date | None = Field(
        default=None, description="Defaults to today (Dubai date)."
    )
    driver_id: uuid.UUID | None = Field(
        default=None, description="Defaults to your own driver profile when you are a driver."
    )
    performed_by: ShortText | None = Field(
        default=None, description="Defaults to the inspecting driver's, else your, name."
    )
    notes: Text | None = None
    photo_document_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=100, description="Documents you can see."
    )


class InspectionUpdate(WriteModel):
    inspection_date: date | None = None
    driver_id: uuid.UUID | None = None
    performed_by: ShortText | None = None
    notes: Text | None = None
    photo_document_ids: list[uuid.UUID] | None = Field(default=None, max_length=100)


class MaintenanceJobDriverRead(Timestamped):
    id: uuid.UUID
    vehicle_id: uuid.UUID
    booking_id: uuid.UUID | None
    job_type: MaintenanceJobType
    status: MaintenanceJobStatus
    scheduled_start: datetime | None
    scheduled_end: datetime | None
    actual_start: datetime | None
    actual_end: datetime | None
    odometer_start: int | None
    odometer_end: int | None
    vendor: str | None = Field(examples=["Al Tayer Motors"])
    description: str | None


class MaintenanceJobRead(MaintenanceJobDriverRead):
    cost_estimate: Money | None


class MaintenanceJobCreate(WriteModel):
    vehicle_id: uuid.UUID
    booking_id: uuid.UUID | None = Field(
        default=None, description="The booking of the same car that caused the job."
    )
    job_type: MaintenanceJobType = MaintenanceJobType.maintenance
    status: Literal[MaintenanceJobStatus.scheduled, MaintenanceJobStatus.in_progress] = (
        MaintenanceJobStatus.scheduled
    )
    scheduled_start: AwareDatetime
    scheduled_end: AwareDatetime
    actual_start: AwareDatetime | None = None
    actual_end: AwareDatetime | None = None
    odometer_start: NonNegativeInt32 | None = None
    odometer_end: NonNegativeInt32 | None = None
    vendor: ShortText | None = None
    cost_estimate: NonNegativeMoney | None = None
    description: Text | None = None


class MaintenanceJobUpdate(WriteModel):
    booking_id: uuid.UUID | None = None
    job_type: Annotated[MaintenanceJobType | None, NotNull] = None
    status: Annotated[MaintenanceJobStatus | None, NotNull] = Field(
        default=None,
        description="scheduled -> in_progress | cancelled; in_progress -> done | cancelled. "
        "Entering in_progress stamps actual_start, done stamps actual_end (when empty).",
    )
    scheduled_start: Annotated[AwareDatetime | None, NotNull] = None
    scheduled_end: Annotated[AwareDatetime | None, NotNull] = None
    actual_start: AwareDatetime | None = None
    actual_end: AwareDatetime | None = None
    odometer_start: NonNegativeInt32 | None = None
    odometer_end: NonNegativeInt32 | None = None
    vendor: ShortText | None = None
    cost_estimate: NonNegativeMoney | None = None
    description: Text | None = None


class BookingSlotDriverRead(ReadModel):
    """An upcoming booking of the car, as the fleet screen lists it."""

    id: uuid.UUID
    external_code: str | None = Field(examples=["BK-1052"])
    status: BookingStatus
    start_at: datetime | None
    end_at: datetime | None


class BookingSlotRead(BookingSlotDriverRead):
    total_amount: Money | None
    currency: str = Field(examples=["AED"])


class VehicleOverview(ReadModel):
    vehicle: VehicleRead
    reminders: list[ReminderRead] = Field(description="Every reminder, soonest due first.")
    recent_inspections: list[InspectionRead] = Field(description="The last 5 inspections.")
    open_maintenance_jobs: list[MaintenanceJobRead] = Field(
        description="Scheduled and in-progress jobs, earliest first."
    )
    upcoming_bookings: list[BookingSlotRead] = Field(
        description="The next 5 bookings not yet over (every status), earliest first."
    )


class VehicleDriverOverview(ReadModel):
    vehicle: VehicleDriverRead
    reminders: list[ReminderRead]
    recent_inspections: list[InspectionRead]
    open_maintenance_jobs: list[MaintenanceJobDriverRead]
    upcoming_bookings: list[BookingSlotDriverRead] = Field(
        description="Only the bookings of your own tasks."
    )
