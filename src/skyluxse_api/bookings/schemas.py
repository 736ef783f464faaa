"""Request and response shapes of bookings, their money, extensions, tags and the board."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, Field, PlainSerializer

from skyluxse_api.api.schemas import (
    CurrencyCode,
    Money,
    NonEmptyText,
    NonNegativeInt32,
    NonNegativeMoney,
    ReadModel,
    ShortText,
    SmallInt,
    Text,
    Timestamped,
    WriteModel,
)
from skyluxse_api.bookings.money import to_cents
from skyluxse_api.models.enums import (
    ActorType,
    BookingStatus,
    BookingType,
    ClientSegment,
    ExtensionStatus,
    InvoiceScope,
    InvoiceStatus,
    LineCategory,
    PriorityLevel,
    RoleType,
    TaskStatus,
)

_MAX_CENTS = Decimal("9999999999.99")
_money_json = PlainSerializer(lambda value: f"{value:.2f}", return_type=str, when_used="json")

# Amounts typed by people: up to 4 decimals accepted, rounded half-up to cents on arrival.
Amount = Annotated[
    Decimal,
    Field(ge=0, le=_MAX_CENTS, max_digits=14, decimal_places=4, examples=["1250.00"]),
    AfterValidator(to_cents),
    _money_json,
]
SignedAmount = Annotated[
    Decimal,
    Field(ge=-_MAX_CENTS, le=_MAX_CENTS, max_digits=14, decimal_places=4, examples=["-500.00"]),
    AfterValidator(to_cents),
    _money_json,
]
TagSlug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=50)]
FuelLevel = Annotated[str, Field(min_length=1, max_length=20, examples=["Full", "3/4"])]
Location = Annotated[dict[str, Any], Field(examples=[{"label": "Atlantis The Royal"}])]


class SlaState(enum.StrEnum):
    on_time = "on_time"
    due_soon = "due_soon"
    breached = "breached"
    none = "none"


class _BookingCommon(ReadModel):
    """What every reader of a booking sees, drivers included."""

    id: uuid.UUID
    external_code: str | None = Field(examples=["BK-1052"])
    status: BookingStatus
    booking_type: BookingType | None
    priority: PriorityLevel | None
    client_id: uuid.UUID | None
    client_name: str | None = Field(examples=["Dmitri Ivanov"])
    vehicle_id: uuid.UUID | None
    vehicle_name: str | None = Field(examples=["Rolls-Royce Ghost"])
    driver_id: uuid.UUID | None
    start_at: datetime | None
    end_at: datetime | None
    pickup_location: dict[str, Any] | None = Field(examples=[{"label": "Atlantis The Royal"}])
    dropoff_location: dict[str, Any] | None
    sla_minutes: int | None
    promised_at: datetime | None = Field(description="Set when delivery starts: now + SLA.")
    actual_at: datetime | None = Field(description="When the car was handed over.")
    pickup_mileage: int | None
    pickup_fuel_level: str | None
    return_mileage: int | None
    return_fuel_level: str | None
    tags: list[str] = Field(examples=[["vip", "long-rent"]])
    created_at: datetime
    updated_at: datetime


class BookingRead(_BookingCommon):
    owner_id: uuid.UUID | None
    channel: str | None = Field(examples=["Kommo"])
    source_payload_id: str | None
    kommo_status_id: int | None
    segment: ClientSegment | None = Field(description="The client's segment at booking time.")
    total_amount: Money | None = Field(description="Base + add-ons - discounts.")
    paid_amount: Money = Field(description="Paid rental and extension invoices.")
    outstanding_amount: Money = Field(
        description="total_amount - paid_amount; negative when the client paid more (credit)."
    )
    deposit_amount: Money | None
    currency: str = Field(examples=["AED"])
    sales_rating_value: int | None
    sales_rating_feedback: str | None
    rated_by_role: RoleType | None
    rated_at: datetime | None
    zoho_sales_order_id: str | None
    zoho_sync_status: str | None = Field(examples=["pending"])
    zoho_sync_error: str | None


class BookingDriverRead(_BookingCommon):
    """A driver's view of the booking of their task: where and when, never money or CRM."""


class _BookingFields(WriteModel):
    external_code: NonEmptyText | None = Field(default=None, examples=["BK-1052"])
    vehicle_id: uuid.UUID | None = None
    driver_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    booking_type: BookingType | None = None
    channel: ShortText | None = Field(default=None, examples=["Website"])
    source_payload_id: ShortText | None = None
    kommo_status_id: Annotated[int, Field(ge=0, le=2**63 - 1)] | None = None
    priority: PriorityLevel | None = None
    start_at: AwareDatetime | None = None
    end_at: AwareDatetime | None = None
    pickup_location: Location | None = None
    dropoff_location: Location | None = None
    sla_minutes: Annotated[NonNegativeInt32, Field(le=7 * 24 * 60)] | None = Field(
        default=None, description="Minutes from the start of delivery to the hand-over."
    )
    deposit_amount: NonNegativeMoney | None = None


class BookingCreate(_BookingFields):
    client_id: uuid.UUID
    currency: CurrencyCode = "AED"
    status: Literal[BookingStatus.new, BookingStatus.preparation] = Field(
        default=BookingStatus.new,
        description="`preparation` confirms at once (the car must be free); later stages "
        "go through transitions.",
    )
    external_code: NonEmptyText | None = Field(
        default=None, description="Generated (`BK-<next number>`) when omitted."
    )


class BookingUpdate(_BookingFields):
    client_id: uuid.UUID | None = None
    currency: CurrencyCode | None = Field(
        default=None, description="Only while the booking has no price lines or invoices."
    )


class TransitionCreate(WriteModel):
    to_status: BookingStatus
    note: Text | None = Field(default=None, max_length=2000)
    pickup_mileage: NonNegativeInt32 | None = Field(
        default=None, description="Required to enter in_rent."
    )
    pickup_fuel_level: FuelLevel | None = Field(
        default=None, description="Required to enter in_rent."
    )
    return_mileage: NonNegativeInt32 | None = Field(
        default=None, description="Required to enter settlement."
    )
    return_fuel_level: FuelLevel | None = Field(
        default=None, description="Required to enter settlement."
    )
    actual_at: AwareDatetime | None = Field(
        default=None, description="Hand-over time when entering in_rent; defaults to now."
    )


class TimelineEventRead(Timestamped):
    id: uuid.UUID
    booking_id: uuid.UUID
    event_ts: datetime
    status: BookingStatus | None
    note: str | None
    actor_type: ActorType
    actor_id: uuid.UUID | None


class AddonCreate(WriteModel):
    label: NonEmptyText = Field(examples=["chauffeur"])
    amount: Amount
    category: LineCategory = LineCategory.addon
    currency: CurrencyCode | None = Field(
        default=None, description="Must be the booking's currency when given."
    )


class AddonUpdate(WriteModel):
    label: NonEmptyText | None = None
    amount: Amount | None = None
    category: LineCategory | None = None


class AddonRead(Timestamped):
    id: uuid.UUID
    booking_id: uuid.UUID
    label: str
    amount: Money
    category: LineCategory


class InvoiceCreate(WriteModel):
    label: NonEmptyText = Field(examples=["Rental, 7 days"])
    scope: InvoiceScope = InvoiceScope.rental
    amount: SignedAmount = Field(description="Negative only for a deposit refund.")
    status: Literal[InvoiceStatus.draft, InvoiceStatus.issued, InvoiceStatus.paid] = (
        InvoiceStatus.issued
    )
    invoice_type: ShortText | None = Field(default=None, description="Defaults to the scope.")
    due_at: AwareDatetime | None = None
    currency: CurrencyCode | None = Field(
        default=None, description="Must be the booking's currency when given."
    )


class InvoiceUpdate(WriteModel):
    label: NonEmptyText | None = None
    amount: SignedAmount | None = Field(default=None, description="Only while a draft.")
    status: InvoiceStatus | None = Field(
        default=None, description="draft -> issued -> paid; void from any but void."
    )
    due_at: AwareDatetime | None = None


class InvoiceRead(Timestamped):
    id: uuid.UUID
    booking_id: uuid.UUID
    external_ref: str | None = Field(examples=["INV-1052-1"])
    label: str
    invoice_type: str | None
    scope: InvoiceScope
    amount: Money
    status: InvoiceStatus
    issued_at: datetime | None
    due_at: datetime | None
    paid_at: datetime | None


class PricingLine(WriteModel):
    label: NonEmptyText = Field(examples=["Two more nights"])
    amount: Amount
    category: Literal["base", "addon", "fee", "discount"] = "base"


class ExtensionCreate(WriteModel):
    end_at: AwareDatetime = Field(description="The new end; after the booking's current end.")
    lines: list[PricingLine] = Field(min_length=1, max_length=50)
    deposit_adjustment: SignedAmount = Field(
        default=Decimal("0.00"), description="Added to the deposit on approval (may be negative)."
    )
    currency: CurrencyCode | None = Field(
        default=None, description="Must be the booking's currency when given."
    )
    note: Text | None = Field(default=None, max_length=2000)


class ExtensionDecision(WriteModel):
    note: Text | None = Field(default=None, max_length=2000)


class ExtensionRead(Timestamped):
    id: uuid.UUID
    booking_id: uuid.UUID
    label: str = Field(examples=["EXT-1052-1"])
    start_at: datetime | None
    end_at: datetime | None
    status: ExtensionStatus
    note: str | None
    pricing_base: Money | None
    pricing_addons: Money | None
    pricing_fees: Money | None
    pricing_discounts: Money | None
    pricing_total: Money | None
    currency: str
    deposit_adjustment: Money | None
    decided_at: datetime | None
    decided_by: uuid.UUID | None
    created_by: uuid.UUID | None


class ExtensionNotificationRead(Timestamped):
    id: uuid.UUID
    channel: str = Field(examples=["whatsapp"])
    recipient: str | None
    message: str | None
    status: str


class ExtensionTaskRead(Timestamped):
    id: uuid.UUID
    label: str
    status: TaskStatus
    due_at: datetime | None
    assignee_staff_id: uuid.UUID | None


class ExtensionApproved(ReadModel):
    """What approval produced: the extension, its invoice, the message and the follow-up."""

    extension: ExtensionRead
    invoice: InvoiceRead
    notification: ExtensionNotificationRead
    task: ExtensionTaskRead


class TagsReplace(WriteModel):
    tags: list[TagSlug] = Field(max_length=20, examples=[["vip", "long-rent"]])


class TagRead(Timestamped):
    id: uuid.UUID
    slug: str = Field(examples=["vip"])
    label: str = Field(examples=["VIP"])
    color_token: str | None


class RatingPut(WriteModel):
    value: Annotated[SmallInt, Field(ge=0, le=10)]
    feedback: Text | None = Field(default=None, max_length=2000)


class BoardCard(ReadModel):
    """A kanban card: who, which car, when, and whether the SLA holds. No money."""

    id: uuid.UUID
    external_code: str | None
    status: BookingStatus
    booking_type: BookingType | None
    priority: PriorityLevel | None
    client_name: str | None
    vehicle_id: uuid.UUID | None
    vehicle_name: str | None
    driver_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    start_at: datetime | None
    end_at: datetime | None
    sla_minutes: int | None
    promised_at: datetime | None
    actual_at: datetime | None
    sla_state: SlaState
    tags: list[str]


class BoardColumn(ReadModel):
    status: BookingStatus
    count: int = Field(description="Every booking of this status matching the filters.")
    items: list[BoardCard] = Field(description="The most urgent first, at most `per_column`.")


class BoardRead(ReadModel):
    generated_at: datetime = Field(description="The 'now' the SLA states were computed at.")
    columns: list[BoardColumn]
