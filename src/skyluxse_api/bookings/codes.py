"""Natural codes: `BK-<n>` for bookings, `INV-<n>-<k>` and `EXT-<n>-<k>` under a booking.

Booking numbers come from the codes already stored (there is no sequence in the
schema). Generators take a transaction-scoped advisory lock, so two requests
never pick the same number; the lock is held until commit, which serializes only
the short insert of bookings without a code. Scanning 100k codes for the highest
number costs milliseconds, so each process remembers the last number it issued
and scans again only when that guess is already taken (another process, or an
import with explicit codes, got there first).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from sqlalchemy import BigInteger, cast, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from skyluxse_api.models import Booking

BOOKING_PREFIX = "BK-"
FIRST_NUMBER = 1001
_NUMBERED = "^BK-[0-9]{1,18}$"
_last_issued: dict[str, int] = {}


def _database_key(session: AsyncSession) -> str:
    return str(session.sync_session.get_bind().engine.url)


async def _highest_number(session: AsyncSession) -> int:
    highest = await session.scalar(
        select(func.max(cast(func.substr(Booking.external_code, 4), BigInteger))).where(
            Booking.external_code.regexp_match(_NUMBERED)
        )
    )
    return int(highest) if highest is not None else FIRST_NUMBER - 1


async def _taken(session: AsyncSession, code: str) -> bool:
    return bool(await session.scalar(select(exists().where(Booking.external_code == code))))


async def next_booking_code(session: AsyncSession) -> str:
    """The next free `BK-<n>`; the caller must insert it in this transaction."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext("bookings.code"))))
    key = _database_key(session)
    number = _last_issued.get(key, 0) + 1
    if key not in _last_issued or await _taken(session, f"{BOOKING_PREFIX}{number}"):
        number = await _highest_number(session) + 1
    while await _taken(session, f"{BOOKING_PREFIX}{number}"):
        number += 1
    _last_issued[key] = number
    return f"{BOOKING_PREFIX}{number}"


def booking_reference(code: str | None, booking_id: uuid.UUID) -> str:
    """The part of child codes naming the booking: `1052` for `BK-1052`."""
    if code is None:
        return booking_id.hex[:8]
    return code.removeprefix(BOOKING_PREFIX)


def next_child_code(prefix: str, reference: str, existing: Iterable[str | None]) -> str:
    """`<prefix>-<reference>-<k>` with k one above the highest already used."""
    pattern = re.compile(rf"^{re.escape(prefix)}-{re.escape(reference)}-(\d+)$")
    used = [int(match[1]) for code in existing if code and (match := pattern.match(code))]
    return f"{prefix}-{reference}-{max(used, default=0) + 1}"
