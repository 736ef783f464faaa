"""Business validation errors shaped like schema validation errors (422 with a pointer)."""

from __future__ import annotations

from datetime import datetime, timedelta

from skyluxse_api.api.problems import Unprocessable


def field_error(pointer: str, detail: str) -> Unprocessable:
    """A 422 whose `errors` point at the offending field, like schema validation's."""
    return Unprocessable(detail, extra={"errors": [{"pointer": pointer, "detail": detail}]})


def check_window(
    start: datetime | None,
    end: datetime | None,
    *,
    end_pointer: str = "/body/end_at",
    longest: timedelta | None = None,
) -> None:
    """A window must end after it starts (and, when given, span at most `longest`)."""
    if start is None or end is None:
        return
    if end <= start:
        raise field_error(end_pointer, "The window must end after it starts.")
    if longest is not None and end - start > longest:
        raise field_error(end_pointer, f"The window may span at most {longest.days} days.")
