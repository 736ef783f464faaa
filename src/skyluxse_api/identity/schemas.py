"""Request and response shapes of staff accounts, driver profiles and sign-in sessions."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import EmailStr, Field

from skyluxse_api.api.schemas import (
    NonEmptyText,
    ReadModel,
    ShortText,
    SmallInt,
    Timestamped,
    WriteModel,
)
from skyluxse_api.models.enums import DriverStatus, RoleType

Latitude = Annotated[Decimal, Field(ge=-90, le=90, max_digits=9, decimal_places=6)]
Longitude = Annotated[Decimal, Field(ge=-180, le=180, max_digits=9, decimal_places=6)]


class StaffAccountRead(Timestamped):
    id: uuid.UUID
    full_name: str = Field(examples=["Olga Markova"])
    email: str = Field(examples=["olga.ops@skyluxse.ae"])
    phone: str | None
    role: RoleType
    locale: str | None = Field(examples=["en-AE"])
    timezone: str | None = Field(examples=["Asia/Dubai"])
    default_route: str | None = Field(examples=["/operations/board"])
    is_active: bool


class StaffAccountCreate(WriteModel):
    id: uuid.UUID | None = Field(
        default=None, description="The Supabase auth user id; generated when omitted."
    )
    full_name: NonEmptyText
    email: EmailStr
    phone: ShortText | None = None
    role: RoleType
    locale: ShortText | None = None
    timezone: ShortText | None = None
    default_route: ShortText | None = None


class StaffAccountUpdate(WriteModel):
    full_name: NonEmptyText | None = None
    email: EmailStr | None = None
    phone: ShortText | None = None
    role: RoleType | None = None
    locale: ShortText | None = None
    timezone: ShortText | None = None
    default_route: ShortText | None = None
    is_active: bool | None = None


class DriverProfileRead(Timestamped):
    id: uuid.UUID
    staff_account_id: uuid.UUID | None
    full_name: str | None = Field(description="From the staff account, when there is one.")
    status: DriverStatus
    experience_years: int | None
    current_lat: Decimal | None = Field(examples=["25.204800"])
    current_lng: Decimal | None = Field(examples=["55.270800"])
    languages: list[str] | None = Field(examples=[["English", "Arabic"]])
    notes: str | None
    last_status_at: datetime | None = Field(description="Set by the server on status changes.")


class DriverProfileCreate(WriteModel):
    staff_account_id: uuid.UUID | None = Field(
        default=None, description="A staff account with role driver; empty for contractors."
    )
    status: DriverStatus = DriverStatus.available
    experience_years: Annotated[SmallInt, Field(ge=0, le=80)] | None = None
    languages: list[ShortText] | None = None
    notes: ShortText | None = None


class DriverProfileUpdate(WriteModel):
    status: DriverStatus | None = None
    experience_years: Annotated[SmallInt, Field(ge=0, le=80)] | None = None
    languages: list[ShortText] | None = None
    notes: ShortText | None = None
    current_lat: Latitude | None = None
    current_lng: Longitude | None = None


class DriverSelfUpdate(WriteModel):
    """What a driver may change about themselves: status and last known location."""

    status: DriverStatus | None = None
    current_lat: Latitude | None = None
    current_lng: Longitude | None = None


class MeRead(ReadModel):
    account: StaffAccountRead | None = Field(description="Absent for the service role.")
    role: RoleType | None
    permissions: list[str]
    driver_profile: DriverProfileRead | None


class StaffSessionCreate(WriteModel):
    device: ShortText | None = Field(default=None, examples=["iPhone 15 / Safari"])


class StaffSessionRead(Timestamped):
    id: uuid.UUID
    staff_account_id: uuid.UUID
    role: RoleType
    auth_session_id: str | None
    device: str | None
    user_agent: str | None
    ip_address: str | None
    signed_in_at: datetime
