"""Vehicles and what keeps them road-worthy: reminders, inspections, maintenance jobs."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ARRAY, CheckConstraint, ForeignKey, Index, Integer, SmallInteger, Text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from skyluxse_api.db.base import Base, Timestamps, numeric, one_of, pg_enum, uuid_pk
from skyluxse_api.models.enums import (
    MaintenanceJobStatus,
    MaintenanceJobType,
    ReminderStatus,
    VehicleStatus,
)


class Vehicle(Timestamps, Base):
    __tablename__ = "vehicles"
    __table_args__ = (
        CheckConstraint("model_year BETWEEN 1980 AND 2100", name="model_year_range"),
        CheckConstraint("seating_capacity BETWEEN 1 AND 20", name="seating_capacity_range"),
        CheckConstraint("power_hp BETWEEN 50 AND 1200", name="power_hp_range"),
        CheckConstraint("cylinders BETWEEN 2 AND 16", name="cylinders_range"),
        CheckConstraint("engine_displacement_l > 0", name="engine_displacement_positive"),
        CheckConstraint("zero_to_hundred_sec > 0", name="zero_to_hundred_positive"),
        CheckConstraint("mileage_km >= 0", name="mileage_non_negative"),
        CheckConstraint("utilization_pct BETWEEN 0 AND 1", name="utilization_pct_range"),
        CheckConstraint("health_score BETWEEN 0 AND 1", name="health_score_range"),
        Index("ix_vehicles_make_model", "make", "model"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    external_ref: Mapped[str | None] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    kommo_vehicle_id: Mapped[str | None] = mapped_column(Text, unique=True)
    make: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(Text)
    vin: Mapped[str | None] = mapped_column(Text, unique=True)
    model_year: Mapped[int | None] = mapped_column(SmallInteger)
    exterior_color: Mapped[str | None] = mapped_column(Text)
    interior_color: Mapped[str | None] = mapped_column(Text)
    plate_number: Mapped[str | None] = mapped_column(Text)
    body_style: Mapped[str | None] = mapped_column(Text, index=True)
    status: Mapped[VehicleStatus] = mapped_column(
        pg_enum(VehicleStatus, "vehicle_status"), server_default="available", index=True
    )
    # `class` is a Python keyword; the column keeps the document's name.
    vehicle_class: Mapped[str | None] = mapped_column("class", Text, index=True)
    segment: Mapped[str | None] = mapped_column(Text)
    seating_capacity: Mapped[int | None] = mapped_column(SmallInteger, index=True)
    engine_displacement_l: Mapped[Decimal | None] = mapped_column(numeric(4, 2))
    power_hp: Mapped[int | None] = mapped_column(SmallInteger)
    cylinders: Mapped[int | None] = mapped_column(SmallInteger)
    zero_to_hundred_sec: Mapped[Decimal | None] = mapped_column(numeric(4, 2))
    transmission: Mapped[str | None] = mapped_column(Text)
    mileage_km: Mapped[int | None] = mapped_column(Integer)
    # Computed by refresh_vehicle_utilization(); never written by the app.
    utilization_pct: Mapped[Decimal] = mapped_column(numeric(5, 2), server_default="0")
    revenue_ytd: Mapped[Decimal | None]
    health_score: Mapped[Decimal | None] = mapped_column(numeric(5, 2))
    location: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True
    )
    updated_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True
    )


class VehicleReminder(Timestamps, Base):
    """Insurance, mulkiya and service due dates (`RM-huracan-service`, ...)."""

    __tablename__ = "vehicle_reminders"
    __table_args__ = (one_of("status", ReminderStatus),)

    id: Mapped[uuid.UUID] = uuid_pk()
    external_ref: Mapped[str | None] = mapped_column(Text, unique=True)
    vehicle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("vehicles.id", ondelete="CASCADE"), index=True
    )
    reminder_type: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date | None] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(Text, server_default="scheduled", index=True)
    severity: Mapped[str] = mapped_column(Text, server_default="info")
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True
    )


class VehicleInspection(Timestamps, Base):
    __tablename__ = "vehicle_inspections"

    id: Mapped[uuid.UUID] = uuid_pk()
    vehicle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("vehicles.id", ondelete="CASCADE"), index=True
    )
    inspection_date: Mapped[date | None] = mapped_column(index=True)
    driver_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("driver_profiles.id", ondelete="SET NULL"), index=True
    )
    performed_by: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    photo_document_ids: Mapped[list[uuid.UUID] | None] = mapped_column(ARRAY(UUID(as_uuid=True)))


class MaintenanceJob(Timestamps, Base):
    """Maintenance, repair and detailing windows; they block the car like a booking does."""

    __tablename__ = "maintenance_jobs"
    __table_args__ = (
        one_of("status", MaintenanceJobStatus),
        one_of("job_type", MaintenanceJobType),
        CheckConstraint(
            "scheduled_end IS NULL OR scheduled_start IS NULL OR scheduled_end >= scheduled_start",
            name="scheduled_window_order",
        ),
        CheckConstraint(
            "actual_end IS NULL OR actual_start IS NULL OR actual_end >= actual_start",
            name="actual_window_order",
        ),
        CheckConstraint(
            "odometer_end IS NULL OR odometer_start IS NULL OR odometer_end >= odometer_start",
            name="odometer_order",
        ),
        Index("ix_maintenance_jobs_vehicle_window", "vehicle_id", "scheduled_start"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    vehicle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("vehicles.id", ondelete="RESTRICT"), index=True
    )
    booking_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("bookings.id", ondelete="SET NULL"), index=True
    )
    job_type: Mapped[str] = mapped_column(Text, server_default="maintenance")
    status: Mapped[str] = mapped_column(Text, server_default="scheduled", index=True)
    scheduled_start: Mapped[datetime | None]
    scheduled_end: Mapped[datetime | None]
    actual_start: Mapped[datetime | None]
    actual_end: Mapped[datetime | None]
    odometer_start: Mapped[int | None] = mapped_column(Integer)
    odometer_end: Mapped[int | None] = mapped_column(Integer)
    vendor: Mapped[str | None] = mapped_column(Text)
    cost_estimate: Mapped[Decimal | None]
    description: Mapped[str | None] = mapped_column(Text)
