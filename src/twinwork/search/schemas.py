from __future__ import annotations

from pydantic import BaseModel

from twinwork.catalog.schemas import GigOut


class SearchHitOut(BaseModel):
    gig: GigOut
    snippet: str
    """HTML-escaped text with the matched words wrapped in <mark>."""


class SearchOut(BaseModel):
    q: str
    term: str
    category: str | None
    sort: str
    page: int
    page_size: int
    total: int
    pages: int
    results: list[SearchHitOut]
