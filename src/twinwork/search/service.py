"""Search over published gigs. Every search is written down, without the user, for Trends."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.catalog.models import Category
from twinwork.catalog.service import category_service
from twinwork.config import get_settings
from twinwork.kit.errors import ValidationFailed
from twinwork.kit.pagination import MAX_PAGE, Page, check_page_in_range
from twinwork.search.models import SearchEvent
from twinwork.search.offer import ai_offer_service
from twinwork.search.query import MARK_END, MARK_START, MAX_QUERY_LENGTH, normalise, parse
from twinwork.search.repository import SORTS, GigFilters, Hit, search_repository

PLAIN_SNIPPET_WORDS = 30


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    category: str | None = None
    min_price_amount: int | None = None
    """Lower bound of the starting price, in cents."""
    max_price_amount: int | None = None
    """Upper bound of the starting price, in cents."""
    max_delivery_days: int | None = None
    ai_available: bool = False
    """Only gigs that can be had as AI (or hybrid) work: the freelancer's model is active."""
    works_with_ai: bool = False
    """Only gigs of freelancers who list the AI tools they work with."""
    sort: str = "relevance"
    page: int = 1

    @property
    def is_search(self) -> bool:
        """A query or a category: browsing the home page is not a search."""
        return bool(self.q.strip() or self.category)


@dataclass(frozen=True)
class SearchResults:
    page: Page[Hit]
    params: SearchParams
    term: str
    category: Category | None
    ai_prices: dict[int, int]
    """Gig id -> its cheapest package made by AI, in cents, for the page's gigs with an
    active model: the cards' "AI model" badge."""


def render_snippet(snippet: str, highlighted: bool) -> Markup:
    """HTML for a snippet: the text escaped, the matched words wrapped in <mark>."""
    if not highlighted:
        words = snippet.split()
        snippet = " ".join(words[:PLAIN_SNIPPET_WORDS]) + (
            "\u2026" if len(words) > PLAIN_SNIPPET_WORDS else ""
        )
    escaped = str(escape(snippet))
    return Markup(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def pseudonymous_session(session_key: str) -> str:
    """A keyed hash of the visitor's random cookie: stable per visitor, says nothing of who."""
    secret = get_settings().resolved_secret_key.encode()
    return hmac.new(secret, session_key.encode(), hashlib.sha256).hexdigest()[:32]


class SearchService:
    def validate(self, params: SearchParams) -> None:
        if len(params.q) > MAX_QUERY_LENGTH:
            raise ValidationFailed(f"Search for at most {MAX_QUERY_LENGTH} characters.", field="q")
        if params.sort not in SORTS:
            raise ValidationFailed(f"Sort by one of: {', '.join(SORTS)}.", field="sort")
        if not 1 <= params.page <= MAX_PAGE:
            raise ValidationFailed("Pages are numbered from 1.", field="page")
        for name in ("min_price_amount", "max_price_amount", "max_delivery_days"):
            value = getattr(params, name)
            if value is not None and not 0 <= value <= 100_000_000:
                raise ValidationFailed(f"{name} is out of range.", field=name)
        if (
            params.min_price_amount is not None
            and params.max_price_amount is not None
            and params.min_price_amount > params.max_price_amount
        ):
            raise ValidationFailed(
                "The minimum price is above the maximum price.", field="min_price_amount"
            )

    async def search(
        self, session: AsyncSession, params: SearchParams, session_key: str
    ) -> SearchResults:
        """A visitor's search: the results, and one event in the search log."""
        results = await self.find(session, params)
        # Later pages of one query are the same search: one event per query, not per page.
        if params.is_search and params.page == 1:
            await search_repository.add_event(
                session,
                SearchEvent(
                    raw_query=params.q.strip()[:MAX_QUERY_LENGTH],
                    term=results.term,
                    category_slug=results.category.slug if results.category else None,
                    result_count=results.page.total,
                    session_hash=pseudonymous_session(session_key),
                ),
            )
        return results

    async def find(self, session: AsyncSession, params: SearchParams) -> SearchResults:
        """The same query without writing to the search log (listings, not searches)."""
        self.validate(params)
        category = (
            await category_service.by_slug(session, params.category) if params.category else None
        )
        query = parse(params.q)
        page_size = get_settings().search_page_size
        hits, total = await search_repository.search(
            session,
            query,
            GigFilters(
                category_id=category.id if category else None,
                min_price_amount=params.min_price_amount,
                max_price_amount=params.max_price_amount,
                max_delivery_days=params.max_delivery_days,
                ai_available=params.ai_available,
                works_with_ai=params.works_with_ai,
            ),
            params.sort,
            offset=(params.page - 1) * page_size,
            limit=page_size,
        )
        check_page_in_range(params.page, page_size, total)
        term = normalise(params.q)
        # The page's badges after the page is chosen: one more query, for the shown gigs only.
        ai_prices = await ai_offer_service.badges(session, [hit.gig for hit in hits])
        return SearchResults(
            Page(hits, params.page, page_size, total), params, term, category, ai_prices
        )

    async def top_terms(self, session: AsyncSession, limit: int = 10) -> list[tuple[str, int]]:
        return await search_repository.top_terms(session, limit)

    async def event_count(self, session: AsyncSession) -> int:
        return await search_repository.event_count(session)


search_service = SearchService()
