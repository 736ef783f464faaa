"""HTTP routes of the knowledge base: articles and their categories."""

from __future__ import annotations

import enum
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from skyluxse_api.api.etag import IfMatch, set_etag
from skyluxse_api.api.pagination import Listing
from skyluxse_api.api.routing import API_PREFIX, errors
from skyluxse_api.api.schemas import NonEmptyText, Page, SearchText
from skyluxse_api.auth.dependencies import require
from skyluxse_api.auth.permissions import Permission as P
from skyluxse_api.auth.principal import Principal
from skyluxse_api.db.engine import DbSession
from skyluxse_api.knowledge import schemas, service

router = APIRouter(prefix=f"{API_PREFIX}/knowledge-base")


class ArticleSort(enum.StrEnum):
    # Not `title`: that would shadow str.title on a StrEnum.
    title_asc = "title"
    title_desc = "-title"
    updated_at = "updated_at"
    updated_at_desc = "-updated_at"
    created_at = "created_at"
    created_at_desc = "-created_at"


@router.get(
    "/articles",
    tags=["knowledge-base"],
    summary="List or search knowledge base articles",
    description=(
        "`q` is a full-text search over title and body (web-search syntax: words, "
        '`"a phrase"`, `or`, `-word`). Without `sort`, matches come best first, title '
        "matches above body matches, as one page of at most `limit` (no `next_cursor`); "
        "with `sort` they are paged like any list. Without `q` the default sort is `title`."
    ),
    responses=errors(),
)
async def knowledge_articles_list(
    session: DbSession,
    listing: Listing,
    sort: ArticleSort | None = None,
    category: Annotated[NonEmptyText | None, Query(description="Exact category")] = None,
    q: Annotated[SearchText | None, Query(description="Full-text search")] = None,
    principal: Principal = require(P.KNOWLEDGE_READ),
) -> Page[schemas.ArticleRead]:
    page = await service.list_articles(session, listing, sort, category, q)
    return page.to_page(schemas.ArticleRead)


@router.post(
    "/articles",
    tags=["knowledge-base"],
    status_code=status.HTTP_201_CREATED,
    summary="Write a knowledge base article",
    responses=errors(),
)
async def knowledge_articles_create(
    body: schemas.ArticleCreate,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.KNOWLEDGE_WRITE),
) -> schemas.ArticleRead:
    article = await service.create_article(session, principal, body)
    set_etag(response, article.id, article.updated_at)
    response.headers["Location"] = f"{router.prefix}/articles/{article.id}"
    return schemas.ArticleRead.model_validate(article)


@router.get(
    "/articles/{article_id}",
    tags=["knowledge-base"],
    summary="One knowledge base article",
    responses=errors(404),
)
async def knowledge_articles_get(
    article_id: uuid.UUID,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.KNOWLEDGE_READ),
) -> schemas.ArticleRead:
    article = await service.get_article(session, article_id)
    set_etag(response, article.id, article.updated_at)
    return schemas.ArticleRead.model_validate(article)


@router.patch(
    "/articles/{article_id}",
    tags=["knowledge-base"],
    summary="Change a knowledge base article",
    responses=errors(404, 412),
)
async def knowledge_articles_update(
    article_id: uuid.UUID,
    body: schemas.ArticleUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
    principal: Principal = require(P.KNOWLEDGE_WRITE),
) -> schemas.ArticleRead:
    article = await service.update_article(session, article_id, body, if_match)
    set_etag(response, article.id, article.updated_at)
    return schemas.ArticleRead.model_validate(article)


@router.delete(
    "/articles/{article_id}",
    tags=["knowledge-base"],
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a knowledge base article",
    responses=errors(404, 412),
)
async def knowledge_articles_delete(
    article_id: uuid.UUID,
    session: DbSession,
    if_match: IfMatch = None,
    principal: Principal = require(P.KNOWLEDGE_WRITE),
) -> Response:
    await service.delete_article(session, article_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/categories",
    tags=["knowledge-base"],
    summary="Categories in use, with how many articles each has",
    responses=errors(),
)
async def knowledge_categories_list(
    session: DbSession, principal: Principal = require(P.KNOWLEDGE_READ)
) -> schemas.CategoryList:
    return await service.list_categories(session)
