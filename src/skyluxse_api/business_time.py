"""The business runs on Dubai time: due dates, expiry and message times use it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Date, cast, func

BUSINESS_TIMEZONE = "Asia/Dubai"


def business_today() -> ColumnElement[date]:
    """Today's date in Dubai, computed by the database (one clock for every process)."""
    return cast(func.timezone(BUSINESS_TIMEZONE, func.now()), Date)
