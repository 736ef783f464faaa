"""The floor of the bookings benchmark: the API's SQL on a bare ASGI app over raw asyncpg.

No framework, no auth, no ORM, no transaction per request: each route runs the very
statement the API runs (compiled by the same code, see bookings/queries.py) on a
pooled connection and writes the rows as JSON with the API's encoder. Served by
uvicorn with the API's settings, it is the most any Python server could do here.

    FLOOR_DATABASE_URL=postgresql://... uvicorn bench.floor:app
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs

import asyncpg
from sqlalchemy import select
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import make_url
from starlette.types import Receive, Scope, Send

from skyluxse_api.auth.principal import Principal
from skyluxse_api.bookings.queries import (
    BookingFilters,
    Compiled,
    booking_query,
    list_query,
    to_json,
)
from skyluxse_api.fleet.availability import vehicle_is_free
from skyluxse_api.models import Vehicle
from skyluxse_api.models.enums import RoleType, VehicleStatus

OFFICE = Principal(staff_id=None, role=RoleType.operations)
LIST_SORT = "-start_at"
CREATE_SQL = """
INSERT INTO bookings (external_code, client_id, vehicle_id, start_at, end_at, segment,
                      total_amount)
SELECT 'FLOOR-' || gen_random_uuid(), c.id, $2, $3, $4, c.segment, 0
FROM clients c WHERE c.id = $1
RETURNING *
"""


@lru_cache(maxsize=16)
def _availability(start: datetime, end: datetime, buffer: timedelta) -> Compiled:
    """The fleet route's statement: rentable cars free for the window, by name.

    Its IN lists are expanded at compile time, so it is compiled per window (the
    benchmark asks for one window).
    """
    statement = (
        select(*Vehicle.__table__.columns)
        .where(
            Vehicle.status.not_in((VehicleStatus.sold, VehicleStatus.service_car)),
            vehicle_is_free(start, end, buffer),
        )
        .order_by(Vehicle.name, Vehicle.id)
        .limit(51)
    )
    compiled = statement.compile(
        dialect=asyncpg_dialect(), compile_kwargs={"render_postcompile": True}
    )
    return Compiled(compiled.string, tuple(compiled.positiontup or ()), dict(compiled.params))


_pool: asyncpg.Pool | None = None


def _dsn() -> str:
    url = make_url(os.environ["FLOOR_DATABASE_URL"]).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


async def _init(connection: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await connection.set_type_codec(
            name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def _lifespan(receive: Receive, send: Send) -> None:
    global _pool
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            _pool = await asyncpg.create_pool(
                _dsn(), min_size=16, max_size=16, init=_init,
                server_settings={"timezone": "UTC"},
            )  # fmt: skip
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if _pool is not None:
                await _pool.close()
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _body(receive: Receive) -> Any:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return json.loads(b"".join(chunks))


async def _fetch(compiled: Compiled, values: dict[str, Any]) -> list[asyncpg.Record]:
    assert _pool is not None
    return await _pool.fetch(compiled.sql, *compiled.arguments(values))


async def _answer(scope: Scope, receive: Receive) -> tuple[int, bytes]:
    method, path = scope["method"], scope["path"]
    query = parse_qs(scope["query_string"].decode())
    if method == "GET" and path == "/bookings":
        filters = BookingFilters(
            statuses=tuple(sorted(set(query.get("status", [])))),
            window_from=datetime.fromisoformat(query["from"][0]),
            window_to=datetime.fromisoformat(query["to"][0]),
        )
        values = filters.values()
        values["limit"] = int(query["limit"][0]) + 1
        rows = await _fetch(
            list_query(OFFICE, frozenset(filters.values()), LIST_SORT, False), values
        )
        return 200, to_json({"items": [dict(row) for row in rows]})
    if method == "GET" and path.startswith("/bookings/"):
        rows = await _fetch(booking_query(False), {"id": uuid.UUID(path.rsplit("/", 1)[1])})
        return (200, to_json(dict(rows[0]))) if rows else (404, b"{}")
    if method == "POST" and path == "/bookings":
        body = await _body(receive)
        assert _pool is not None
        row = await _pool.fetchrow(
            CREATE_SQL,
            uuid.UUID(body["client_id"]),
            uuid.UUID(body["vehicle_id"]),
            datetime.fromisoformat(body["start_at"]),
            datetime.fromisoformat(body["end_at"]),
        )
        return 201, to_json(dict(row) if row else {})
    if method == "GET" and path == "/availability":
        window = _availability(
            datetime.fromisoformat(query["start"][0]),
            datetime.fromisoformat(query["end"][0]),
            timedelta(minutes=int(query["buffer_minutes"][0])),
        )
        rows = await _fetch(window, {})
        return 200, to_json({"items": [dict(row) for row in rows]})
    return 404, b"{}"


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    status, body = await _answer(scope, receive)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})
