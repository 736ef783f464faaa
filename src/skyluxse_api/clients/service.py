"""Clients: the people who rent, their notification history and their preferences."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from skyluxse_api.api.crud import (
    apply_changes,
    lock_for_change,
    not_found,
    one_or_404,
    refresh_after_write,
)
from skyluxse_api.api.pagination import ListParams, PageResult, paginate
from skyluxse_api.api.routing import matches_id_or_code
from skyluxse_api.auth.principal import Principal
from skyluxse_api.auth.scopes import client_scope
from skyluxse_api.clients import schemas
from skyluxse_api.integrations.outbox import enqueue_contact_upsert
from skyluxse_api.models import Client, ClientNotification, ClientPreferences
from skyluxse_api.models.enums import ClientSegment, ClientTier

CLIENT_SORTS = {"name": Client.name, "created_at": Client.created_at}
NOTIFICATION_SORTS = {"created_at": ClientNotification.created_at}
# A change to any of these is what Kommo and Zoho hold of a client.
CRM_FIELDS = {"name", "phone", "email"}


def _with_metrics(principal: Principal) -> Select[Any]:
    """Clients with the lifetime value and last booking date the database computes."""
    return select(
        Client,
        func.calculate_client_lifetime_value(Client.id).label("lifetime_value"),
        func.calculate_client_last_booking_at(Client.id).label("last_booking_at"),
    ).where(client_scope(principal))


def client_read(row: Any) -> schemas.ClientRead:
    client, lifetime_value, last_booking_at = row
    columns = {attr.key: getattr(client, attr.key) for attr in Client.__mapper__.column_attrs}
    return schemas.ClientRead.model_validate(
        {**columns, "lifetime_value": lifetime_value, "last_booking_at": last_booking_at}
    )


async def list_clients(
    session: AsyncSession,
    principal: Principal,
    params: ListParams,
    sort: str,
    tier: ClientTier | None,
    segment: ClientSegment | None,
    residency_country: str | None,
    q: str | None,
) -> PageResult:
    statement = _with_metrics(principal)
    if tier is not None:
        statement = statement.where(Client.tier == tier)
    if segment is not None:
        statement = statement.where(Client.segment == segment)
    if residency_country is not None:
        statement = statement.where(Client.residency_country == residency_country)
    if q:
        pattern = f"%{q}%"
        statement = statement.where(
            or_(
                Client.name.ilike(pattern), Client.email.ilike(pattern), Client.phone.ilike(pattern)
            )
        )
    page = await paginate(
        session, statement, sort=sort, sort_columns=CLIENT_SORTS, id_column=Client.id, params=params
    )
    return PageResult([client_read(row) for row in page.items], page.next_cursor, page.total)


async def get_client(
    session: AsyncSession, principal: Principal, client_id: uuid.UUID
) -> schemas.ClientRead:
    row = (await session.execute(_with_metrics(principal).where(Client.id == client_id))).first()
    if row is None:
        raise not_found("client")
    return client_read(row)


async def create_client(
    session: AsyncSession, principal: Principal, data: schemas.ClientCreate
) -> schemas.ClientRead:
    client = Client(
        **data.model_dump(exclude_none=True),
        created_by=principal.staff_id,
        updated_by=principal.staff_id,
    )
    session.add(client)
    await session.flush()
    await enqueue_contact_upsert(session, client.id)
    return await get_client(session, principal, client.id)


def _client(principal: Principal, client_id: uuid.UUID) -> Select[Client]:
    return select(Client).where(Client.id == client_id, client_scope(principal))


async def update_client(
    session: AsyncSession,
    principal: Principal,
    client_id: uuid.UUID,
    changes: schemas.ClientUpdate,
    if_match: str | None,
) -> schemas.ClientRead:
    client = await lock_for_change(session, _client(principal, client_id), "client", if_match)
    before = {field: getattr(client, field) for field in CRM_FIELDS}
    apply_changes(client, changes)
    client.updated_by = principal.staff_id
    await session.flush()
    if any(getattr(client, field) != value for field, value in before.items()):
        await enqueue_contact_upsert(session, client.id)
    return await get_client(session, principal, client.id)


async def delete_client(
    session: AsyncSession, principal: Principal, client_id: uuid.UUID, if_match: str | None
) -> None:
    """Only a client without bookings can go (bookings RESTRICT: 409 names them)."""
    client = await lock_for_change(session, _client(principal, client_id), "client", if_match)
    await session.delete(client)
    await session.flush()


async def _visible_client_id(
    session: AsyncSession, principal: Principal, client_id: uuid.UUID
) -> None:
    await one_or_404(
        session, select(Client.id).where(Client.id == client_id, client_scope(principal)), "client"
    )


def _notification(client_id: uuid.UUID, ref: str) -> Select[ClientNotification]:
    return select(ClientNotification).where(
        ClientNotification.client_id == client_id,
        matches_id_or_code(ClientNotification.id, ClientNotification.external_ref, ref),
    )


async def list_notifications(
    session: AsyncSession, principal: Principal, client_id: uuid.UUID, params: ListParams, sort: str
) -> PageResult:
    await _visible_client_id(session, principal, client_id)
    statement = select(ClientNotification).where(ClientNotification.client_id == client_id)
    return await paginate(
        session,
        statement,
        sort=sort,
        sort_columns=NOTIFICATION_SORTS,
        id_column=ClientNotification.id,
        params=params,
    )


async def get_notification(
    session: AsyncSession, principal: Principal, client_id: uuid.UUID, ref: str
) -> ClientNotification:
    await _visible_client_id(session, principal, client_id)
    return await one_or_404(session, _notification(client_id, ref), "notification")


async def create_notification(
    session: AsyncSession,
    principal: Principal,
    client_id: uuid.UUID,
    data: schemas.NotificationCreate,
) -> ClientNotification:
    await _visible_client_id(session, principal, client_id)
    notification = ClientNotification(client_id=client_id, **data.model_dump(exclude_none=True))
    session.add(notification)
    await refresh_after_write(session, notification)
    return notification


async def update_notification(
    session: AsyncSession,
    principal: Principal,
    client_id: uuid.UUID,
    ref: str,
    changes: schemas.NotificationUpdate,
    if_match: str | None,
) -> ClientNotification:
    await _visible_client_id(session, principal, client_id)
    notification = await lock_for_change(
        session, _notification(client_id, ref), "notification", if_match
    )
    apply_changes(notification, changes)
    await refresh_after_write(session, notification)
    return notification


async def delete_notification(
    session: AsyncSession,
    principal: Principal,
    client_id: uuid.UUID,
    ref: str,
    if_match: str | None,
) -> None:
    await _visible_client_id(session, principal, client_id)
    notification = await lock_for_change(
        session, _notification(client_id, ref), "notification", if_match
    )
    await session.delete(notification)
    await session.flush()


async def get_preferences(
    session: AsyncSession, principal: Principal, client_id: uuid.UUID
) -> ClientPreferences:
    """A client's preferences; a client who never set any gets the defaults row."""
    await _visible_client_id(session, principal, client_id)
    await session.execute(
        insert(ClientPreferences).values(client_id=client_id).on_conflict_do_nothing()
    )
    return await one_or_404(
        session, select(ClientPreferences).where(ClientPreferences.client_id == client_id), "client"
    )


async def update_preferences(
    session: AsyncSession,
    principal: Principal,
    client_id: uuid.UUID,
    changes: schemas.PreferencesWrite,
    if_match: str | None,
) -> ClientPreferences:
    await get_preferences(session, principal, client_id)
    preferences = await lock_for_change(
        session,
        select(ClientPreferences).where(ClientPreferences.client_id == client_id),
        "client",
        if_match,
    )
    apply_changes(preferences, changes)
    await refresh_after_write(session, preferences)
    return preferences
