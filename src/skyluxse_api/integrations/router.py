"""HTTP routes of the CRM integrations: outbox administration and the Kommo webhook."""

from __future__ import annotations

import enum
import hmac
import uuid

from fastapi import APIRouter, Request, Response, status

from skyluxse_api.api.etag import set_etag
from skyluxse_api.api.pagination import Listing
from skyluxse_api.api.problems import BadRequest, NotFound, PayloadTooLarge
from skyluxse_api.api.routing import API_PREFIX, IdOrCode, errors
from skyluxse_api.api.schemas import Page
from skyluxse_api.auth.dependencies import public, require
from skyluxse_api.auth.permissions import Permission as P
from skyluxse_api.auth.principal import Principal
from skyluxse_api.db.engine import DbSession
from skyluxse_api.integrations import schemas, service
from skyluxse_api.integrations.webhook_intake import receive_kommo_webhook
from skyluxse_api.models.enums import (
    OutboxEntityType,
    OutboxEventType,
    OutboxStatus,
    OutboxTarget,
)
from skyluxse_api.settings import Settings

router = APIRouter(prefix=API_PREFIX)

# Kommo webhooks are a few kilobytes; anything near this is not one.
MAX_WEBHOOK_BYTES = 1_000_000


class OutboxSort(enum.StrEnum):
    created_at = "created_at"
    created_at_desc = "-created_at"
    next_run_at = "next_run_at"
    next_run_at_desc = "-next_run_at"
    updated_at = "updated_at"
    updated_at_desc = "-updated_at"


@router.get("/integrations/outbox", tags=["integrations"],
            summary="List outbox rows (deliveries to Kommo, Zoho)", responses=errors())  # fmt: skip
async def outbox_list(
    session: DbSession,
    listing: Listing,
    sort: OutboxSort = OutboxSort.created_at_desc,
    status: OutboxStatus | None = None,
    target_system: OutboxTarget | None = None,
    event_type: OutboxEventType | None = None,
    entity_type: OutboxEntityType | None = None,
    entity_id: uuid.UUID | None = None,
    principal: Principal = require(P.OUTBOX_READ),
) -> Page[schemas.OutboxRowRead]:
    filters = service.OutboxFilters(status, target_system, event_type, entity_type, entity_id)
    page = await service.list_rows(session, listing, sort, filters)
    return page.to_page(schemas.OutboxRowRead)


@router.get("/integrations/outbox/stats", tags=["integrations"],
            summary="Outbox rows counted by status and target", responses=errors())  # fmt: skip
async def outbox_stats(
    session: DbSession, principal: Principal = require(P.OUTBOX_READ)
) -> schemas.OutboxStats:
    return await service.stats(session)


@router.get("/integrations/outbox/{row_id}", tags=["integrations"],
            summary="One outbox row with its payload and last error",
            responses=errors(404))  # fmt: skip
async def outbox_get(
    row_id: uuid.UUID,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.OUTBOX_READ),
) -> schemas.OutboxRowRead:
    row = await service.get_row(session, row_id)
    set_etag(response, row.id, row.updated_at)
    return schemas.OutboxRowRead.model_validate(row)


@router.post("/integrations/outbox/{row_id}/retry", tags=["integrations"],
             summary="Retry a failed row now, with its attempts reset",
             responses=errors(404, 409))  # fmt: skip
async def outbox_retry(
    row_id: uuid.UUID,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.OUTBOX_RETRY),
) -> schemas.OutboxRowRead:
    row = await service.retry_row(session, row_id)
    set_etag(response, row.id, row.updated_at)
    return schemas.OutboxRowRead.model_validate(row)


@router.post(
    "/bookings/{booking}/zoho-sync/retry",
    tags=["bookings"],
    status_code=status.HTTP_202_ACCEPTED,
    summary="Queue another Zoho sales order attempt for a booking whose sync failed",
    responses=errors(404, 409),
)
async def bookings_zoho_retry(
    booking: IdOrCode,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.OUTBOX_RETRY),
) -> schemas.OutboxRowRead:
    row = await service.retry_booking_sync(session, principal, booking)
    set_etag(response, row.id, row.updated_at)
    return schemas.OutboxRowRead.model_validate(row)


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_WEBHOOK_BYTES:
        raise PayloadTooLarge(f"A Kommo webhook is at most {MAX_WEBHOOK_BYTES} bytes.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_WEBHOOK_BYTES:
            raise PayloadTooLarge(f"A Kommo webhook is at most {MAX_WEBHOOK_BYTES} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


_KOMMO_FORM = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "Kommo's bracketed keys, e.g. `leads[status][0][id]`.",
            },
            "example": {
                "leads[status][0][id]": "30307415",
                "leads[status][0][status_id]": "142",
                "leads[status][0][pipeline_id]": "4542166",
                "account[subdomain]": "skyluxse",
            },
        }
    },
}


@router.post(
    "/integrations/kommo/webhook/{secret}",
    tags=["integrations"],
    summary="Kommo webhook (form-encoded): stored raw, then imported into clients and bookings",
    responses=errors(400, 404, 413),
    openapi_extra={"requestBody": _KOMMO_FORM},
)
async def kommo_webhook_receive(
    secret: str,
    request: Request,
    caller: None = public("Kommo webhook; authenticated by the secret path segment"),
) -> schemas.KommoWebhookAck:
    """Public (no token): Kommo is authenticated by the secret path segment
    (`KOMMO_WEBHOOK_SECRET`); a wrong or unset secret answers 404.

    Every delivery is stored raw before it is imported; a replay of a processed body
    answers `duplicate` and changes nothing; a body that is not a Kommo webhook answers
    400 and stays stored as `rejected`.
    """
    settings: Settings = request.app.state.settings
    expected = settings.kommo_webhook_secret
    if not expected or not hmac.compare_digest(secret.encode(), expected.encode()):
        raise NotFound("No such webhook.")
    body = await _read_body(request)
    result = await receive_kommo_webhook(
        request.app.state.sessionmaker, settings, body, request.headers.get("content-type")
    )
    if result.status == "rejected":
        raise BadRequest(
            f"Not a usable Kommo webhook: {result.reason}",
            extra={"delivery_id": str(result.delivery_id)},
        )
    return schemas.KommoWebhookAck.model_validate(
        {"delivery_id": result.delivery_id, "status": result.status}
    )
