"""The time "now" for booking rules, as a dependency so tests can set the clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends


def current_time() -> datetime:
    """Override with `app.dependency_overrides[current_time]` to freeze the clock."""
    return datetime.now(UTC)


Now = Annotated[datetime, Depends(current_time)]
