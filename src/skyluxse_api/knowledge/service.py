"""The knowledge base: articles every role reads, searched with PostgreSQL full-text search."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, cast, func, select
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.ext.asyncio import AsyncSession

from skyluxse_api.api.crud import apply_changes, lock_for_change, one_or_404, refresh_after_write
from skyluxse_api.api.pagination import ListParams, PageResult, paginate
from skyluxse_api.api.problems import Unprocessable
from skyluxse_api.auth.principal import Principal
from skyluxse_api.knowledge import schemas
from skyluxse_api.models import KnowledgeBaseArticle, StaffAccount

Article = KnowledgeBaseArticle

ARTICLE_SORTS = {
    "title": Article.title,
    "created_at": Article.created_at,
    "updated_at": Article.updated_at,
}


async def list_articles(
    session: AsyncSession,
    params: ListParams,
    sort: str | None,
    category: str | None,
    q: str | None,
) -> PageResult:
    """Articles by `sort` (keyset pages), or, for a `q` search without a sort, by relevance.

    Relevance is no stable key to page on (it depends on the query), so a ranked search
    answers the best `limit` matches in one page without a cursor.
    """
    statement = select(Article)
    if category is not None:
        statement = statement.where(Article.category == category)
    if not q:
        return await _paginate(session, statement, sort or "title", params)
    # websearch syntax: words, "quoted phrases", `or`, -excluded; 'simple' = no stemming, so a
    # search behaves the same in English, Russian and Arabic.
    query = func.websearch_to_tsquery(cast("simple", REGCONFIG), q)
    statement = statement.where(Article.search_vector.bool_op("@@")(query))
    if sort is not None:
        return await _paginate(session, statement, sort, params)
    if params.cursor:
        raise Unprocessable(
            "Search results ordered by relevance come in one page; send `sort` to page them."
        )
    total = None
    if params.include_total:
        total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    rank = func.ts_rank(Article.search_vector, query)
    ranked = statement.order_by(rank.desc(), Article.updated_at.desc(), Article.id)
    items = (await session.scalars(ranked.limit(params.limit))).all()
    return PageResult(items=list(items), next_cursor=None, total=total)


async def _paginate(
    session: AsyncSession, statement: Select[Article], sort: str, params: ListParams
) -> PageResult:
    return await paginate(
        session,
        statement,
        sort=sort,
        sort_columns=ARTICLE_SORTS,
        id_column=Article.id,
        params=params,
    )


async def list_categories(session: AsyncSession) -> schemas.CategoryList:
    rows = await session.execute(
        select(Article.category, func.count())
        .where(Article.category.is_not(None))
        .group_by(Article.category)
        .order_by(Article.category)
    )
    return schemas.CategoryList(
        items=[schemas.CategoryCount(category=name, articles=count) for name, count in rows]
    )


async def _check_owner(session: AsyncSession, owner_id: uuid.UUID | None) -> None:
    if owner_id is not None and await session.get(StaffAccount, owner_id) is None:
        raise Unprocessable(
            "owner_id must name an existing staff account.", extra={"field": "owner_id"}
        )


def _article(article_id: uuid.UUID) -> Select[Article]:
    return select(Article).where(Article.id == article_id)


async def get_article(session: AsyncSession, article_id: uuid.UUID) -> Article:
    return await one_or_404(session, _article(article_id), "knowledge base article")


async def create_article(
    session: AsyncSession, principal: Principal, data: schemas.ArticleCreate
) -> Article:
    """A new article; its owner is the author unless another staff member is named."""
    owner_id = data.owner_id if "owner_id" in data.model_fields_set else principal.staff_id
    await _check_owner(session, owner_id)
    article = Article(category=data.category, title=data.title, body=data.body, owner_id=owner_id)
    session.add(article)
    await refresh_after_write(session, article)
    return article


async def update_article(
    session: AsyncSession,
    article_id: uuid.UUID,
    changes: schemas.ArticleUpdate,
    if_match: str | None,
) -> Article:
    article = await lock_for_change(
        session, _article(article_id), "knowledge base article", if_match
    )
    if "owner_id" in changes.model_fields_set:
        await _check_owner(session, changes.owner_id)
    apply_changes(article, changes)
    await refresh_after_write(session, article)
    return article


async def delete_article(
    session: AsyncSession, article_id: uuid.UUID, if_match: str | None
) -> None:
    article = await lock_for_change(
        session, _article(article_id), "knowledge base article", if_match
    )
    await session.delete(article)
    await session.flush()
