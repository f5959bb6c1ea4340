"""Rollup rows written directly (for the index and the pages), and a storage of each test's
own for the rollup job, which lists every exported file under its prefix."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.config import get_settings
from twinwork.kit.storage import ObjectStorage, make_storage
from twinwork.search.models import SearchEvent
from twinwork.search.query import normalise
from twinwork.trends.models import Dimension
from twinwork.trends.rollup import store_days
from twinwork.trends.terms import term_key

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


async def add_day(
    session: AsyncSession,
    day: date,
    terms: Mapping[str, int],
    categories: Mapping[str, int] | None = None,
    total: int | None = None,
) -> None:
    """One rolled-up day, as the rollup job writes it from a day's export."""
    rows: dict[tuple[Dimension, str], int] = {}
    for term, n in terms.items():
        if not n:
            continue  # the rollup job never writes a term nobody searched for
        key = (Dimension.TERM, term_key(term))
        rows[key] = rows.get(key, 0) + n
    for slug, n in (categories or {}).items():
        rows[(Dimension.CATEGORY, slug)] = n
    searches = total if total is not None else sum(terms.values())
    await store_days(session, {day: (searches, rows, "test")}, (), NOW)


async def add_days(
    session: AsyncSession,
    start: date,
    end: date,
    per_day: Mapping[str, int],
    total_per_day: int | None = None,
) -> None:
    day = start
    while day <= end:
        await add_day(session, day, per_day, total=total_per_day)
        day += timedelta(days=1)


def own_storage(tmp_path: Path) -> ObjectStorage:
    """Local files under the test's tmp dir, or a fresh prefix of the S3 bucket when scaled out."""
    settings = get_settings()
    url = settings.resolved_storage_url
    if url.startswith("s3://"):
        copy = settings.model_copy(
            update={"storage_url": f"{url.rstrip('/')}/t-{uuid.uuid4().hex}"}
        )
        return make_storage(copy)
    return make_storage(settings.model_copy(update={"storage_url": f"file://{tmp_path}"}))


def event(day: date, query: str, category: str | None = None, hour: int = 12) -> SearchEvent:
    return SearchEvent(
        occurred_at=datetime.combine(day, time(hour), tzinfo=UTC),
        raw_query=query,
        term=normalise(query),
        category_slug=category,
        result_count=1,
        session_hash="test",
    )
