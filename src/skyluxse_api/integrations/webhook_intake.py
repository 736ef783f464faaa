"""Kommo webhook intake: store every delivery raw, then import its contacts and leads.

The raw body is committed in its own transaction before anything else, so a delivery that
cannot be processed is still there to inspect. Processing runs in a second transaction
that is serialized across processes (one advisory lock): deliveries apply in arrival
order, a replay of an already processed body is recognised, and two deliveries about one
lead cannot race into two bookings.

- contacts -> clients, matched on `kommo_contact_id` (then on email, linking the client);
  a changed name, phone or email is queued for Zoho only: sending it back to Kommo would
  echo it as another webhook.
- leads -> bookings, matched on `source_payload_id` (the lead id); the raw stage id is kept
  in `kommo_status_id` and mapped to a booking status by `KOMMO_STATUS_MAP`; price ->
  total_amount; the car and the window come from the custom fields `KOMMO_LEAD_FIELD_MAP`
  names. An import never refuses an overlap: it is stored and a `booking_conflicts` row
  records it. A booking that leaves `new` here gets its Zoho sales order queued.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from skyluxse_api.fleet.availability import booking_overlaps
from skyluxse_api.integrations.kommo_webhook import (
    KommoContactEvent,
    KommoLeadEvent,
    MalformedWebhook,
    events_from_payload,
    parse_kommo_form,
)
from skyluxse_api.integrations.outbox import enqueue_contact_upsert, enqueue_sales_order
from skyluxse_api.models import Booking, BookingConflict, Client, KommoWebhookDelivery, Vehicle
from skyluxse_api.models.enums import BookingStatus, OutboxTarget
from skyluxse_api.settings import Settings

logger = logging.getLogger(__name__)

# Advisory lock serializing webhook processing ("kommo-wh" in ASCII).
INTAKE_LOCK_KEY = 0x6B6F6D6D6F2D7768
# Lead and contact events that describe the entity; deletions and reassignments change nothing.
IMPORTED_ACTIONS = frozenset({"add", "update", "status", "restore"})
_MAX_AMOUNT = Decimal("9999999999.99")  # numeric(12, 2)
_MAX_BIGINT = 2**63 - 1
_MAX_ERROR_CHARS = 2_000


@dataclass(frozen=True)
class IntakeResult:
    delivery_id: uuid.UUID
    status: str  # processed | duplicate | rejected | failed
    reason: str | None = None


def _storable(body: bytes) -> str:
    # PostgreSQL text holds neither invalid UTF-8 nor NUL: keep them visible as escapes.
    return body.decode("utf-8", "backslashreplace").replace("\x00", "\\x00")


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = value.replace("\x00", "").strip()
    return cleaned or None


async def receive_kommo_webhook(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    body: bytes,
    content_type: str | None,
) -> IntakeResult:
    """Store the delivery, then process it; the result says what became of it."""
    digest = hashlib.sha256(body).hexdigest()
    async with sessionmaker() as session, session.begin():
        delivery = KommoWebhookDelivery(
            body=_storable(body), body_sha256=digest, content_type=_clean(content_type)
        )
        session.add(delivery)
        await session.flush()
        delivery_id = delivery.id
    try:
        async with sessionmaker() as session, session.begin():
            result = await _process(session, settings, delivery_id, body, digest)
    except Exception as exc:
        logger.exception("Kommo webhook delivery %s could not be imported", delivery_id)
        result = IntakeResult(delivery_id, "failed", f"{exc!r}"[:_MAX_ERROR_CHARS])
        async with sessionmaker() as session, session.begin():
            await _finish(session, delivery_id, result)
    return result


async def _finish(
    session: AsyncSession, delivery_id: uuid.UUID, result: IntakeResult, **values: Any
) -> None:
    await session.execute(
        update(KommoWebhookDelivery)
        .where(KommoWebhookDelivery.id == delivery_id)
        .values(status=result.status, error=result.reason, processed_at=func.now(), **values)
    )


async def _process(
    session: AsyncSession, settings: Settings, delivery_id: uuid.UUID, body: bytes, digest: str
) -> IntakeResult:
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": INTAKE_LOCK_KEY})
    replayed = await session.scalar(
        select(KommoWebhookDelivery.id)
        .where(
            KommoWebhookDelivery.body_sha256 == digest,
            KommoWebhookDelivery.status == "processed",
            KommoWebhookDelivery.id != delivery_id,
        )
        .limit(1)
    )
    if replayed is not None:
        result = IntakeResult(delivery_id, "duplicate", f"same body as delivery {replayed}")
        await _finish(session, delivery_id, result)
        return result
    try:
        leads, contacts, subdomain = events_from_payload(parse_kommo_form(body))
    except MalformedWebhook as exc:
        result = IntakeResult(delivery_id, "rejected", exc.reason[:_MAX_ERROR_CHARS])
        await _finish(session, delivery_id, result)
        return result
    importer = _Importer(session, settings)
    for contact in contacts:
        await importer.contact(contact)
    for lead in leads:
        await importer.lead(lead)
    result = IntakeResult(delivery_id, "processed")
    await _finish(session, delivery_id, result, account_subdomain=_clean(subdomain))
    return result


def _amount(value: Decimal | None) -> Decimal | None:
    if value is None or value < 0 or value > _MAX_AMOUNT:
        return None
    return value.quantize(Decimal("0.01"))


def _timestamp(value: str) -> datetime | None:
    """Kommo date fields: unix seconds, or ISO 8601 (UTC when it names no offset)."""
    try:
        if value.isascii() and value.isdigit():
            return datetime.fromtimestamp(int(value), UTC)
        parsed = datetime.fromisoformat(value)
    except (ValueError, OverflowError, OSError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _differs(column: str, value: str | None, current: str | None) -> bool:
    """A field the event sends with another value (emails are case-insensitive, as citext)."""
    if value is None:
        return False
    if column == "email":
        return value.casefold() != (current or "").casefold()
    return value != current


def _first_value(field: dict[str, Any]) -> str | None:
    values = field.get("values")
    entry = values[0] if isinstance(values, list) and values else None
    value = entry.get("value") if isinstance(entry, dict) else entry
    return _clean(value) if isinstance(value, str) else None


class _Importer:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    # --- contacts -> clients -------------------------------------------------------------

    async def contact(self, event: KommoContactEvent) -> None:
        if event.action not in IMPORTED_ACTIONS:
            return
        kommo_id = str(event.id)
        name = _clean(event.name)
        phone = _clean(event.phones[0]) if event.phones else None
        email = _clean(event.emails[0]) if event.emails else None
        client = await self.session.scalar(
            select(Client).where(Client.kommo_contact_id == kommo_id).limit(1).with_for_update()
        )
        if client is None and email:
            # A client created here, whose Kommo id has not been written back yet.
            client = await self.session.scalar(
                select(Client)
                .where(Client.email == email, Client.kommo_contact_id.is_(None))
                .order_by(Client.created_at)
                .limit(1)
                .with_for_update()
            )
        if client is None:
            client = Client(
                name=name or f"Kommo contact {event.id}",
                phone=phone,
                email=email,
                kommo_contact_id=kommo_id,
            )
            self.session.add(client)
            await self.session.flush()
            changed = True
        else:
            client.kommo_contact_id = kommo_id
            changes = {
                column: value
                for column, value, current in (
                    ("name", name, client.name),
                    ("phone", phone, client.phone),
                    ("email", email, client.email),
                )
                if _differs(column, value, current)
            }
            for column, value in changes.items():
                setattr(client, column, value)
            await self.session.flush()
            changed = bool(changes)
        if changed:
            await enqueue_contact_upsert(self.session, client.id, targets=(OutboxTarget.zoho,))

    # --- leads -> bookings ---------------------------------------------------------------

    async def lead(self, event: KommoLeadEvent) -> None:
        if event.action not in IMPORTED_ACTIONS:
            return
        booking = await self.session.scalar(
            select(Booking).where(Booking.source_payload_id == str(event.id)).with_for_update()
        )
        created = booking is None
        client = await self._client_of(event)
        if booking is None:
            booking = Booking(
                source_payload_id=str(event.id),
                channel="Kommo",
                client_id=client.id if client else None,
                segment=client.segment if client else None,
            )
            self.session.add(booking)
        was_new = created or booking.status == BookingStatus.new
        if booking.client_id is None and client is not None:
            booking.client_id = client.id
        if event.status_id is not None and event.status_id <= _MAX_BIGINT:
            booking.kommo_status_id = event.status_id
        status = self._mapped_status(event.status_id)
        if status is not None:
            booking.status = status
        elif created:
            booking.status = BookingStatus.new
        if (price := _amount(event.price)) is not None:
            booking.total_amount = price
        await self._apply_lead_fields(booking, event)
        await self.session.flush()
        if was_new and booking.status != BookingStatus.new and not booking.zoho_sales_order_id:
            await enqueue_sales_order(self.session, booking.id)
        await self._record_conflicts(booking, event)

    async def _client_of(self, event: KommoLeadEvent) -> Client | None:
        if not event.contact_ids:
            return None
        return await self.session.scalar(
            select(Client).where(Client.kommo_contact_id == str(event.contact_ids[0])).limit(1)
        )

    def _mapped_status(self, status_id: int | None) -> BookingStatus | None:
        if status_id is None:
            return None
        mapped = self.settings.kommo_status_map.get(str(status_id))
        if mapped is None:
            return None
        try:
            return BookingStatus(mapped)
        except ValueError:
            logger.warning("KOMMO_STATUS_MAP maps stage %s to unknown status %r", status_id, mapped)
            return None

    async def _apply_lead_fields(self, booking: Booking, event: KommoLeadEvent) -> None:
        mapping = self.settings.kommo_lead_field_map
        window = {"start_at": booking.start_at, "end_at": booking.end_at}
        for field in event.custom_fields:
            if not isinstance(field, dict) or (target := mapping.get(str(field.get("id")))) is None:
                continue
            value = _first_value(field)
            if value is None:
                continue
            if target == "vehicle":
                vehicle_id = await self.session.scalar(
                    select(Vehicle.id).where(Vehicle.kommo_vehicle_id == value)
                )
                if vehicle_id is not None:
                    booking.vehicle_id = vehicle_id
            elif (moment := _timestamp(value)) is not None:
                window[target] = moment
        start, end = window["start_at"], window["end_at"]
        if start is not None and end is not None and end < start:
            logger.warning("Kommo lead %s ends before it starts; window not imported", event.id)
            return
        booking.start_at, booking.end_at = start, end

    async def _record_conflicts(self, booking: Booking, event: KommoLeadEvent) -> None:
        """Record overlaps with other bookings holding the same car (the one rule of
        fleet/availability.py), instead of refusing the import."""
        if (
            booking.status == BookingStatus.new
            or booking.vehicle_id is None
            or booking.start_at is None
            or booking.end_at is None
        ):
            return
        buffer = timedelta(minutes=self.settings.turnaround_buffer_minutes)
        overlapping = (
            await self.session.execute(
                select(Booking.id, Booking.external_code).where(
                    booking_overlaps(booking.vehicle_id, booking.start_at, booking.end_at, buffer),
                    Booking.id != booking.id,
                )
            )
        ).all()
        for other_id, other_code in overlapping:
            await self.session.execute(
                insert(BookingConflict)
                .values(
                    booking_id=booking.id,
                    conflicting_booking_id=other_id,
                    source="kommo_import",
                    note=f"Kommo lead {event.id} overlaps booking {other_code or other_id}",
                )
                .on_conflict_do_nothing(constraint="uq_booking_conflicts_pair")
            )
