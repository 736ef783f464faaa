"""Optimistic concurrency: an ETag per resource version, `If-Match` on PATCH/DELETE.

The version is the row's `updated_at` (kept by the database trigger), so the tag
is the same whichever role reads the row, and any committed change moves it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Header, Response

from skyluxse_api.api.problems import PreconditionFailed


def make_etag(row_id: uuid.UUID | str, updated_at: datetime) -> str:
    return f'"{row_id}.{int(updated_at.timestamp() * 1_000_000):x}"'


def set_etag(response: Response, row_id: uuid.UUID | str, updated_at: datetime) -> None:
    response.headers["ETag"] = make_etag(row_id, updated_at)


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="ETag of the version you edited; a stale one answers 412.",
    ),
]


def check_if_match(if_match: str | None, row_id: uuid.UUID | str, updated_at: datetime) -> None:
    """412 when the caller edited an older version than the stored one."""
    if if_match is None:
        return
    current = make_etag(row_id, updated_at)
    offered = {tag.strip() for tag in if_match.split(",")}
    if "*" in offered or current in offered:
        return
    raise PreconditionFailed(
        "Someone else changed this record since you loaded it; reload and retry.",
        extra={"current_etag": current},
    )
