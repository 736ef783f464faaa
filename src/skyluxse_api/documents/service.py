"""Documents: uploads streamed into storage, their metadata rows and links to business entities.

Who may write what, beyond the route permissions:
- ceo and operations: everything;
- sales: links to clients, bookings and leads only, and changes to documents that carry no
  vehicle or task link (those belong to the fleet and the field as well);
- drivers: upload to, and link documents to, the tasks assigned to them; the office reviews,
  changes and deletes.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import anyio
from sqlalchemy import ColumnElement, Select, case, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from skyluxse_api.api.crud import (
    apply_changes,
    lock_for_change,
    not_found,
    one_or_404,
    refresh_after_write,
)
from skyluxse_api.api.pagination import ListParams, PageResult, paginate
from skyluxse_api.api.problems import (
    Forbidden,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    Unprocessable,
    UnsupportedMediaType,
)
from skyluxse_api.auth.principal import Principal
from skyluxse_api.auth.scopes import document_scope, task_scope
from skyluxse_api.business_time import business_today
from skyluxse_api.db.base import Base
from skyluxse_api.documents import schemas
from skyluxse_api.documents.storage import (
    CHUNK_SIZE,
    MimeNotAllowed,
    Storage,
    StorageError,
    StoredFileMissing,
    UploadTooLarge,
    check_mime,
    store_upload,
)
from skyluxse_api.models import Booking, Client, Document, DocumentLink, SalesLead, Task, Vehicle
from skyluxse_api.models.enums import DocumentScope, DocumentStatus, RoleType
from skyluxse_api.settings import Settings

logger = logging.getLogger(__name__)

DOCUMENT_SORTS = {
    "created_at": Document.created_at,
    "updated_at": Document.updated_at,
    "original_name": Document.original_name,
}

LINK_TARGETS: dict[DocumentScope, type[Base]] = {
    DocumentScope.client: Client,
    DocumentScope.vehicle: Vehicle,
    DocumentScope.booking: Booking,
    DocumentScope.task: Task,
    DocumentScope.lead: SalesLead,
}
SALES_SCOPES = frozenset({DocumentScope.client, DocumentScope.booking, DocumentScope.lead})

# Removing the files of a failed upload must not hang the request that is already failing.
_REMOVE_SECONDS = 10.0


def effective_status() -> ColumnElement[DocumentStatus]:
    """`expired` once `expires_at` is before today in Dubai, else the stored status.

    Derived on every read, so it is never stale. "Today" comes from the transaction's start
    time, so one request's filter and its answers always agree.
    """
    status_type = Document.__table__.c.status.type
    return case(
        (Document.expires_at < business_today(), literal(DocumentStatus.expired, status_type)),
        else_=Document.status,
    )


def _documents(principal: Principal) -> Select[Document, DocumentStatus]:
    return select(Document, effective_status().label("effective_status")).where(
        document_scope(principal)
    )


def _document_read(document: Document, status: DocumentStatus) -> schemas.DocumentRead:
    return schemas.DocumentRead.model_validate(document).model_copy(update={"status": status})


# --- files in storage ---------------------------------------------------------------------


@dataclass
class NewFiles:
    """Files this request stored; removed again unless the request's transaction commits."""

    storage: Storage
    keys: list[str] = field(default_factory=list)

    async def discard(self) -> None:
        # Shielded: this runs when the request failed or was cancelled (client gone).
        with anyio.move_on_after(_REMOVE_SECONDS, shield=True):
            for key in self.keys:
                await remove_stored_file(self.storage, key)


async def remove_stored_file(storage: Storage, key: str) -> None:
    """Delete a file whose row is gone; a failure leaves an orphan to sweep, never an error."""
    try:
        await storage.delete(key)
    except (StorageError, OSError):
        logger.warning("could not remove stored file %r; it is now an orphan", key, exc_info=True)


async def _file_chunks(first: bytes, upload: UploadFile) -> AsyncIterator[bytes]:
    yield first
    while chunk := await upload.read(CHUNK_SIZE):
        yield chunk


async def open_file(storage: Storage, document: Document) -> AsyncIterator[bytes]:
    """The document's bytes, with the first chunk already read.

    Reading it here turns a missing file or an unreachable storage into a problem answer
    instead of a 200 whose body breaks off.
    """
    if document.storage_path is None:
        raise NotFound("This document has no stored file (its metadata was imported).")
    chunks = storage.open(document.storage_path)
    try:
        first = await anext(chunks, b"")
    except StoredFileMissing as exc:
        logger.error("document %s: stored file %r is missing", document.id, exc.key)
        raise NotFound("The file of this document is missing from storage.") from exc
    except StorageError as exc:
        logger.error("document %s: storage failed: %s", document.id, exc)
        raise ServiceUnavailable("Document storage is unavailable; try again shortly.") from exc

    async def rest() -> AsyncIterator[bytes]:
        yield first
        async for chunk in chunks:
            yield chunk

    return rest()


# --- who may write what -------------------------------------------------------------------


def _check_link_scope(principal: Principal, scope: DocumentScope) -> None:
    if principal.is_driver and scope is not DocumentScope.task:
        raise Forbidden("Drivers attach documents to their own tasks only (scope `task`).")
    if principal.role is RoleType.sales and scope not in SALES_SCOPES:
        raise Forbidden("Sales attach documents to clients, bookings and leads only.")


async def _check_link_target(
    session: AsyncSession, principal: Principal, scope: DocumentScope, entity_id: uuid.UUID
) -> None:
    """The role may link to this kind of entity, and the entity exists (and stays, until commit)."""
    _check_link_scope(principal, scope)
    model: Any = LINK_TARGETS[scope]
    statement = select(model.id).where(model.id == entity_id)
    if principal.is_driver:
        statement = statement.where(task_scope(principal))
    # KEY SHARE: the target cannot be deleted between this check and the commit.
    found = (await session.execute(statement.with_for_update(key_share=True))).first()
    if found is not None:
        return
    if principal.is_driver:
        raise not_found("task")
    table = model.__tablename__
    raise Unprocessable(
        f"No {scope} with id {entity_id}: a link must point at an existing row of `{table}`.",
        extra={"field": "entity_id", "table": table},
    )


async def _check_may_change(
    session: AsyncSession, principal: Principal, document_id: uuid.UUID
) -> None:
    if principal.is_driver:
        raise Forbidden("Drivers add documents to their tasks; the office changes or deletes them.")
    if principal.role is not RoleType.sales:
        return
    fleet_link = await session.scalar(
        select(DocumentLink.scope)
        .where(DocumentLink.document_id == document_id, DocumentLink.scope.not_in(SALES_SCOPES))
        .limit(1)
    )
    if fleet_link is not None:
        raise Forbidden(
            f"This document is also attached to a {fleet_link}; sales change only documents "
            "of clients, bookings and leads."
        )


# --- documents ----------------------------------------------------------------------------


async def upload_document(
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    new_files: NewFiles,
    metadata: schemas.DocumentUpload,
    upload: UploadFile,
) -> schemas.DocumentDetailRead:
    """Check access, stream the file into storage, then record it (and its first link)."""
    if principal.is_driver:
        if metadata.status is not schemas.UploadStatus.needs_review:
            raise Forbidden("A driver's upload waits for the office's review; leave out status.")
        if metadata.scope is None:
            raise Forbidden("Drivers upload to one of their tasks: send scope=task and entity_id.")
    if metadata.scope is not None and metadata.entity_id is not None:
        await _check_link_target(session, principal, metadata.scope, metadata.entity_id)

    first = await upload.read(CHUNK_SIZE)
    if not first:
        raise Unprocessable("The file is empty.", extra={"field": "file"})
    try:
        mime_type = check_mime(upload.content_type or "", first, settings.allowed_upload_types)
    except MimeNotAllowed as exc:
        raise UnsupportedMediaType(
            f"{exc.reason}.", extra={"accepted": settings.allowed_upload_types}
        ) from exc

    document_id = uuid.uuid4()
    now = datetime.now(UTC)
    # The row's id in the key: an operator can tell which row a file belongs to.
    key = f"{now:%Y}/{now:%m}/{document_id}"
    try:
        stored = await store_upload(
            new_files.storage,
            key,
            _file_chunks(first, upload),
            mime_type,
            settings.max_upload_bytes,
        )
    except UploadTooLarge as exc:
        raise PayloadTooLarge(
            f"Files may be at most {exc.max_bytes} bytes.", extra={"max_bytes": exc.max_bytes}
        ) from exc
    except StorageError as exc:
        logger.error("storing upload %r failed: %s", key, exc)
        raise ServiceUnavailable("Document storage is unavailable; try again shortly.") from exc
    new_files.keys.append(key)

    session.add(
        Document(
            id=document_id,
            storage_path=key,
            original_name=metadata.original_name,
            mime_type=mime_type,
            size_bytes=stored.size_bytes,
            checksum=stored.sha256,
            status=DocumentStatus(metadata.status),
            source=metadata.source,
            expires_at=metadata.expires_at,
            created_by=principal.staff_id,
        )
    )
    if metadata.scope is not None and metadata.entity_id is not None:
        session.add(
            DocumentLink(
                document_id=document_id,
                scope=metadata.scope,
                entity_id=metadata.entity_id,
                doc_type=metadata.doc_type,
            )
        )
    await session.flush()
    return await get_document(session, principal, document_id)


async def list_documents(
    session: AsyncSession,
    principal: Principal,
    params: ListParams,
    sort: str,
    *,
    scope: DocumentScope | None,
    entity_id: uuid.UUID | None,
    status: DocumentStatus | None,
    expiring_before: date | None,
    q: str | None,
) -> PageResult:
    if (scope is None) != (entity_id is None):
        raise Unprocessable("Filter by scope and entity_id together.")
    statement = _documents(principal)
    if scope is not None:
        statement = statement.where(
            Document.id.in_(
                select(DocumentLink.document_id).where(
                    DocumentLink.scope == scope, DocumentLink.entity_id == entity_id
                )
            )
        )
    if status is not None:
        statement = statement.where(effective_status() == status)
    if expiring_before is not None:
        statement = statement.where(Document.expires_at < expiring_before)
    if q:
        statement = statement.where(Document.original_name.icontains(q, autoescape=True))
    page = await paginate(
        session,
        statement,
        sort=sort,
        sort_columns=DOCUMENT_SORTS,
        id_column=Document.id,
        params=params,
    )
    return PageResult(
        items=[_document_read(document, status) for document, status in page.items],
        next_cursor=page.next_cursor,
        total=page.total,
    )


async def get_document_row(
    session: AsyncSession, principal: Principal, document_id: uuid.UUID
) -> Document:
    return await one_or_404(
        session,
        select(Document).where(Document.id == document_id, document_scope(principal)),
        "document",
    )


async def get_document(
    session: AsyncSession, principal: Principal, document_id: uuid.UUID
) -> schemas.DocumentDetailRead:
    row = (await session.execute(_documents(principal).where(Document.id == document_id))).first()
    if row is None:
        raise not_found("document")
    document, status = row
    links = select(DocumentLink).where(DocumentLink.document_id == document_id)
    if principal.is_driver:
        # Links to clients, bookings or other drivers' tasks are rows outside a driver's view.
        links = links.where(
            DocumentLink.scope == DocumentScope.task,
            DocumentLink.entity_id.in_(select(Task.id).where(task_scope(principal))),
        )
    found = (await session.scalars(links.order_by(DocumentLink.created_at, DocumentLink.id))).all()
    return schemas.DocumentDetailRead(
        **_document_read(document, status).model_dump(),
        links=[schemas.DocumentLinkRead.model_validate(link) for link in found],
    )


async def update_document(
    session: AsyncSession,
    principal: Principal,
    document_id: uuid.UUID,
    changes: schemas.DocumentUpdate,
    if_match: str | None,
) -> schemas.DocumentDetailRead:
    document = await lock_for_change(
        session,
        select(Document).where(Document.id == document_id, document_scope(principal)),
        "document",
        if_match,
    )
    await _check_may_change(session, principal, document.id)
    was_expired = document.status is DocumentStatus.expired
    sent = apply_changes(document, changes)
    if was_expired and "expires_at" in sent and "status" not in sent:
        # A stored `expired` (set by hand or by the daily job) whose date moved forward: the
        # renewed document needs a fresh look rather than staying expired forever.
        today = (await session.execute(select(business_today()))).scalar_one()
        if document.expires_at is None or document.expires_at >= today:
            document.status = DocumentStatus.needs_review
    await refresh_after_write(session, document)
    return await get_document(session, principal, document.id)


async def delete_document(
    session: AsyncSession, principal: Principal, document_id: uuid.UUID, if_match: str | None
) -> str | None:
    """Delete the row (links and task media go with it); returns the file's storage key."""
    document = await lock_for_change(
        session,
        select(Document).where(Document.id == document_id, document_scope(principal)),
        "document",
        if_match,
    )
    await _check_may_change(session, principal, document.id)
    key = document.storage_path
    await session.delete(document)
    await session.flush()
    return key


# --- links --------------------------------------------------------------------------------


async def create_link(
    session: AsyncSession,
    principal: Principal,
    document_id: uuid.UUID,
    data: schemas.DocumentLinkCreate,
) -> DocumentLink:
    await get_document_row(session, principal, document_id)
    await _check_link_target(session, principal, data.scope, data.entity_id)
    link = DocumentLink(
        document_id=document_id,
        scope=data.scope,
        entity_id=data.entity_id,
        doc_type=data.doc_type,
        notes=data.notes,
        link_metadata=data.metadata,
    )
    session.add(link)
    await refresh_after_write(session, link)
    return link


async def delete_link(
    session: AsyncSession,
    principal: Principal,
    document_id: uuid.UUID,
    link_id: uuid.UUID,
    if_match: str | None,
) -> None:
    await get_document_row(session, principal, document_id)
    link = await lock_for_change(
        session,
        select(DocumentLink).where(
            DocumentLink.id == link_id, DocumentLink.document_id == document_id
        ),
        "document link",
        if_match,
    )
    if principal.is_driver:
        raise Forbidden("Drivers add links to their tasks; the office removes them.")
    _check_link_scope(principal, link.scope)
    await session.delete(link)
    await session.flush()
