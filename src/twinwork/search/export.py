"""Export the search log to Parquet in object storage, one file per day, for analytics.

DuckDB reads these files directly (locally or from S3), so the Trends Index never scans the
transactional database. Re-exporting a day overwrites its file: the job is safe to repeat.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import duckdb
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.kit.storage import ObjectStorage
from twinwork.search.models import SearchEvent

PREFIX = "analytics/search-events"
_COLUMNS = (
    "occurred_at TIMESTAMPTZ, raw_query VARCHAR, term VARCHAR, category_slug VARCHAR, "
    "result_count INTEGER, session_hash VARCHAR"
)


def day_key(day: date) -> str:
    return f"{PREFIX}/date={day.isoformat()}/events.parquet"


async def export_day(session: AsyncSession, storage: ObjectStorage, day: date) -> int:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    result = await session.execute(
        select(
            SearchEvent.occurred_at,
            SearchEvent.raw_query,
            SearchEvent.term,
            SearchEvent.category_slug,
            SearchEvent.result_count,
            SearchEvent.session_hash,
        )
        .where(SearchEvent.occurred_at >= start, SearchEvent.occurred_at < start + timedelta(1))
        .order_by(SearchEvent.occurred_at)
    )
    rows = [tuple(r) for r in result.all()]
    if not rows:
        await storage.delete(day_key(day))
        return 0
    await storage.put(day_key(day), _to_parquet(rows))
    return len(rows)


def _to_parquet(rows: Sequence[tuple[object, ...]]) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.parquet"
        connection = duckdb.connect()
        try:
            connection.execute(f"CREATE TABLE events ({_COLUMNS})")
            connection.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)", rows)
            connection.execute(f"COPY events TO '{path}' (FORMAT parquet)")
        finally:
            connection.close()
        return path.read_bytes()


def read_rows(parquet: bytes) -> list[tuple[object, ...]]:
    """Read an exported day back (used by checks and the trends analytics)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.parquet"
        path.write_bytes(parquet)
        connection = duckdb.connect()
        try:
            result = connection.execute(
                "SELECT term, category_slug, result_count FROM read_parquet(?) ORDER BY 1",
                [str(path)],
            )
            return [tuple(r) for r in result.fetchall()]
        finally:
            connection.close()
