"""Turn one claimed outbox row into CRM calls, and what the CRMs answer into write-backs.

The row names the entity; its data is read here, at delivery time, so a row always sends
the entity's latest state. Write-backs (CRM ids, the booking's sync status) are collected
during the delivery and written by the worker in the transaction that records the outcome.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from skyluxse_api.integrations.errors import PermanentError, RetryableError
from skyluxse_api.integrations.kommo import KommoClient, KommoContact
from skyluxse_api.integrations.kommo_oauth import KommoTokenStore
from skyluxse_api.integrations.zoho import ZohoClient, ZohoContact, ZohoOrderLine, ZohoSalesOrder
from skyluxse_api.models import Booking, BookingAddon, Client, IntegrationsOutbox
from skyluxse_api.models.enums import (
    LineCategory,
    OutboxEntityType,
    OutboxEventType,
    OutboxStatus,
    OutboxTarget,
    ZohoSyncStatus,
)
from skyluxse_api.settings import Settings

SALES_ORDER_EVENTS = frozenset({OutboxEventType.sales_order_create, OutboxEventType.booking_retry})
# Price lines in the order Zoho shows them: the rate, the extras, then the discounts.
_LINE_ORDER: dict[str, int] = {
    LineCategory.base: 0,
    LineCategory.addon: 1,
    LineCategory.discount: 2,
}


@dataclass(frozen=True)
class OutboxJob:
    """An outbox row this worker has claimed (`attempts` already counts this delivery)."""

    id: uuid.UUID
    entity_type: str
    entity_id: uuid.UUID
    target_system: str
    event_type: str
    attempts: int

    @property
    def is_sales_order(self) -> bool:
        return self.entity_type == OutboxEntityType.booking and self.event_type in (
            SALES_ORDER_EVENTS
        )


@dataclass
class WriteBacks:
    """CRM ids learnt during one delivery, kept even when a later call of it fails."""

    client_columns: dict[uuid.UUID, dict[str, str]] = field(default_factory=dict)
    sales_order_id: str | None = None

    def client(self, client_id: uuid.UUID, column: str, value: str) -> None:
        self.client_columns.setdefault(client_id, {})[column] = value


async def apply_write_backs(
    session: AsyncSession,
    job: OutboxJob,
    writes: WriteBacks,
    outcome: OutboxStatus,
    error: str | None,
) -> None:
    """Store what the CRMs returned and, for sales orders, the booking's sync status."""
    for client_id, columns in writes.client_columns.items():
        for column, value in columns.items():
            attribute = getattr(Client, column)
            # Only a real change: updated_at (and so the ETag) must not move for nothing.
            await session.execute(
                update(Client)
                .where(Client.id == client_id, attribute.is_distinct_from(value))
                .values({column: value})
                .execution_options(synchronize_session=False)
            )
    if not job.is_sales_order:
        return
    values: dict[str, Any]
    if outcome is OutboxStatus.succeeded:
        values = {"zoho_sync_status": ZohoSyncStatus.synced, "zoho_sync_error": None}
        if writes.sales_order_id:
            values["zoho_sales_order_id"] = writes.sales_order_id
    elif outcome is OutboxStatus.pending:
        values = {"zoho_sync_status": ZohoSyncStatus.pending, "zoho_sync_error": error}
    else:
        values = {"zoho_sync_status": ZohoSyncStatus.failed, "zoho_sync_error": error}
    await session.execute(
        update(Booking)
        .where(Booking.id == job.entity_id)
        .values(values)
        .execution_options(synchronize_session=False)
    )


def order_lines(
    code: str, total_amount: Decimal | None, addons: list[tuple[str, Decimal, str]]
) -> tuple[ZohoOrderLine, ...]:
    """Sales order lines from a booking's price lines (label, amount, category).

    Discounts become negative lines, and a final adjustment line makes the order add up
    to the booking's total when the price lines do not.
    """
    ordered = sorted(addons, key=lambda line: _LINE_ORDER.get(line[2], 1))
    lines = [
        ZohoOrderLine(label, -amount if category == LineCategory.discount else amount)
        for label, amount, category in ordered
    ]
    if not lines:
        if total_amount is None:
            raise PermanentError(f"booking {code} has no price lines and no total amount")
        return (ZohoOrderLine(f"Rental {code}", total_amount),)
    listed = sum((line.amount for line in lines), Decimal(0))
    if total_amount is not None and listed != total_amount:
        lines.append(ZohoOrderLine("Adjustment to the booking total", total_amount - listed))
    return tuple(lines)


class CrmDelivery:
    """Delivers rows to whichever CRMs are configured; rows for the others stay pending."""

    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._settings = settings
        self._sessionmaker = sessionmaker
        self._http = http or httpx.AsyncClient()
        self._owns_http = http is None
        self.zoho = (
            ZohoClient(settings, self._http, default_product_id=settings.zoho_default_product_id)
            if settings.zoho_configured
            else None
        )
        self.kommo: KommoClient | None = None
        if settings.kommo_api_base and settings.kommo_access_token:
            self.kommo = KommoClient(settings, self._http)
        elif settings.kommo_api_base and settings.kommo_oauth_configured:
            tokens = KommoTokenStore(settings, sessionmaker, self._http)
            self.kommo = KommoClient(settings, self._http, tokens=tokens)

    @property
    def targets(self) -> list[str]:
        """The target systems this process can deliver to."""
        configured = ((OutboxTarget.zoho, self.zoho), (OutboxTarget.kommo, self.kommo))
        return [str(target) for target, client in configured if client is not None]

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def deliver(self, job: OutboxJob, writes: WriteBacks) -> None:
        """Make the CRM calls of one row; raises RetryableError or PermanentError."""
        if job.entity_type == OutboxEntityType.client and (
            job.event_type == OutboxEventType.contact_upsert
        ):
            if job.target_system == OutboxTarget.zoho:
                await self._zoho_contact(await self._client(job.entity_id), writes)
                return
            if job.target_system == OutboxTarget.kommo:
                await self._kommo_contact(await self._client(job.entity_id), writes)
                return
        if job.is_sales_order and job.target_system == OutboxTarget.zoho:
            await self._sales_order(job.entity_id, writes)
            return
        raise PermanentError(
            f"nothing delivers {job.event_type} of a {job.entity_type} to {job.target_system}"
        )

    # --- reading current state --------------------------------------------------------------

    async def _client(self, client_id: uuid.UUID) -> Client:
        async with self._sessionmaker() as session:
            client = await session.get(Client, client_id)
        if client is None:
            raise PermanentError(f"client {client_id} no longer exists")
        return client

    async def _contact_sync_waiting(self, client_id: uuid.UUID) -> bool:
        async with self._sessionmaker() as session:
            waiting = await session.scalar(
                select(
                    exists().where(
                        IntegrationsOutbox.entity_type == OutboxEntityType.client,
                        IntegrationsOutbox.entity_id == client_id,
                        IntegrationsOutbox.target_system == OutboxTarget.zoho,
                        IntegrationsOutbox.event_type == OutboxEventType.contact_upsert,
                        IntegrationsOutbox.status.in_(
                            (OutboxStatus.pending, OutboxStatus.processing)
                        ),
                    )
                )
            )
        return bool(waiting)

    # --- contacts ----------------------------------------------------------------------------

    async def _zoho_contact(self, client: Client, writes: WriteBacks) -> str:
        assert self.zoho is not None
        if not client.email and client.zoho_contact_id:
            # Zoho matches contacts on Email: without one, an upsert would create a duplicate.
            raise PermanentError(
                f"client {client.id} has no email, and Zoho matches contacts by email: "
                f"the change cannot reach Zoho contact {client.zoho_contact_id}"
            )
        contact_id = await self.zoho.upsert_contact(
            ZohoContact(
                name=client.name,
                email=client.email,
                phone=client.phone,
                country=client.residency_country,
            )
        )
        writes.client(client.id, "zoho_contact_id", contact_id)
        return contact_id

    async def _kommo_contact(self, client: Client, writes: WriteBacks) -> None:
        assert self.kommo is not None
        contact_id = await self.kommo.upsert_contact(
            KommoContact(
                name=client.name,
                phone=client.phone,
                email=client.email,
                kommo_contact_id=client.kommo_contact_id,
            )
        )
        writes.client(client.id, "kommo_contact_id", contact_id)

    # --- sales orders ------------------------------------------------------------------------

    async def _sales_order(self, booking_id: uuid.UUID, writes: WriteBacks) -> None:
        assert self.zoho is not None
        async with self._sessionmaker() as session:
            booking = await session.get(Booking, booking_id)
            addons = (
                await session.execute(
                    select(BookingAddon.label, BookingAddon.amount, BookingAddon.category)
                    .where(BookingAddon.booking_id == booking_id)
                    .order_by(BookingAddon.created_at, BookingAddon.id)
                )
            ).all()
        if booking is None:
            raise PermanentError(f"booking {booking_id} no longer exists")
        if booking.zoho_sales_order_id:
            # Created by an earlier delivery whose outcome was lost: never create it twice.
            writes.sales_order_id = booking.zoho_sales_order_id
            return
        code = booking.external_code or str(booking.id)
        if booking.client_id is None:
            raise PermanentError(f"booking {code} has no client, and a Zoho sales order needs one")
        client = await self._client(booking.client_id)
        contact_id = client.zoho_contact_id
        if contact_id is None:
            if await self._contact_sync_waiting(client.id):
                # Upserting here too could race it into two Zoho contacts (clients without email).
                raise RetryableError("waiting for the client's Zoho contact to be synced")
            contact_id = await self._zoho_contact(client, writes)
        lines = order_lines(
            code, booking.total_amount, [(row.label, row.amount, row.category) for row in addons]
        )
        writes.sales_order_id = await self.zoho.create_sales_order(
            ZohoSalesOrder(
                subject=f"Booking {code}",
                contact_id=contact_id,
                lines=lines,
                currency=booking.currency if self._settings.zoho_multi_currency else None,
            )
        )
