"""Keeping the daily rollups up to date from the search log's Parquet export.

Each exported day is one file (``search.export``); re-exporting a day rewrites it. The
rolled-up days remember the version (ETag, size, modification time) of the file they came
from, so a run reads only the files that are new or changed since, and drops the days whose
file is gone. The raw events are never scanned here, let alone the transactional table.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import obstore
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.kit.storage import ObjectStorage
from twinwork.search.export import PREFIX, day_key
from twinwork.trends.models import Dimension
from twinwork.trends.repository import trend_repository
from twinwork.trends.terms import term_key

_DAY_FILE = re.compile(r"date=(\d{4}-\d{2}-\d{2})/events\.parquet$")

DayRows = dict[tuple[Dimension, str], int]


@dataclass(frozen=True)
class RollupReport:
    rolled_up: tuple[date, ...]
    removed: tuple[date, ...]


async def exported_days(storage: ObjectStorage) -> dict[date, str]:
    """Every exported day with the version of its file, from one listing of the prefix."""
    found: dict[date, str] = {}
    async for batch in obstore.list(storage.store, PREFIX):
        for meta in batch:
            match = _DAY_FILE.search(str(meta["path"]))
            if match:
                found[date.fromisoformat(match.group(1))] = _version(meta)
    return found


def _version(meta: Any) -> str:
    modified = meta.get("last_modified")
    stamp = modified.isoformat() if isinstance(modified, datetime) else str(modified)
    return f"{meta.get('e_tag') or ''}|{meta.get('size')}|{stamp}"[:120]


def aggregate_parquet(path: Path | str) -> tuple[int, DayRows]:
    """One day's searches per normalised term and per category, and the day's total."""
    connection = duckdb.connect()
    try:
        result = connection.execute(
            "SELECT term, category_slug, count(*) FROM read_parquet(?) GROUP BY ALL",
            [str(path)],
        )
        grouped = result.fetchall()
    finally:
        connection.close()
    return fold_counts((str(t or ""), c, int(n)) for t, c, n in grouped)


def fold_counts(grouped: Any) -> tuple[int, DayRows]:
    """Counts per (search log term, category) folded into rollup keys (plurals merge)."""
    rows: Counter[tuple[Dimension, str]] = Counter()
    total = 0
    for term, category, count in grouped:
        total += count
        key = term_key(term)
        if key:
            rows[(Dimension.TERM, key)] += count
        if category:
            rows[(Dimension.CATEGORY, str(category))] += count
    return total, dict(rows)


def _aggregate_bytes(data: bytes) -> tuple[int, DayRows]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.parquet"
        path.write_bytes(data)
        return aggregate_parquet(path)


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


async def roll_up(
    session: AsyncSession, storage: ObjectStorage, *, now: datetime | None = None
) -> RollupReport:
    """Bring the rollups level with the export: new and re-exported days, deleted ones."""
    now = now or datetime.now(UTC)
    exported = await exported_days(storage)
    rolled = await trend_repository.rolled_days(session)
    changed = sorted(day for day, version in exported.items() if rolled.get(day) != version)
    removed = sorted(day for day in rolled if day not in exported)
    fresh: dict[date, tuple[int, DayRows, str]] = {}
    for day in changed:
        data = await storage.get(day_key(day))
        # DuckDB blocks: off the event loop, so a server running this stays responsive.
        total, rows = await asyncio.to_thread(_aggregate_bytes, data)
        fresh[day] = (total, rows, exported[day])
    await store_days(session, fresh, removed, now)
    return RollupReport(tuple(changed), tuple(removed))


async def store_days(
    session: AsyncSession,
    fresh: dict[date, tuple[int, DayRows, str]],
    removed: Iterable[date],
    now: datetime,
) -> None:
    """Record days rolled up (day -> total, rows, file version) and drop removed ones."""
    removed = list(removed)
    for day, (total, _, version) in fresh.items():
        await trend_repository.record_day(session, day, total, version, now)
    for day in removed:
        await trend_repository.forget_day(session, day)
    touched = [*fresh, *removed]
    rows = {day: rows for day, (_, rows, _) in fresh.items()}
    for month in sorted({month_of(day) for day in touched}):
        first = min(day for day in touched if month_of(day) == month)
        await _rebuild_month(session, month, first, rows)


async def _rebuild_month(
    session: AsyncSession, month: date, first_touched: date, fresh: dict[date, DayRows]
) -> None:
    """The daily rows of ``month`` from ``first_touched`` on, with their month-to-date sums,
    and the month's row. Days before ``first_touched`` keep their rows: the usual hourly
    run (yesterday and today re-exported) rewrites only the last days' rows."""
    last = next_month(month) - timedelta(days=1)
    before = await trend_repository.last_day_between(
        session, month, first_touched - timedelta(days=1)
    )
    running: Counter[tuple[Dimension, str]] = Counter(
        await trend_repository.month_to_date(session, before) if before else {}
    )
    kept = await trend_repository.searches_by_day(session, first_touched, last)
    values: list[dict[str, object]] = []
    for day in await trend_repository.days_between(session, first_touched, last):
        searches = fresh.get(day, kept.get(day, {}))
        running.update(searches)
        values.extend(
            {
                "day": day,
                "dimension": dim,
                "key": key,
                "searches": searches.get((dim, key), 0),
                "month_to_date": total,
            }
            for (dim, key), total in running.items()
        )
    await trend_repository.replace_daily(session, first_touched, last, values)
    await trend_repository.replace_month(session, month, dict(running))
