"""HTTP routes of clients, their notification feed and their preferences."""

from __future__ import annotations

import enum
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from skyluxse_api.api.etag import IfMatch, set_etag
from skyluxse_api.api.pagination import CreatedSort, Listing
from skyluxse_api.api.routing import API_PREFIX, errors
from skyluxse_api.api.schemas import Page, SearchText
from skyluxse_api.auth.dependencies import require
from skyluxse_api.auth.permissions import Permission as P
from skyluxse_api.auth.principal import Principal
from skyluxse_api.clients import schemas, service
from skyluxse_api.db.engine import DbSession
from skyluxse_api.models.enums import ClientSegment, ClientTier

router = APIRouter(prefix=f"{API_PREFIX}/clients", tags=["clients"])

NotificationRef = Annotated[str, "notification id or code"]


class ClientSort(enum.StrEnum):
    name = "name"
    name_desc = "-name"
    created_at = "created_at"
    created_at_desc = "-created_at"


def _shaped(
    client: schemas.ClientRead, principal: Principal
) -> schemas.ClientRead | schemas.ClientDriverRead:
    # Drivers get another schema, not nulled fields: only whom to meet and how to call.
    if principal.is_driver:
        return schemas.ClientDriverRead.model_validate(client.model_dump())
    return client


@router.get("", summary="List clients", responses=errors())
async def clients_list(
    session: DbSession,
    listing: Listing,
    sort: ClientSort = ClientSort.name,
    tier: ClientTier | None = None,
    segment: ClientSegment | None = None,
    residency_country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    q: Annotated[SearchText | None, Query(description="Name, email or phone contains")] = None,
    principal: Principal = require(P.CLIENTS_READ),
) -> Page[schemas.ClientRead] | Page[schemas.ClientDriverRead]:
    page = await service.list_clients(
        session, principal, listing, sort, tier, segment, residency_country, q
    )
    items = [_shaped(client, principal) for client in page.items]
    return Page(items=items, next_cursor=page.next_cursor, total=page.total)


@router.post(
    "", status_code=status.HTTP_201_CREATED, summary="Create a client", responses=errors(409)
)
async def clients_create(
    body: schemas.ClientCreate,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.CLIENTS_WRITE),
) -> schemas.ClientRead:
    client = await service.create_client(session, principal, body)
    set_etag(response, client.id, client.updated_at)
    return client


@router.get(
    "/{client_id}", summary="One client with lifetime value and last booking", responses=errors(404)
)
async def clients_get(
    client_id: uuid.UUID,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.CLIENTS_READ),
) -> schemas.ClientRead | schemas.ClientDriverRead:
    client = await service.get_client(session, principal, client_id)
    set_etag(response, client.id, client.updated_at)
    return _shaped(client, principal)


@router.patch(
    "/{client_id}",
    summary="Change a client (tier and segment are computed)",
    responses=errors(404, 409, 412),
)
async def clients_update(
    client_id: uuid.UUID,
    body: schemas.ClientUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
    principal: Principal = require(P.CLIENTS_WRITE),
) -> schemas.ClientRead:
    client = await service.update_client(session, principal, client_id, body, if_match)
    set_etag(response, client.id, client.updated_at)
    return client


@router.delete(
    "/{client_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a client without bookings",
    responses=errors(404, 409, 412),
)
async def clients_delete(
    client_id: uuid.UUID,
    session: DbSession,
    if_match: IfMatch = None,
    principal: Principal = require(P.CLIENTS_WRITE),
) -> Response:
    await service.delete_client(session, principal, client_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{client_id}/notifications", summary="The client's notification history", responses=errors(404)
)
async def client_notifications_list(
    client_id: uuid.UUID,
    session: DbSession,
    listing: Listing,
    sort: CreatedSort = CreatedSort.created_at_desc,
    principal: Principal = require(P.CLIENT_DETAILS_READ),
) -> Page[schemas.NotificationRead]:
    page = await service.list_notifications(session, principal, client_id, listing, sort)
    return page.to_page(schemas.NotificationRead)


@router.post(
    "/{client_id}/notifications",
    status_code=status.HTTP_201_CREATED,
    summary="Record a notification sent to the client",
    responses=errors(404, 409),
)
async def client_notifications_create(
    client_id: uuid.UUID,
    body: schemas.NotificationCreate,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.CLIENTS_WRITE),
) -> schemas.NotificationRead:
    notification = await service.create_notification(session, principal, client_id, body)
    set_etag(response, notification.id, notification.updated_at)
    return schemas.NotificationRead.model_validate(notification)


@router.get(
    "/{client_id}/notifications/{notification}",
    summary="One notification (id or NT-code)",
    responses=errors(404),
)
async def client_notifications_get(
    client_id: uuid.UUID,
    notification: NotificationRef,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.CLIENT_DETAILS_READ),
) -> schemas.NotificationRead:
    found = await service.get_notification(session, principal, client_id, notification)
    set_etag(response, found.id, found.updated_at)
    return schemas.NotificationRead.model_validate(found)


@router.patch(
    "/{client_id}/notifications/{notification}",
    summary="Change a notification",
    responses=errors(404, 412),
)
async def client_notifications_update(
    client_id: uuid.UUID,
    notification: NotificationRef,
    body: schemas.NotificationUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
    principal: Principal = require(P.CLIENTS_WRITE),
) -> schemas.NotificationRead:
    found = await service.update_notification(
        session, principal, client_id, notification, body, if_match
    )
    set_etag(response, found.id, found.updated_at)
    return schemas.NotificationRead.model_validate(found)


@router.delete(
    "/{client_id}/notifications/{notification}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a notification",
    responses=errors(404, 412),
)
async def client_notifications_delete(
    client_id: uuid.UUID,
    notification: NotificationRef,
    session: DbSession,
    if_match: IfMatch = None,
    principal: Principal = require(P.CLIENTS_WRITE),
) -> Response:
    await service.delete_notification(session, principal, client_id, notification, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{client_id}/preferences", summary="The client's preferences", responses=errors(404))
async def client_preferences_get(
    client_id: uuid.UUID,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.CLIENT_DETAILS_READ),
) -> schemas.PreferencesRead:
    preferences = await service.get_preferences(session, principal, client_id)
    set_etag(response, preferences.id, preferences.updated_at)
    return schemas.PreferencesRead.model_validate(preferences)


@router.patch(
    "/{client_id}/preferences",
    summary="Change the client's preferences",
    responses=errors(404, 412),
)
async def client_preferences_update(
    client_id: uuid.UUID,
    body: schemas.PreferencesWrite,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
    principal: Principal = require(P.CLIENTS_WRITE),
) -> schemas.PreferencesRead:
    preferences = await service.update_preferences(session, principal, client_id, body, if_match)
    set_etag(response, preferences.id, preferences.updated_at)
    return schemas.PreferencesRead.model_validate(preferences)
