"""Files (metadata; the bytes live in storage) and their links to business entities."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from skyluxse_api.db.base import Base, Timestamps, pg_enum, uuid_pk
from skyluxse_api.models.enums import DocumentScope, DocumentStatus


class Document(Timestamps, Base):
    __tablename__ = "documents"
    __table_args__ = (CheckConstraint("size_bytes >= 0", name="size_non_negative"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    storage_path: Mapped[str | None] = mapped_column(Text, unique=True)
    original_name: Mapped[str] = mapped_column(Text)
    mime_type: Mapped[str | None] = mapped_column(Text)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    checksum: Mapped[str | None] = mapped_column(Text)
    status: Mapped[DocumentStatus] = mapped_column(
        pg_enum(DocumentStatus, "document_status"), server_default="needs_review", index=True
    )
    source: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[date | None] = mapped_column(index=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True
    )


class DocumentLink(Timestamps, Base):
    """Polymorphic link: `entity_id` points into the table named by `scope`."""

    __tablename__ = "document_links"
    __table_args__ = (
        UniqueConstraint("document_id", "scope", "entity_id", name="uq_document_links_target"),
        Index("ix_document_links_scope_entity", "scope", "entity_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    scope: Mapped[DocumentScope] = mapped_column(pg_enum(DocumentScope, "document_scope"))
    entity_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    doc_type: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    # `metadata` is reserved on declarative classes; the column keeps its name.
    link_metadata: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB)
