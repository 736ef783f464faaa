"""Request and response shapes of knowledge base articles."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, Field

from skyluxse_api.api.schemas import NonEmptyText, ReadModel, Text, Timestamped, WriteModel

# PostgreSQL refuses a tsvector over 1 MB; an article this long is a manual, not a card.
ArticleBody = Annotated[Text, Field(max_length=100_000)]


class ArticleRead(Timestamped):
    id: uuid.UUID
    category: str | None = Field(examples=["Deliveries"])
    title: str = Field(examples=["Handing over a car at the airport"])
    body: str | None = Field(examples=["Meet the client at Terminal 3 arrivals, gate B..."])
    owner_id: uuid.UUID | None = Field(description="The staff member who keeps it current.")


class ArticleCreate(WriteModel):
    category: NonEmptyText | None = None
    title: NonEmptyText
    body: ArticleBody | None = None
    owner_id: uuid.UUID | None = Field(default=None, description="Defaults to the author.")


class ArticleUpdate(WriteModel):
    category: NonEmptyText | None = None
    title: NonEmptyText | None = None
    body: ArticleBody | None = None
    owner_id: uuid.UUID | None = None


class CategoryCount(ReadModel):
    category: str = Field(examples=["Deliveries"])
    articles: int = Field(examples=[12])


class CategoryList(BaseModel):
    items: list[CategoryCount] = Field(description="Categories in use, by name.")
