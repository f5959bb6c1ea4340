from __future__ import annotations

from pydantic import BaseModel

from twinwork.catalog.schemas import GigOut


class SearchHitOut(BaseModel):
    gig: GigOut
    snippet: str
    """HTML-escaped text with the matched words wrapped in <mark>."""
    ai_price_amount: int | None = None
    """The gig's cheapest package made by the freelancer's AI model, in cents; null when the
    freelancer has no active model."""


class SearchOut(BaseModel):
    q: str
    term: str
    category: str | None
    ai_available: bool
    works_with_ai: bool
    sort: str
    page: int
    page_size: int
    total: int
    pages: int
    results: list[SearchHitOut]
