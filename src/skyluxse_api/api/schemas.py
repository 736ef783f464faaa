"""Building blocks of request and response schemas shared by every domain."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, model_validator

T = TypeVar("T")


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it here instead of failing in the driver.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _walk_strings(value: Any) -> None:
    if isinstance(value, str):
        _no_nul(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk_strings(key)
            _walk_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _walk_strings(item)


Text = Annotated[str, AfterValidator(_no_nul)]
ShortText = Annotated[str, Field(max_length=500), AfterValidator(_no_nul)]
NonEmptyText = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_no_nul)]
SearchText = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_no_nul)]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["AED"])]

# Column-sized integers: larger values are a 422, never a driver overflow (500).
SmallInt = Annotated[int, Field(ge=-32768, le=32767)]
Int32 = Annotated[int, Field(ge=-2147483648, le=2147483647)]
NonNegativeInt32 = Annotated[int, Field(ge=0, le=2147483647)]

# numeric(12,2): a decimal string in JSON, never a float.
Money = Annotated[
    Decimal,
    Field(max_digits=12, decimal_places=2, examples=["1250.00"]),
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str, when_used="json"),
]
NonNegativeMoney = Annotated[Money, Field(ge=0)]


class WriteModel(BaseModel):
    """Request bodies: unknown fields (including computed columns) are a 422."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _refuse_nul(cls, data: Any) -> Any:
        _walk_strings(data)
        return data


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Opaque cursor of the next page; absent on the last page."
    )
    total: int | None = Field(default=None, description="Only when `include_total=true`.")


class Timestamped(ReadModel):
    created_at: datetime
    updated_at: datetime
