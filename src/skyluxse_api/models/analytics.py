"""Dashboard snapshots and the knowledge base."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import Computed, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from skyluxse_api.db.base import Base, Timestamps, numeric, one_of, uuid_pk
from skyluxse_api.models.enums import StrEnum


class KpiPeriod(StrEnum):
    day = "day"
    week = "week"


class KpiSnapshot(Timestamps, Base):
    __tablename__ = "kpi_snapshots"
    __table_args__ = (
        one_of("period", KpiPeriod),
        UniqueConstraint("snapshot_date", "period", name="uq_kpi_snapshots_date_period"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    snapshot_date: Mapped[date]
    period: Mapped[str] = mapped_column(Text, server_default="day")
    fleet_utilization: Mapped[Decimal | None] = mapped_column(numeric(5, 2))
    sla_compliance: Mapped[Decimal | None] = mapped_column(numeric(5, 2))
    driver_availability: Mapped[Decimal | None] = mapped_column(numeric(5, 2))
    tasks_completed: Mapped[int | None] = mapped_column(Integer)
    pending_documents: Mapped[int | None] = mapped_column(Integer)
    client_nps: Mapped[Decimal | None] = mapped_column(numeric(5, 2))
    avg_revenue_per_car: Mapped[Decimal | None]
    active_bookings: Mapped[int | None] = mapped_column(Integer)


class KnowledgeBaseArticle(Timestamps, Base):
    __tablename__ = "knowledge_base_articles"
    __table_args__ = (
        Index("ix_knowledge_base_articles_search", "search_vector", postgresql_using="gin"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    category: Mapped[str | None] = mapped_column(Text, index=True)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True
    )
    # Full-text search over title (weighted higher) and body, kept by PostgreSQL.
    search_vector: Mapped[str] = mapped_column(
        TSVECTOR,
        Computed(
            "setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
            "setweight(to_tsvector('simple', coalesce(body, '')), 'B')",
            persisted=True,
        ),
    )
