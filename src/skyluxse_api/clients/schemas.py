"""Request and response shapes of clients, their notification feed and preferences."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, EmailStr, Field

from skyluxse_api.api.schemas import (
    Money,
    NonEmptyText,
    ReadModel,
    ShortText,
    SmallInt,
    Text,
    Timestamped,
    WriteModel,
)
from skyluxse_api.models.enums import ClientSegment, ClientTier

CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", examples=["AE"])]
NpsScore = Annotated[SmallInt, Field(ge=0, le=10)]


class ClientRead(Timestamped):
    id: uuid.UUID
    name: str = Field(examples=["Dmitri Ivanov"])
    phone: str | None = Field(examples=["+971501234567"])
    email: str | None = Field(examples=["dmitri.ivanov@example.com"])
    residency_country: str | None = Field(examples=["RU"])
    tier: ClientTier = Field(
        description="Read-only. vip when lifetime value >= 50,000; gold >= 35,000; else silver."
    )
    segment: ClientSegment = Field(
        description="Read-only. From tier, lifetime value and days since the last booking "
        "(rules in docs/decisions.md), refreshed on every booking change and daily."
    )
    lifetime_value: Money = Field(description="Sum of the client's bookings' total amounts.")
    last_booking_at: datetime | None = Field(
        description="Latest booking start (or creation, when it has no start)."
    )
    gender: str | None
    birth_date: date | None
    outstanding_amount: Money
    nps_score: int | None
    preferred_channels: list[str] | None = Field(examples=[["whatsapp", "email"]])
    preferred_language: str | None = Field(examples=["en"])
    timezone: str | None = Field(examples=["Asia/Dubai"])
    kommo_contact_id: str | None
    zoho_contact_id: str | None
    created_by: uuid.UUID | None
    updated_by: uuid.UUID | None


class ClientDriverRead(ReadModel):
    """What a driver sees of the client of their open task: who to meet, how to call."""

    id: uuid.UUID
    name: str
    phone: str | None


class _ClientFields(WriteModel):
    phone: ShortText | None = None
    email: EmailStr | None = None
    residency_country: CountryCode | None = None
    gender: ShortText | None = None
    birth_date: date | None = None
    nps_score: NpsScore | None = None
    preferred_channels: list[ShortText] | None = None
    preferred_language: ShortText | None = None
    timezone: ShortText | None = None


class ClientCreate(_ClientFields):
    name: NonEmptyText


class ClientUpdate(_ClientFields):
    name: NonEmptyText | None = None


class NotificationRead(Timestamped):
    id: uuid.UUID
    external_ref: str | None = Field(examples=["NT-101"])
    client_id: uuid.UUID
    channel: str | None = Field(examples=["whatsapp"])
    subject: str | None
    content: str | None
    sent_at: datetime | None
    status: str | None = Field(examples=["delivered"])
    meta: dict[str, Any] | None


class NotificationCreate(WriteModel):
    external_ref: ShortText | None = None
    channel: ShortText
    subject: ShortText | None = None
    content: Text | None = None
    sent_at: AwareDatetime | None = None
    status: ShortText | None = None
    meta: dict[str, Any] | None = None


class NotificationUpdate(WriteModel):
    subject: ShortText | None = None
    content: Text | None = None
    sent_at: AwareDatetime | None = None
    status: ShortText | None = None
    meta: dict[str, Any] | None = None


class PreferencesRead(Timestamped):
    client_id: uuid.UUID
    marketing_opt_in: bool
    vip_concierge: bool
    concierge_staff_id: uuid.UUID | None
    do_not_contact: bool
    notes: str | None


class PreferencesWrite(WriteModel):
    marketing_opt_in: bool | None = None
    vip_concierge: bool | None = None
    concierge_staff_id: uuid.UUID | None = None
    do_not_contact: bool | None = None
    notes: Text | None = None
