"""The hot read paths of bookings: the list and the single booking.

These answer most requests, so they skip the ORM: one statement per query shape
(which filters are present, which sort, which reader) is built and compiled once,
then run with positional arguments on the request's own asyncpg connection, and
the rows go straight into the JSON body. A driver's statement carries their own
id inside the row scope, so it is compiled per request (drivers read a handful
of rows). The JSON matches `BookingRead` / `BookingDriverRead` exactly; the
tests validate every item against those models.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    DateTime,
    Select,
    Text,
    and_,
    any_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import UUID, aggregate_order_by
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from skyluxse_api.api.pagination import decode_cursor, encode_cursor
from skyluxse_api.api.problems import Forbidden
from skyluxse_api.api.routing import matches_id_or_code
from skyluxse_api.auth.principal import Principal
from skyluxse_api.auth.scopes import booking_scope
from skyluxse_api.models import Booking, BookingTag, BookingTagLink, Client, Vehicle

_DIALECT = asyncpg_dialect()
_Statement = TypeVar("_Statement", bound=Select[*tuple[Any, ...]])
_TIMESTAMP = DateTime(timezone=True)
_INFINITY: ColumnElement[Any] = literal_column("'infinity'::timestamptz")
_MINUS_INFINITY: ColumnElement[Any] = literal_column("'-infinity'::timestamptz")
_ZERO: ColumnElement[Any] = literal_column("0")


def tags_of(booking_id: Any) -> ColumnElement[list[str]]:
    """The booking's tag slugs, alphabetical; `{}` when it has none."""
    slugs = (
        select(func.array_agg(aggregate_order_by(BookingTag.slug, BookingTag.slug)))
        .join(BookingTagLink, BookingTagLink.tag_id == BookingTag.id)
        .where(BookingTagLink.booking_id == booking_id)
        .scalar_subquery()
    )
    return func.coalesce(slugs, literal_column("'{}'::text[]"))


def _columns(booking: Any, for_driver: bool) -> list[Any]:
    """The columns of `BookingRead` (or `BookingDriverRead`) over `booking` (table or page)."""
    common = [
        booking.id,
        booking.external_code,
        booking.status,
        booking.booking_type,
        booking.priority,
        booking.client_id,
        Client.name.label("client_name"),
        booking.vehicle_id,
        Vehicle.name.label("vehicle_name"),
        booking.driver_id,
        booking.start_at,
        booking.end_at,
        booking.pickup_location,
        booking.dropoff_location,
        booking.sla_minutes,
        booking.promised_at,
        booking.actual_at,
        booking.pickup_mileage,
        booking.pickup_fuel_level,
        booking.return_mileage,
        booking.return_fuel_level,
        tags_of(booking.id).label("tags"),
        booking.created_at,
        booking.updated_at,
    ]
    if for_driver:
        return common
    outstanding = func.coalesce(booking.total_amount, _ZERO) - booking.paid_amount
    return [
        *common,
        booking.owner_id,
        booking.channel,
        booking.source_payload_id,
        booking.kommo_status_id,
        booking.segment,
        booking.total_amount,
        booking.paid_amount,
        outstanding.label("outstanding_amount"),
        booking.deposit_amount,
        booking.currency,
        booking.sales_rating_value,
        booking.sales_rating_feedback,
        booking.rated_by_role,
        booking.rated_at,
        booking.zoho_sales_order_id,
        booking.zoho_sync_status,
        booking.zoho_sync_error,
    ]


def _booking_rows(booking: Any, for_driver: bool) -> Select[Any]:
    return (
        select(*_columns(booking, for_driver))
        .select_from(booking)
        .outerjoin(Client, Client.id == booking.client_id)
        .outerjoin(Vehicle, Vehicle.id == booking.vehicle_id)
    )


@dataclass(frozen=True)
class Compiled:
    """A statement compiled once: its SQL, the order of its parameters, values bound in it."""

    sql: str
    names: tuple[str, ...]
    bound: Mapping[str, Any]

    @classmethod
    def of(cls, statement: Select[Any]) -> Compiled:
        compiled = statement.compile(dialect=_DIALECT)
        return cls(compiled.string, tuple(compiled.positiontup or ()), dict(compiled.params))

    def arguments(self, values: Mapping[str, Any]) -> list[Any]:
        return [values[name] if name in values else self.bound[name] for name in self.names]


async def fetch(
    session: AsyncSession, compiled: Compiled, values: Mapping[str, Any]
) -> list[asyncpg.Record]:
    """Run on the request's connection (its transaction), errors mapped like the ORM's."""
    # Once the session is connected, the pooled driver connection is at hand without
    # another round through SQLAlchemy's greenlet bridge.
    connected = (await session.connection()).sync_connection
    assert connected is not None
    driver: asyncpg.Connection = connected.connection.driver_connection
    try:
        return await driver.fetch(compiled.sql, *compiled.arguments(values))
    except asyncpg.PostgresError as exc:
        raise DBAPIError(compiled.sql, None, exc) from exc


# --- JSON ------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    # The same text pydantic writes for these types, so every booking response agrees.
    if isinstance(value, datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def to_json(document: Any) -> bytes:
    return json.dumps(
        document, default=_json_value, ensure_ascii=False, separators=(",", ":")
    ).encode()


# --- one booking -------------------------------------------------------------------------


@lru_cache(maxsize=8)
def booking_query(by_code: bool) -> Compiled:
    """One booking as office roles read it, by id or by code; exposed for the benchmark."""
    match = (
        Booking.external_code == bindparam("code", type_=Text)
        if by_code
        else Booking.id == bindparam("id", type_=UUID(as_uuid=True))
    )
    return Compiled.of(_booking_rows(Booking, for_driver=False).where(match))


async def booking_row(
    session: AsyncSession, principal: Principal, booking: str
) -> asyncpg.Record | None:
    """The booking by id or code as its reader may see it, or None."""
    if not principal.is_driver:
        try:
            values: dict[str, Any] = {"id": uuid.UUID(booking)}
        except ValueError:
            values = {"code": booking}
        rows = await fetch(session, booking_query("code" in values), values)
    else:
        statement = _booking_rows(Booking, for_driver=True).where(
            matches_id_or_code(Booking.id, Booking.external_code, booking),
            booking_scope(principal),
        )
        rows = await fetch(session, Compiled.of(statement), {})
    return rows[0] if rows else None


# --- the list ----------------------------------------------------------------------------


def sort_key(booking: Any, name: str, descending: bool) -> Any:
    """Non-null sort expressions: a missing time sorts last either way, no amount as 0."""
    if name == "created_at":
        return booking.created_at
    if name == "total_amount":
        return func.coalesce(booking.total_amount, _ZERO)
    column = booking.start_at if name == "start_at" else booking.promised_at
    return func.coalesce(column, _MINUS_INFINITY if descending else _INFINITY)


def _cursor_value(row: asyncpg.Record, name: str, descending: bool) -> Any:
    value = row[name]
    if value is not None:
        return value
    if name == "total_amount":
        return Decimal(0)
    # asyncpg reads and writes PostgreSQL's infinities as datetime.min / datetime.max.
    return datetime.min if descending else datetime.max


@dataclass(frozen=True)
class BookingFilters:
    statuses: tuple[str, ...] = ()
    booking_type: str | None = None
    priority: str | None = None
    client_id: uuid.UUID | None = None
    vehicle_id: uuid.UUID | None = None
    driver_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    channel: str | None = None
    window_from: datetime | None = None
    window_to: datetime | None = None
    q: str | None = None

    def values(self) -> dict[str, Any]:
        present = {
            name: value
            for name, value in vars(self).items()
            if value is not None and value != () and name != "q"
        }
        if self.q:
            escaped = self.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            present["q"] = f"%{escaped}%"
        if self.statuses:
            present["statuses"] = list(self.statuses)
        return present


_EQUALS: dict[str, Any] = {
    "booking_type": Booking.booking_type,
    "priority": Booking.priority,
    "client_id": Booking.client_id,
    "vehicle_id": Booking.vehicle_id,
    "driver_id": Booking.driver_id,
    "owner_id": Booking.owner_id,
    "channel": Booking.channel,
}


def filtered(statement: _Statement, present: frozenset[str]) -> _Statement:
    """`statement` narrowed by the filters named in `present` (as bind parameters)."""
    conditions: list[ColumnElement[bool]] = []
    if "statuses" in present:
        statuses = bindparam("statuses", type_=ARRAY(Booking.status.type))
        conditions.append(Booking.status == any_(statuses))
    for name, column in _EQUALS.items():
        if name in present:
            conditions.append(column == bindparam(name, type_=column.type))
    # A booking overlaps the window when it starts before the window ends and ends after
    # the window starts (half-open, like availability).
    if "window_to" in present:
        conditions.append(Booking.start_at < bindparam("window_to", type_=_TIMESTAMP))
    if "window_from" in present:
        conditions.append(Booking.end_at > bindparam("window_from", type_=_TIMESTAMP))
    if "q" in present:
        pattern = bindparam("q", type_=Text)
        named = select(Client.id).where(Client.name.ilike(pattern))
        conditions.append(or_(Booking.external_code.ilike(pattern), Booking.client_id.in_(named)))
    return statement.where(and_(*conditions)) if conditions else statement


def _ordered(key: Any, row_id: Any, descending: bool) -> tuple[Any, Any]:
    return (key.desc(), row_id.desc()) if descending else (key.asc(), row_id.asc())


def _list_statement(
    driver: Principal | None, present: frozenset[str], sort: str, after: bool
) -> Select[Any]:
    """One page of bookings: chosen, sorted and cut on `bookings` alone, then joined.

    Joining the names after the LIMIT keeps the join to one page of rows instead of
    every booking that matches the filters.
    """
    name, descending = sort.lstrip("-"), sort.startswith("-")
    key = sort_key(Booking, name, descending)
    page = filtered(select(Booking), present)
    if driver is not None:
        page = page.where(booking_scope(driver))
    if after:
        last = tuple_(bindparam("after_value", type_=key.type), bindparam("after_id", type_=UUID()))
        current = tuple_(key, Booking.id)
        page = page.where(current < last if descending else current > last)
    page = page.order_by(*_ordered(key, Booking.id, descending)).limit(
        bindparam("limit", type_=BigInteger)
    )
    booking = aliased(Booking, page.subquery("page"))
    return _booking_rows(booking, for_driver=driver is not None).order_by(
        *_ordered(sort_key(booking, name, descending), booking.id, descending)
    )


@lru_cache(maxsize=512)
def _office_list(present: frozenset[str], sort: str, after: bool) -> Compiled:
    return Compiled.of(_list_statement(None, present, sort, after))


def list_query(principal: Principal, present: frozenset[str], sort: str, after: bool) -> Compiled:
    """The list statement for this shape; exposed for the benchmark's floor."""
    if principal.is_driver:
        return Compiled.of(_list_statement(principal, present, sort, after))
    return _office_list(present, sort, after)


@dataclass(frozen=True)
class BookingPage:
    items: list[dict[str, Any]]
    next_cursor: str | None
    total: int | None


async def list_bookings(
    session: AsyncSession,
    principal: Principal,
    filters: BookingFilters,
    sort: str,
    limit: int,
    cursor: str | None,
    include_total: bool,
) -> BookingPage:
    if principal.is_driver and sort.lstrip("-") == "total_amount":
        # The order alone would tell a driver which bookings are worth more.
        raise Forbidden("Drivers see bookings without money, so they cannot sort by it.")
    values = filters.values()
    present = frozenset(values)
    if cursor:
        values["after_value"], values["after_id"] = decode_cursor(cursor, sort)
    values["limit"] = limit + 1
    rows = await fetch(session, list_query(principal, present, sort, cursor is not None), values)
    total = await _count(session, principal, present, values) if include_total else None
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        name, descending = sort.lstrip("-"), sort.startswith("-")
        last = rows[-1]
        next_cursor = encode_cursor(sort, _cursor_value(last, name, descending), last["id"])
    return BookingPage(items=[dict(row) for row in rows], next_cursor=next_cursor, total=total)


async def _count(
    session: AsyncSession, principal: Principal, present: frozenset[str], values: dict[str, Any]
) -> int:
    statement = filtered(select(func.count()).select_from(Booking), present).where(
        booking_scope(principal)
    )
    rows = await fetch(session, Compiled.of(statement), values)
    return int(rows[0][0])


def page_json(page: BookingPage) -> bytes:
    return to_json({"items": page.items, "next_cursor": page.next_cursor, "total": page.total})
