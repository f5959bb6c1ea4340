"""Full-text search over published gigs: SQLite FTS5 or PostgreSQL tsvector, same results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, column, func, literal_column, select, table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from twinwork.catalog.models import FreelancerProfile, Gig
from twinwork.creation.models import PersonalModel
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
    ai_available: bool = False
    """Only gigs whose freelancer has an active personal model (AI and hybrid work)."""
    works_with_ai: bool = False
    """Only gigs whose freelancer lists AI tools on their profile."""


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
            base = select(Gig.id).where(*conditions)
        elif dialect == "postgresql":
            tsquery = self._pg_tsquery(query)
            vector: ColumnElement[Any] = literal_column("gigs.search_vector")
            rank = func.ts_rank_cd(vector, tsquery)
            base = select(Gig.id).where(vector.op("@@")(tsquery), *conditions)
        else:
            # Match in the FTS index first, then filter: joined directly, SQLite may instead walk
            # the gigs and probe the index once per row, which takes seconds. bm25 is
            # lower-is-better; the weights favour title, then tags, then description.
            hits = (
                select(
                    GIG_FTS.c.rowid.label("gig_id"),
                    (-func.bm25(literal_column("gig_fts"), 10.0, 1.0, 4.0)).label("score"),
                )
                .where(_fts_match(query))
                .cte("hits")
                .prefix_with("MATERIALIZED")
            )
            rank = hits.c.score
            base = select(Gig.id).join(hits, hits.c.gig_id == Gig.id).where(*conditions)

        total = int(await session.scalar(select(func.count()).select_from(base.subquery())) or 0)
        ordered = self._ordered(base.add_columns(rank.label("rank")), sort)
        page_ids = [row[0] for row in await session.execute(ordered.offset(offset).limit(limit))]
        if not page_ids:
            return [], total
        gigs = await session.execute(
            select(Gig).where(Gig.id.in_(page_ids)).options(selectinload(Gig.packages))
        )
        by_id = {g.id: g for g in gigs.scalars()}
        if query.empty:
            return [Hit(by_id[i], by_id[i].description, False) for i in page_ids], total
        # Snippets only for the page shown: computing them for every match before sorting
        # costs seconds on a large catalogue.
        snippets = await self._snippets(session, dialect, query, page_ids)
        return [Hit(by_id[i], snippets.get(i, by_id[i].description), True) for i in page_ids], total

    async def _snippets(
        self, session: AsyncSession, dialect: str, query: TextQuery, ids: list[int]
    ) -> dict[int, str]:
        if dialect == "postgresql":
            statement = select(
                Gig.id,
                func.ts_headline(
                    "english",
                    Gig.description,
                    func.to_tsquery("english", query.tsquery("|")),
                    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=32, MinWords=16",
                ),
            ).where(Gig.id.in_(ids))
        else:
            statement = select(
                GIG_FTS.c.rowid,
                func.snippet(literal_column("gig_fts"), 1, MARK_START, MARK_END, "\u2026", 24),
            ).where(_fts_match(query), GIG_FTS.c.rowid.in_(ids))
        return {row[0]: str(row[1] or "") for row in await session.execute(statement)}

    @staticmethod
    def _pg_tsquery(query: TextQuery) -> ColumnElement[Any]:
        """Whole words through the English stemmer; the last word, perhaps still being typed,
        as a prefix both stemmed ("logos" finds "logo") and unstemmed ("an" finds "animation"
        instead of being dropped as a stop word)."""
        *complete, last = query.words
        prefix = func.to_tsquery("english", f"{last}:*").op("||")(
            func.to_tsquery("simple", f"{last}:*")
        )
        if not complete:
            return prefix
        return func.to_tsquery("english", " & ".join(complete)).op("&&")(prefix)

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
        if filters.ai_available:
            # The model orders come from, as the gig page and order.service.quote read it.
            conditions.append(
                Gig.freelancer_id.in_(
                    select(PersonalModel.owner_user_id).where(
                        PersonalModel.is_active, PersonalModel.erased_at.is_(None)
                    )
                )
            )
        if filters.works_with_ai:
            conditions.append(
                Gig.freelancer_id.in_(
                    select(FreelancerProfile.user_id).where(FreelancerProfile.works_with_ai)
                )
            )
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


def _fts_match(query: TextQuery) -> ColumnElement[bool]:
    return literal_column("gig_fts").op("MATCH")(query.fts5())


search_repository = SearchRepository()
