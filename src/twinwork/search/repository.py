"""Full-text search over published gigs: SQLite FTS5 or PostgreSQL tsvector, same results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, column, func, literal_column, select, table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from twinwork.catalog.models import FreelancerProfile, Gig
from twinwork.search.models import SearchEvent
from twinwork.search.query import MARK_END, MARK_START, TextQuery

# The FTS5 index the migration creates on SQLite (PostgreSQL uses gigs.search_vector instead).
GIG_FTS = table("gig_fts", column("rowid"))

SORTS = ("relevance", "price_asc", "price_desc", "rating", "newest")


@dataclass(frozen=True)
class GigFilters:
    category_id: int | None = None
    min_price_amount: int | None = None
    max_price_amount: int | None = None
    max_delivery_days: int | None = None


@dataclass(frozen=True)
class Hit:
    gig: Gig
    snippet: str
    highlighted: bool


class SearchRepository:
    async def search(
        self,
        session: AsyncSession,
        query: TextQuery,
        filters: GigFilters,
        sort: str,
        offset: int,
        limit: int,
    ) -> tuple[list[Hit], int]:
        dialect = session.bind.dialect.name if session.bind else "sqlite"
        conditions = self._filter_conditions(filters)
        if query.empty:
            rank: ColumnElement[Any] = literal_column("0")
            snippet: ColumnElement[Any] = Gig.description.expression
            base = select(Gig.id).where(*conditions)
        elif dialect == "postgresql":
            tsquery = func.to_tsquery("english", query.tsquery())
            vector: ColumnElement[Any] = literal_column("gigs.search_vector")
            rank = func.ts_rank_cd(vector, tsquery)
            snippet = func.ts_headline(
                "english",
                Gig.description,
                func.to_tsquery("english", query.tsquery("|")),
                f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=32, MinWords=16",
            )
            base = select(Gig.id).where(vector.op("@@")(tsquery), *conditions)
        else:
            # bm25 is lower-is-better; weights favour title, then tags, then description.
            rank = -func.bm25(literal_column("gig_fts"), 10.0, 1.0, 4.0)
            snippet = func.snippet(literal_column("gig_fts"), 1, MARK_START, MARK_END, "\u2026", 24)
            base = (
                select(Gig.id)
                .join(GIG_FTS, GIG_FTS.c.rowid == Gig.id)
                .where(literal_column("gig_fts").op("MATCH")(query.fts5()), *conditions)
            )

        total = int(await session.scalar(select(func.count()).select_from(base.subquery())) or 0)
        ordered = (
            self._ordered(base.add_columns(rank.label("rank"), snippet.label("snippet")), sort)
            .offset(offset)
            .limit(limit)
        )
        rows = (await session.execute(ordered)).all()
        if not rows:
            return [], total
        gigs = await session.execute(
            select(Gig).where(Gig.id.in_([r[0] for r in rows])).options(selectinload(Gig.packages))
        )
        by_id = {g.id: g for g in gigs.scalars()}
        return [Hit(by_id[r[0]], str(r[2] or ""), not query.empty) for r in rows], total

    @staticmethod
    def _filter_conditions(filters: GigFilters) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [Gig.status == "published"]
        if filters.category_id is not None:
            conditions.append(Gig.category_id == filters.category_id)
        if filters.min_price_amount is not None:
            conditions.append(Gig.starting_price_amount >= filters.min_price_amount)
        if filters.max_price_amount is not None:
            conditions.append(Gig.starting_price_amount <= filters.max_price_amount)
        if filters.max_delivery_days is not None:
            conditions.append(Gig.fastest_delivery_days <= filters.max_delivery_days)
        return conditions

    @staticmethod
    def _ordered(statement: Select[Any], sort: str) -> Select[Any]:
        if sort == "price_asc":
            return statement.order_by(Gig.starting_price_amount, Gig.id)
        if sort == "price_desc":
            return statement.order_by(Gig.starting_price_amount.desc(), Gig.id)
        if sort == "newest":
            return statement.order_by(Gig.published_at.desc(), Gig.id.desc())
        if sort == "rating":
            return statement.join(
                FreelancerProfile, FreelancerProfile.user_id == Gig.freelancer_id
            ).order_by(
                FreelancerProfile.rating.desc(), FreelancerProfile.review_count.desc(), Gig.id
            )
        return statement.order_by(literal_column("rank").desc(), Gig.id)

    async def add_event(self, session: AsyncSession, event: SearchEvent) -> None:
        session.add(event)
        await session.flush()

    async def top_terms(self, session: AsyncSession, limit: int) -> list[tuple[str, int]]:
        result = await session.execute(
            select(SearchEvent.term, func.count())
            .where(SearchEvent.term != "")
            .group_by(SearchEvent.term)
            .order_by(func.count().desc(), SearchEvent.term)
            .limit(limit)
        )
        return [(term, count) for term, count in result.all()]

    async def event_count(self, session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count()).select_from(SearchEvent)) or 0)


search_repository = SearchRepository()
