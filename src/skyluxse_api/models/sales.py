"""The sales pipeline: stages, leads and the sections of a lead's workspace."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, SmallInteger, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from skyluxse_api.db.base import Base, Timestamps, numeric, one_of, pg_enum, uuid_pk
from skyluxse_api.models.enums import LeadStatus, LineCategory, StrEnum, TaskStatus


class LeadConflictType(StrEnum):
    vehicle = "vehicle"
    delivery = "delivery"
    maintenance = "maintenance"


class LeadTimelineEventType(StrEnum):
    system = "system"
    call = "call"
    proposal = "proposal"
    task = "task"


def _lead_fk() -> Mapped[uuid.UUID]:
    return mapped_column(ForeignKey("sales_leads.id", ondelete="CASCADE"), index=True)


class SalesPipelineStage(Timestamps, Base):
    __tablename__ = "sales_pipeline_stages"
    __table_args__ = (CheckConstraint("probability BETWEEN 0 AND 100", name="probability_range"),)

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    probability: Mapped[Decimal | None] = mapped_column(numeric(5, 2))
    sla_days: Mapped[int | None] = mapped_column(Integer)
    badge_color: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, server_default="0")


class SalesLead(Timestamps, Base):
    __tablename__ = "sales_leads"
    __table_args__ = (
        CheckConstraint("probability_override BETWEEN 0 AND 100", name="probability_range"),
        CheckConstraint("fleet_size >= 0", name="fleet_size_non_negative"),
        CheckConstraint("value_amount >= 0", name="value_non_negative"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    lead_code: Mapped[str | None] = mapped_column(Text, unique=True)
    client_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("clients.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(Text)
    company: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True
    )
    stage_id: Mapped[str | None] = mapped_column(
        ForeignKey("sales_pipeline_stages.id", ondelete="RESTRICT"), index=True
    )
    value_amount: Mapped[Decimal | None]
    currency: Mapped[str] = mapped_column(Text, server_default="AED")
    probability_override: Mapped[Decimal | None] = mapped_column(numeric(5, 2))
    source: Mapped[str | None] = mapped_column(Text)
    expected_close_at: Mapped[datetime | None] = mapped_column(index=True)
    requested_start_at: Mapped[datetime | None]
    requested_end_at: Mapped[datetime | None]
    fleet_size: Mapped[int | None] = mapped_column(SmallInteger)
    next_action: Mapped[str | None] = mapped_column(Text)
    velocity_days: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[LeadStatus] = mapped_column(
        pg_enum(LeadStatus, "lead_status"), server_default="active", index=True
    )
    loss_reason: Mapped[str | None] = mapped_column(Text)


class SalesLeadFinancial(Timestamps, Base):
    __tablename__ = "sales_lead_financials"

    id: Mapped[uuid.UUID] = uuid_pk()
    lead_id: Mapped[uuid.UUID] = _lead_fk()
    label: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal | None]
    due_at: Mapped[datetime | None]
    status: Mapped[str | None] = mapped_column(Text)


class SalesLeadDocument(Timestamps, Base):
    __tablename__ = "sales_lead_documents"

    id: Mapped[uuid.UUID] = uuid_pk()
    lead_id: Mapped[uuid.UUID] = _lead_fk()
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str | None] = mapped_column(Text)
    verified_at: Mapped[datetime | None]
    verified_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True
    )


class SalesLeadVehicleMatch(Timestamps, Base):
    __tablename__ = "sales_lead_vehicle_matches"
    __table_args__ = (CheckConstraint("fit_score BETWEEN 0 AND 100", name="fit_score_range"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    lead_id: Mapped[uuid.UUID] = _lead_fk()
    vehicle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("vehicles.id", ondelete="RESTRICT"), index=True
    )
    fit_score: Mapped[Decimal | None] = mapped_column(numeric(5, 2))


class SalesLeadConflict(Timestamps, Base):
    __tablename__ = "sales_lead_conflicts"
    __table_args__ = (one_of("conflict_type", LeadConflictType),)

    id: Mapped[uuid.UUID] = uuid_pk()
    lead_id: Mapped[uuid.UUID] = _lead_fk()
    conflict_type: Mapped[str] = mapped_column(Text)
    severity: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str | None] = mapped_column(Text)


class SalesLeadPricingItem(Timestamps, Base):
    __tablename__ = "sales_lead_pricing_items"
    __table_args__ = (one_of("category", LineCategory),)

    id: Mapped[uuid.UUID] = uuid_pk()
    lead_id: Mapped[uuid.UUID] = _lead_fk()
    label: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal]
    category: Mapped[str] = mapped_column(Text, server_default="base")


class SalesLeadTimelineEvent(Timestamps, Base):
    __tablename__ = "sales_lead_timeline_events"
    __table_args__ = (one_of("event_type", LeadTimelineEventType),)

    id: Mapped[uuid.UUID] = uuid_pk()
    lead_id: Mapped[uuid.UUID] = _lead_fk()
    event_ts: Mapped[datetime] = mapped_column(server_default=func.now())
    event_type: Mapped[str] = mapped_column(Text, server_default="system")
    label: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True
    )


class SalesLeadTask(Timestamps, Base):
    __tablename__ = "sales_lead_tasks"

    id: Mapped[uuid.UUID] = uuid_pk()
    lead_id: Mapped[uuid.UUID] = _lead_fk()
    label: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date | None]
    status: Mapped[TaskStatus] = mapped_column(
        pg_enum(TaskStatus, "task_status"), server_default="todo"
    )


class SalesLeadOffer(Timestamps, Base):
    __tablename__ = "sales_lead_offers"

    id: Mapped[uuid.UUID] = uuid_pk()
    lead_id: Mapped[uuid.UUID] = _lead_fk()
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    price: Mapped[Decimal | None]
    margin_pct: Mapped[Decimal | None] = mapped_column(numeric(5, 2))


class SalesLeadPlaybookStep(Timestamps, Base):
    __tablename__ = "sales_lead_playbook_steps"

    id: Mapped[uuid.UUID] = uuid_pk()
    lead_id: Mapped[uuid.UUID] = _lead_fk()
    label: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, server_default="0")
    is_done: Mapped[bool] = mapped_column(Boolean, server_default="false")
