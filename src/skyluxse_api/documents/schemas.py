"""Request and response shapes of documents (file metadata) and their links to entities."""

from __future__ import annotations

import enum
import uuid
from datetime import date
from typing import Any

from pydantic import AliasChoices, Field, model_validator

from skyluxse_api.api.schemas import NonEmptyText, ShortText, Text, Timestamped, WriteModel
from skyluxse_api.models.enums import DocumentScope, DocumentStatus


class UploadStatus(enum.StrEnum):
    """What an office role may declare on upload; `expired` follows from `expires_at`."""

    verified = "verified"
    needs_review = "needs_review"


class DocumentUpload(WriteModel):
    """The metadata fields of the multipart upload, beside the `file` part."""

    original_name: NonEmptyText = Field(
        description="Shown to people; defaults to the name of the uploaded file."
    )
    source: ShortText | None = Field(default=None, examples=["Client upload"])
    expires_at: date | None = Field(default=None, description="For licences, mulkiya, insurance.")
    status: UploadStatus = Field(
        default=UploadStatus.needs_review, description="Office roles only; drivers may not set it."
    )
    scope: DocumentScope | None = Field(
        default=None, description="With entity_id: link the new document to this entity."
    )
    entity_id: uuid.UUID | None = None
    doc_type: ShortText | None = Field(default=None, examples=["mulkiya"])

    @model_validator(mode="after")
    def _link_is_whole(self) -> DocumentUpload:
        if (self.scope is None) != (self.entity_id is None):
            raise ValueError("send scope and entity_id together to link the document")
        if self.doc_type is not None and self.scope is None:
            raise ValueError("doc_type describes a link: send it with scope and entity_id")
        return self


class DocumentUpdate(WriteModel):
    original_name: NonEmptyText | None = None
    source: ShortText | None = None
    expires_at: date | None = None
    status: DocumentStatus | None = None


class DocumentLinkCreate(WriteModel):
    scope: DocumentScope
    entity_id: uuid.UUID
    doc_type: ShortText | None = Field(default=None, examples=["insurance"])
    notes: Text | None = None
    metadata: dict[str, Any] | None = None


class DocumentLinkRead(Timestamped):
    id: uuid.UUID
    document_id: uuid.UUID
    scope: DocumentScope
    entity_id: uuid.UUID
    doc_type: str | None = Field(examples=["mulkiya"])
    notes: str | None
    metadata: dict[str, Any] | None = Field(
        validation_alias=AliasChoices("link_metadata", "metadata")
    )


class DocumentRead(Timestamped):
    id: uuid.UUID
    original_name: str = Field(examples=["mulkiya-rolls-royce-ghost.pdf"])
    mime_type: str | None = Field(examples=["application/pdf"])
    size_bytes: int | None = Field(examples=[482133])
    checksum: str | None = Field(description="SHA-256 of the bytes, hex.")
    status: DocumentStatus = Field(
        description="`expired` whenever `expires_at` is before today (UTC), whatever was stored."
    )
    source: str | None = Field(examples=["Kommo"])
    expires_at: date | None
    created_by: uuid.UUID | None


class DocumentDetailRead(DocumentRead):
    links: list[DocumentLinkRead] = Field(
        description="Where the document is attached; a driver sees only their tasks' links."
    )
