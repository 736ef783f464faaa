"""Staff accounts (Supabase auth users), driver profiles and sign-in sessions."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ARRAY, Boolean, ForeignKey, Integer, Text, func, text
from sqlalchemy.dialects.postgresql import CITEXT, UUID
from sqlalchemy.orm import Mapped, mapped_column

from skyluxse_api.db.base import Base, Timestamps, numeric, pg_enum, uuid_pk
from skyluxse_api.models.enums import DriverStatus, RoleType


class StaffAccount(Timestamps, Base):
    __tablename__ = "staff_accounts"

    # The Supabase auth user id (the token's `sub`); generated only for staff created here.
    id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")
    )
    full_name: Mapped[str] = mapped_column(Text)
    email: Mapped[str] = mapped_column(CITEXT, unique=True)
    phone: Mapped[str | None] = mapped_column(Text)
    role: Mapped[RoleType] = mapped_column(pg_enum(RoleType, "role_type"), index=True)
    locale: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str | None] = mapped_column(Text)
    default_route: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))


class DriverProfile(Timestamps, Base):
    __tablename__ = "driver_profiles"

    id: Mapped[uuid.UUID] = uuid_pk()
    # Nullable for contractor drivers who never sign in.
    staff_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"), unique=True
    )
    status: Mapped[DriverStatus] = mapped_column(
        pg_enum(DriverStatus, "driver_status"), server_default="available", index=True
    )
    experience_years: Mapped[int | None] = mapped_column(Integer)
    current_lat: Mapped[Decimal | None] = mapped_column(numeric(9, 6))
    current_lng: Mapped[Decimal | None] = mapped_column(numeric(9, 6))
    languages: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    notes: Mapped[str | None] = mapped_column(Text)
    last_status_at: Mapped[datetime | None]


class StaffSession(Timestamps, Base):
    """One sign-in: the role and device used, as the prototype's login selector shows."""

    __tablename__ = "staff_sessions"

    id: Mapped[uuid.UUID] = uuid_pk()
    staff_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[RoleType] = mapped_column(pg_enum(RoleType, "role_type"))
    auth_session_id: Mapped[str | None] = mapped_column(Text, index=True)
    device: Mapped[str | None] = mapped_column(Text)
    user_agent: Mapped[str | None] = mapped_column(Text)
    ip_address: Mapped[str | None] = mapped_column(Text)
    signed_in_at: Mapped[datetime] = mapped_column(server_default=func.now())
