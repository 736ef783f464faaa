"""HTTP routes of documents: streamed uploads and downloads, metadata, links to entities."""

from __future__ import annotations

import enum
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.types import Message, Receive

from skyluxse_api.api.etag import IfMatch, set_etag
from skyluxse_api.api.pagination import Listing
from skyluxse_api.api.problems import PayloadTooLarge
from skyluxse_api.api.routing import API_PREFIX, errors
from skyluxse_api.api.schemas import Page, SearchText
from skyluxse_api.auth.dependencies import require
from skyluxse_api.auth.permissions import Permission as P
from skyluxse_api.auth.principal import Principal
from skyluxse_api.db.engine import DbSession
from skyluxse_api.documents import schemas, service
from skyluxse_api.models.enums import DocumentScope, DocumentStatus
from skyluxse_api.settings import Settings

router = APIRouter(prefix=API_PREFIX)

# Room for the metadata fields, part headers and boundaries around the file itself.
FORM_OVERHEAD_BYTES = 64 * 1024


class DocumentSort(enum.StrEnum):
    created_at = "created_at"
    created_at_desc = "-created_at"
    updated_at = "updated_at"
    updated_at_desc = "-updated_at"
    original_name = "original_name"
    original_name_desc = "-original_name"


async def _new_files(request: Request) -> AsyncIterator[service.NewFiles]:
    new_files = service.NewFiles(request.app.state.storage)
    try:
        yield new_files
    except BaseException:
        await new_files.discard()
        raise


# Declared BEFORE DbSession in the upload route: FastAPI closes function-scoped dependencies in
# reverse order, so this one ends after the session's commit and also sees a failed commit.
NewFiles = Annotated[service.NewFiles, Depends(_new_files, scope="function")]


def _too_large(settings: Settings) -> PayloadTooLarge:
    limit = settings.max_upload_bytes
    return PayloadTooLarge(f"Files may be at most {limit} bytes.", extra={"max_bytes": limit})


def _capped(receive: Receive, limit: int, settings: Settings) -> Receive:
    """The request body stops at `limit` bytes, even when no Content-Length announced it."""
    received = 0

    async def capped_receive() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise _too_large(settings)
        return message

    return capped_receive


def _body_error(field: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"type": "value_error", "loc": ("body", field), "msg": message}])


def _upload_parts(form: FormData) -> tuple[UploadFile, schemas.DocumentUpload]:
    files = form.getlist("file")
    if len(files) != 1 or not isinstance(files[0], UploadFile):
        raise _body_error("file", "Send exactly one file, as the multipart part named `file`.")
    upload = files[0]
    fields: dict[str, str] = {}
    for name, value in form.multi_items():
        if name == "file":
            continue
        if isinstance(value, UploadFile):
            raise _body_error(name, "Only the part named `file` may carry a file.")
        if name in fields:
            raise _body_error(name, "Sent more than once.")
        # Browsers send blank form fields as empty strings: they mean "not given".
        if value != "":
            fields[name] = value
    if "original_name" not in fields and upload.filename:
        fields["original_name"] = upload.filename
    try:
        metadata = schemas.DocumentUpload.model_validate(fields)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)]
        ) from exc
    return upload, metadata


def _inline_refs(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        own = {key: _inline_refs(value, definitions) for key, value in node.items()}
        if "$ref" in own:
            # Keys beside the reference (the field's default, description) win over the target's.
            target = definitions[own.pop("$ref").rsplit("/", 1)[-1]]
            return {**_inline_refs(target, definitions), **own}
        return own
    if isinstance(node, list):
        return [_inline_refs(item, definitions) for item in node]
    return node


def _upload_request_body() -> dict[str, Any]:
    """The multipart body, documented by hand: the route parses it itself (see below)."""
    model = schemas.DocumentUpload.model_json_schema()
    file_part = {
        "type": "string",
        "format": "binary",
        "description": "The file. Its part's Content-Type must match its bytes.",
    }
    form = {
        "type": "object",
        "properties": {"file": file_part, **model["properties"]},
        "required": ["file"],
        "additionalProperties": False,
    }
    return {
        "required": True,
        "content": {"multipart/form-data": {"schema": _inline_refs(form, model.get("$defs", {}))}},
    }


@router.post(
    "/documents",
    tags=["documents"],
    status_code=status.HTTP_201_CREATED,
    summary="Upload a document (multipart), optionally linked to an entity at once",
    description=(
        "The file is streamed to storage and checked on the way: its bytes must match an "
        "accepted type (415) and stay within the size limit (413). The SHA-256 checksum and "
        "size are recorded. Drivers upload only to their own tasks (`scope=task`)."
    ),
    responses=errors(400, 404, 413, 415, 503),
    openapi_extra={"requestBody": _upload_request_body()},
)
async def documents_create(
    # Before `session`: see NewFiles.
    new_files: NewFiles,
    request: Request,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.DOCUMENTS_WRITE),
) -> schemas.DocumentDetailRead:
    # The body is parsed here rather than through File()/Form() parameters, which FastAPI reads
    # before any dependency runs: this way a caller without a token or without documents:write,
    # or a body far over the limit, is refused before anything is spooled to disk.
    settings: Settings = request.app.state.settings
    limit = settings.max_upload_bytes + FORM_OVERHEAD_BYTES
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(settings)
    body = Request(request.scope, _capped(request.receive, limit, settings))
    fields = len(schemas.DocumentUpload.model_fields)
    async with body.form(max_files=1, max_fields=fields) as form:
        upload, metadata = _upload_parts(form)
        document = await service.upload_document(
            session, principal, settings, new_files, metadata, upload
        )
    set_etag(response, document.id, document.updated_at)
    response.headers["Location"] = f"{API_PREFIX}/documents/{document.id}"
    return document


@router.get(
    "/documents",
    tags=["documents"],
    summary="List documents (a driver sees those of their tasks)",
    responses=errors(),
)
async def documents_list(
    session: DbSession,
    listing: Listing,
    sort: DocumentSort = DocumentSort.created_at_desc,
    scope: Annotated[
        DocumentScope | None, Query(description="With entity_id: documents linked to it.")
    ] = None,
    entity_id: uuid.UUID | None = None,
    status: Annotated[
        DocumentStatus | None, Query(description="`expired` includes every past expires_at.")
    ] = None,
    expiring_before: Annotated[
        date | None, Query(description="expires_at is before this date.")
    ] = None,
    q: Annotated[SearchText | None, Query(description="The name contains")] = None,
    principal: Principal = require(P.DOCUMENTS_READ),
) -> Page[schemas.DocumentRead]:
    page = await service.list_documents(
        session,
        principal,
        listing,
        sort,
        scope=scope,
        entity_id=entity_id,
        status=status,
        expiring_before=expiring_before,
        q=q,
    )
    return Page(items=page.items, next_cursor=page.next_cursor, total=page.total)


@router.get(
    "/documents/{document_id}",
    tags=["documents"],
    summary="One document's metadata and links",
    responses=errors(404),
)
async def documents_get(
    document_id: uuid.UUID,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.DOCUMENTS_READ),
) -> schemas.DocumentDetailRead:
    document = await service.get_document(session, principal, document_id)
    set_etag(response, document.id, document.updated_at)
    return document


def _attachment(name: str) -> str:
    """RFC 6266: an ASCII fallback for old clients, the exact name as UTF-8 in `filename*`."""
    fallback = "".join(ch if " " <= ch <= "~" and ch not in '"\\' else "_" for ch in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.get(
    "/documents/{document_id}/download",
    tags=["documents"],
    summary="Download the file (streamed; ETag is the SHA-256 checksum)",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The file's bytes, with its recorded Content-Type.",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        },
        **errors(404, 503),
    },
)
async def documents_download(
    document_id: uuid.UUID,
    request: Request,
    session: DbSession,
    principal: Principal = require(P.DOCUMENTS_READ),
) -> StreamingResponse:
    document = await service.get_document_row(session, principal, document_id)
    chunks = await service.open_file(request.app.state.storage, document)
    headers = {
        "Content-Type": document.mime_type or "application/octet-stream",
        "Content-Disposition": _attachment(document.original_name),
        # Uploaded content is never rendered as something else by a browser.
        "X-Content-Type-Options": "nosniff",
    }
    if document.size_bytes is not None:
        headers["Content-Length"] = str(document.size_bytes)
    if document.checksum:
        headers["ETag"] = f'"{document.checksum}"'
    return StreamingResponse(chunks, headers=headers)


@router.patch(
    "/documents/{document_id}",
    tags=["documents"],
    summary="Change a document's metadata (status, expiry, name, source)",
    responses=errors(404, 412),
)
async def documents_update(
    document_id: uuid.UUID,
    body: schemas.DocumentUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
    principal: Principal = require(P.DOCUMENTS_WRITE),
) -> schemas.DocumentDetailRead:
    document = await service.update_document(session, principal, document_id, body, if_match)
    set_etag(response, document.id, document.updated_at)
    return document


@router.delete(
    "/documents/{document_id}",
    tags=["documents"],
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a document and, once that is committed, its file",
    responses=errors(404, 412),
)
async def documents_delete(
    document_id: uuid.UUID,
    request: Request,
    session: DbSession,
    background: BackgroundTasks,
    if_match: IfMatch = None,
    principal: Principal = require(P.DOCUMENTS_WRITE),
) -> Response:
    key = await service.delete_document(session, principal, document_id, if_match)
    if key is not None:
        # Background tasks run after the response is sent, and DbSession commits before it is
        # sent: the file goes only once the row's deletion is committed. Should the commit
        # fail, the answer is an error, the task never runs and the row keeps its file.
        background.add_task(service.remove_stored_file, request.app.state.storage, key)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/documents/{document_id}/links",
    tags=["documents"],
    status_code=status.HTTP_201_CREATED,
    summary="Attach a document to a client, vehicle, booking, task or lead",
    responses=errors(404, 409),
)
async def document_links_create(
    document_id: uuid.UUID,
    body: schemas.DocumentLinkCreate,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.DOCUMENTS_WRITE),
) -> schemas.DocumentLinkRead:
    link = await service.create_link(session, principal, document_id, body)
    set_etag(response, link.id, link.updated_at)
    return schemas.DocumentLinkRead.model_validate(link)


@router.delete(
    "/documents/{document_id}/links/{link_id}",
    tags=["documents"],
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Detach a document from an entity",
    responses=errors(404, 412),
)
async def document_links_delete(
    document_id: uuid.UUID,
    link_id: uuid.UUID,
    session: DbSession,
    if_match: IfMatch = None,
    principal: Principal = require(P.DOCUMENTS_WRITE),
) -> Response:
    await service.delete_link(session, principal, document_id, link_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
