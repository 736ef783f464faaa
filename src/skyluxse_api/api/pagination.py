"""Keyset pagination: `limit`, an opaque `cursor`, a per-resource `sort`, optional `total`.

The cursor carries the sort key and the last row's (sort value, id), so a page is
`WHERE (sort, id) > (last sort, last id)`: rows inserted meanwhile never shift
later pages, and no row is skipped or repeated when the sort column is immutable.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from skyluxse_api.api.problems import Unprocessable
from skyluxse_api.api.schemas import Page

MAX_LIMIT = 200
ModelT = TypeVar("ModelT", bound=BaseModel)


class CreatedSort(enum.StrEnum):
    """The sort of resources that are only ever listed by age."""

    created_at = "created_at"
    created_at_desc = "-created_at"


@dataclass(frozen=True)
class ListParams:
    limit: int
    cursor: str | None
    include_total: bool


def _list_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (max 200).")] = 50,
    cursor: Annotated[
        str | None, Query(max_length=1000, description="`next_cursor` of the previous page.")
    ] = None,
    include_total: Annotated[
        bool, Query(description="Also count every matching row (slower).")
    ] = False,
) -> ListParams:
    return ListParams(limit=limit, cursor=cursor, include_total=include_total)


Listing = Annotated[ListParams, Depends(_list_params)]


def _encode_value(value: Any) -> list[Any]:
    if isinstance(value, datetime):
        return ["dt", value.isoformat()]
    if isinstance(value, date):
        return ["d", value.isoformat()]
    if isinstance(value, Decimal):
        return ["n", str(value)]
    if isinstance(value, uuid.UUID):
        return ["u", str(value)]
    return ["v", value]


def _decode_value(tagged: list[Any]) -> Any:
    kind, raw = tagged
    decoders: dict[str, Callable[[Any], Any]] = {
        "dt": datetime.fromisoformat,
        "d": date.fromisoformat,
        "n": Decimal,
        "u": uuid.UUID,
        "v": lambda value: value,
    }
    return decoders[kind](raw)


def encode_cursor(sort: str, value: Any, row_id: uuid.UUID) -> str:
    raw = json.dumps([sort, _encode_value(value), str(row_id)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        cursor_sort, tagged, row_id = json.loads(base64.urlsafe_b64decode(padded))
        value = _decode_value(tagged)
        parsed_id = uuid.UUID(row_id)
    except (ValueError, TypeError, KeyError, binascii.Error, json.JSONDecodeError) as exc:
        raise Unprocessable("The cursor is not one this API issued.") from exc
    if cursor_sort != sort:
        raise Unprocessable("The cursor belongs to another sort order; start again without it.")
    return value, parsed_id


@dataclass(frozen=True)
class PageResult:
    items: list[Any]
    next_cursor: str | None
    total: int | None

    def to_page(self, schema: type[ModelT]) -> Page[ModelT]:
        """The response body: each item read into `schema`."""
        return Page(
            items=[schema.model_validate(item) for item in self.items],
            next_cursor=self.next_cursor,
            total=self.total,
        )


async def paginate(
    session: AsyncSession,
    statement: Select[*tuple[Any, ...]],
    *,
    sort: str,
    sort_columns: Mapping[str, Any],
    id_column: Any,
    params: ListParams,
) -> PageResult:
    """Run `statement` one page at a time.

    `sort` is `name` or `-name` for a key of `sort_columns` (non-null expressions).
    Items are the statement's single selected entity/column, or its rows.
    """
    descending = sort.startswith("-")
    column = sort_columns[sort.lstrip("-")]
    total = None
    if params.include_total:
        total = (
            await session.execute(
                select(func.count()).select_from(statement.order_by(None).subquery())
            )
        ).scalar_one()
    paged = statement.add_columns(column.label("_page_sort"), id_column.label("_page_id"))
    if params.cursor:
        last_value, last_id = decode_cursor(params.cursor, sort)
        key, last = tuple_(column, id_column), tuple_(last_value, last_id)
        paged = paged.where(key < last if descending else key > last)
    order = (column.desc(), id_column.desc()) if descending else (column.asc(), id_column.asc())
    rows: Sequence[Any] = (
        await session.execute(paged.order_by(*order).limit(params.limit + 1))
    ).all()
    has_more = len(rows) > params.limit
    rows = rows[: params.limit]
    width = len(statement.column_descriptions)
    items = [row[0] if width == 1 else row[:width] for row in rows]
    next_cursor = (
        encode_cursor(sort, rows[-1]._page_sort, rows[-1]._page_id) if has_more and rows else None
    )
    return PageResult(items=items, next_cursor=next_cursor, total=total)
