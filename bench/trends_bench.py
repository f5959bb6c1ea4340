"""Trends Index: growth read from the daily rollups against full scans of the raw events.

Generates synthetic search events over two years straight into Parquet, one file per day as
``search.export`` writes them (DuckDB from numpy, not through the ORM), rolls them up with
the real rollup job into a throwaway SQLite database, then in one run times the same
6-months-against-6-months growth of every term three ways: (a) the index from the rollups,
(b) a DuckDB scan of the Parquet events, (c) SQLite over a raw events table; asserts the
three agree exactly; and times the incremental rollup of one new day of events.

Usage: `python -m bench.trends_bench [--events N] [--rounds R]`, or set
TWINWORK_BENCH_TRENDS_EVENTS (default 10,000,000; 200,000 runs in seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

DAYS = 730
END = date(2026, 11, 15)  # mid-month: the index reads daily rows at the windows' edges
MONTHS = 6
TAIL_TERMS = 3000
CATEGORY_SHARE = 0.15


# ---- synthetic events ------------------------------------------------------------------


def vocabulary() -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """Terms as the search log holds them (some plural: the rollup folds them), each
    term's category, its base rate and its growth per year (log scale)."""
    from twinwork.demo.content import SEARCH_TERMS

    terms: list[str] = []
    categories: list[str] = []
    base: list[float] = []
    growth: list[float] = []
    trend = {
        "ai-agent-development": 1.9,
        "ai-video-creation": 0.8,
        "comfyui-workflows": 1.5,
        "vibe-coding": 1.6,
        "ai-model-training": 0.4,
    }
    for slug, words in SEARCH_TERMS.items():
        for word in words:
            plural = () if word.endswith("s") else ((word + "s", 0.1),)
            for text, share in ((word, 0.9), *plural):
                terms.append(text)
                categories.append(slug)
                base.append(40.0 * share)
                growth.append(trend.get(slug, 0.0))
    ranks = np.arange(1, TAIL_TERMS + 1)
    for i in range(TAIL_TERMS):
        terms.append(f"niche service {i}")
        categories.append("")
        base.append(0.0)
        growth.append(0.0)
    base_arr = np.array(base)
    base_arr[-TAIL_TERMS:] = 60.0 / ranks**0.9  # a long tail of rare searches (Zipf)
    return terms, categories, base_arr, np.array(growth)


def write_events(root: Path, events: int, seed: int = 7) -> tuple[int, int]:
    """Parquet files root/analytics/search-events/date=D/events.parquet; returns the number
    of events written and of distinct log terms."""
    terms, categories, base, growth = vocabulary()
    rng = np.random.default_rng(seed)
    t = np.arange(DAYS) / 365.0  # years since the start
    rates = base[None, :] * np.exp(growth[None, :] * t[:, None])
    rates *= events / rates.sum()
    counts = rng.poisson(rates)
    day_index, term_id = np.nonzero(counts)
    # Read by DuckDB below by name (a replacement scan of these dicts of numpy arrays).
    cells = {  # noqa: F841
        "day": day_index.astype(np.int32),
        "term_id": term_id.astype(np.int32),
        "n": counts[day_index, term_id].astype(np.int32),
    }
    vocab = {  # noqa: F841
        "term_id": np.arange(len(terms), dtype=np.int32),
        "term": np.array(terms, dtype=object),
        "category": np.array(categories, dtype=object),
    }
    start = datetime.combine(END - timedelta(days=DAYS - 1), datetime.min.time(), tzinfo=UTC)
    out = root / "analytics" / "search-events"
    staging = root / "staging"
    con = duckdb.connect()
    try:
        con.execute("SET threads TO 2")
        con.execute("SELECT setseed(0.42)")
        con.execute("CREATE TABLE cells AS SELECT * FROM cells", [])
        con.execute("CREATE TABLE vocab AS SELECT * FROM vocab", [])
        con.execute(
            f"""
            COPY (
              SELECT
                (TIMESTAMPTZ '{start.isoformat()}' + to_days(c.day)
                  + to_microseconds(CAST(random() * 86399999999 AS BIGINT))) AS occurred_at,
                v.term AS raw_query,
                v.term AS term,
                CASE WHEN v.category <> '' AND random() < {CATEGORY_SHARE}
                  THEN v.category END AS category_slug,
                1 AS result_count,
                'bench' AS session_hash,
                (DATE '{start.date().isoformat()}' + c.day)::DATE AS date
              FROM (SELECT day, term_id, unnest(range(n)) FROM cells) c
              JOIN vocab v USING (term_id)
            ) TO '{staging}' (FORMAT parquet, PARTITION_BY (date), OVERWRITE_OR_IGNORE)
            """
        )
    finally:
        con.close()
    # search.export's layout: one events.parquet per day.
    for folder in staging.iterdir():
        files = sorted(folder.glob("*.parquet"))
        target = out / folder.name
        target.mkdir(parents=True, exist_ok=True)
        if len(files) == 1:
            files[0].rename(target / "events.parquet")
        else:
            merge = duckdb.connect()
            try:
                merge.execute(
                    f"COPY (SELECT * FROM read_parquet({[str(f) for f in files]})) "
                    f"TO '{target / 'events.parquet'}' (FORMAT parquet)"
                )
            finally:
                merge.close()
    shutil.rmtree(staging)
    return int(counts.sum()), len(terms)


def write_day(root: Path, day: date, source_day: date) -> int:
    """A new day of events: a copy of an earlier day's events moved to ``day``."""
    source = (
        root / "analytics" / "search-events" / f"date={source_day.isoformat()}" / "events.parquet"
    )
    target = root / "analytics" / "search-events" / f"date={day.isoformat()}"
    target.mkdir(parents=True, exist_ok=True)
    shift = (day - source_day).days
    con = duckdb.connect()
    try:
        con.execute(
            f"COPY (SELECT occurred_at + to_days({shift}) AS occurred_at, * EXCLUDE (occurred_at) "
            f"FROM read_parquet('{source}')) TO '{target / 'events.parquet'}' (FORMAT parquet)"
        )
        result = con.execute(f"SELECT count(*) FROM read_parquet('{target / 'events.parquet'}')")
        return int(result.fetchall()[0][0])
    finally:
        con.close()


# ---- the same growth three ways ----------------------------------------------------------

Counts = dict[str, dict[str, list[int]]]
"""dimension -> key -> [current window, previous window]."""


def fold(rows: Iterable[tuple[Any, Any, Any, Any]]) -> tuple[Counts, list[int]]:
    """(term, category, current, previous) from a raw scan, folded as the rollup folds."""
    from twinwork.trends.terms import term_key

    counts: Counts = {"term": defaultdict(lambda: [0, 0]), "category": defaultdict(lambda: [0, 0])}
    totals = [0, 0]
    for term, category, current, previous in rows:
        current, previous = int(current or 0), int(previous or 0)
        totals[0] += current
        totals[1] += previous
        key = term_key(str(term or ""))
        if key:
            counts["term"][key][0] += current
            counts["term"][key][1] += previous
        if category:
            counts["category"][category][0] += current
            counts["category"][category][1] += previous
    return {d: dict(c) for d, c in counts.items()}, totals


SCAN_SQL = """
SELECT term, category_slug,
       sum(CASE WHEN occurred_at >= {cur} THEN 1 ELSE 0 END),
       sum(CASE WHEN occurred_at < {cur} THEN 1 ELSE 0 END)
FROM {table}
WHERE occurred_at >= {prev} AND occurred_at < {end}
GROUP BY term, category_slug
"""


def duckdb_scan(
    root: Path, bounds: tuple[datetime, datetime, datetime]
) -> tuple[Counts, list[int]]:
    prev, cur, end = (f"TIMESTAMPTZ '{b.isoformat()}'" for b in bounds)
    files = root / "analytics" / "search-events" / "*" / "events.parquet"
    con = duckdb.connect()
    try:
        con.execute("SET threads TO 2")
        sql = SCAN_SQL.format(cur=cur, prev=prev, end=end, table=f"read_parquet('{files}')")
        rows = con.execute(sql).fetchall()
    finally:
        con.close()
    return fold(rows)


def build_sqlite(root: Path, path: Path) -> None:
    """The raw events in a SQLite table indexed on time, as the app's search log is."""
    files = root / "analytics" / "search-events" / "*" / "events.parquet"
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("CREATE TABLE search_events (occurred_at TEXT, term TEXT, category_slug TEXT)")
    con = duckdb.connect()
    try:
        result = con.execute(
            "SELECT strftime(occurred_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f'), term, "
            f"category_slug FROM read_parquet('{files}')"
        )
        while batch := result.fetchmany(200_000):
            db.executemany("INSERT INTO search_events VALUES (?, ?, ?)", batch)
    finally:
        con.close()
    db.execute("CREATE INDEX ix_search_events_occurred_at ON search_events (occurred_at)")
    db.commit()
    db.close()


def sqlite_scan(
    path: Path, bounds: tuple[datetime, datetime, datetime]
) -> tuple[Counts, list[int]]:
    prev, cur, end = (f"'{b.strftime('%Y-%m-%d %H:%M:%S.%f')}'" for b in bounds)
    db = sqlite3.connect(path)
    try:
        rows = db.execute(
            SCAN_SQL.format(cur=cur, prev=prev, end=end, table="search_events")
        ).fetchall()
    finally:
        db.close()
    return fold(rows)


def timed(fn: Callable[[], Any], rounds: int) -> tuple[Any, list[float]]:
    seconds = []
    result = None
    for _ in range(rounds):
        started = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - started)
    return result, seconds


def rows_of(
    service: Any, counts: Counts, windows: Any, totals: list[int]
) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for dimension, by_key in counts.items():
        rows = service.ranked(
            {k: list(v) for k, v in by_key.items()},
            windows,
            (totals[0], totals[1]),
            {},
            public=False,
            limit=10**9,
        )
        out[dimension] = [_essence(r) for r in rows]
    return out


def _essence(row: Any) -> tuple[Any, ...]:
    return (
        row.key,
        row.current_count,
        row.previous_count,
        row.growth_pct,
        row.ci_low_pct,
        row.ci_high_pct,
        row.status,
        row.current_share_pct,
        row.previous_share_pct,
    )


async def run(root: Path, events: int, rounds: int) -> dict[str, Any]:
    from sqlalchemy.ext.asyncio import AsyncSession

    from twinwork.config import get_settings
    from twinwork.kit.db import make_engine, make_sessionmaker, unit_of_work
    from twinwork.kit.migrate import upgrade
    from twinwork.kit.storage import make_storage
    from twinwork.trends.rollup import roll_up
    from twinwork.trends.service import trend_service
    from twinwork.trends.window import Windows

    result: dict[str, Any] = {}
    started = time.perf_counter()
    result["events"], result["log_terms"] = await asyncio.to_thread(write_events, root, events)
    result["generate_s"] = time.perf_counter() - started

    settings = get_settings()
    await asyncio.to_thread(upgrade, settings.resolved_database_url)
    storage = make_storage(settings)
    engine = make_engine(settings.resolved_database_url)
    sessionmaker = make_sessionmaker(engine)
    try:
        started = time.perf_counter()
        async with unit_of_work(sessionmaker) as session:
            await roll_up(session, storage)
        result["initial_rollup_s"] = time.perf_counter() - started

        windows = Windows.ending(END, MONTHS)
        bounds = tuple(
            datetime.combine(d, datetime.min.time(), tzinfo=UTC)
            for d in (windows.previous_start, windows.current_start, END + timedelta(days=1))
        )

        async def index(session: AsyncSession) -> Any:
            return await trend_service.index(session, MONTHS, 10**9, public=False)

        seconds = []
        async with unit_of_work(sessionmaker, writes=False) as session:
            for _ in range(rounds):
                t0 = time.perf_counter()
                from_rollups = await index(session)
                seconds.append(time.perf_counter() - t0)
        result["a_ms"] = [s * 1000 for s in seconds]
        a_rows = {
            "term": [_essence(r) for r in from_rollups.terms],
            "category": [_essence(r) for r in from_rollups.categories],
        }

        (b_counts, b_totals), b_seconds = await asyncio.to_thread(
            timed, lambda: duckdb_scan(root, bounds), max(1, rounds // 5)
        )
        result["b_ms"] = [s * 1000 for s in b_seconds]
        sqlite_path = root / "raw-events.db"
        t0 = time.perf_counter()
        await asyncio.to_thread(build_sqlite, root, sqlite_path)
        result["sqlite_build_s"] = time.perf_counter() - t0
        (c_counts, c_totals), c_seconds = await asyncio.to_thread(
            timed, lambda: sqlite_scan(sqlite_path, bounds), max(1, rounds // 10)
        )
        result["c_ms"] = [s * 1000 for s in c_seconds]

        b_rows = rows_of(trend_service, b_counts, windows, b_totals)
        c_rows = rows_of(trend_service, c_counts, windows, c_totals)
        assert [from_rollups.current_total, from_rollups.previous_total] == b_totals == c_totals
        # Categories: the rollup labels them with their names; the scans know only slugs.
        a_rows["category"] = [(r[0],) + r[1:] for r in a_rows["category"]]
        assert a_rows == b_rows, "rollups and the DuckDB scan disagree"
        assert b_rows == c_rows, "the DuckDB scan and the SQLite scan disagree"
        result["terms"] = len(a_rows["term"])
        result["top"] = from_rollups.terms[:5]

        new_day = END + timedelta(days=1)
        result["new_day_events"] = await asyncio.to_thread(write_day, root, new_day, END)
        t0 = time.perf_counter()
        async with unit_of_work(sessionmaker) as session:
            report = await roll_up(session, storage)
        result["incremental_s"] = time.perf_counter() - t0
        assert report.rolled_up == (new_day,), report
    finally:
        await engine.dispose()
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--events",
        type=int,
        default=int(os.environ.get("TWINWORK_BENCH_TRENDS_EVENTS", 10_000_000)),
    )
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    data_dir = Path(os.environ.get("TWINWORK_DATA_DIR", "var")).resolve() / "bench"
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir) as tmp:
        root = Path(tmp)
        os.environ["TWINWORK_DATABASE_URL"] = f"sqlite+aiosqlite:///{root}/bench.db"
        os.environ["TWINWORK_STORAGE_URL"] = f"file://{root}"
        from twinwork.config import get_settings

        get_settings.cache_clear()
        r = asyncio.run(run(root, args.events, args.rounds))
    a, b, c = (statistics.median(r[k]) for k in ("a_ms", "b_ms", "c_ms"))
    print(
        f"trends over {r['events']:,} search events, {DAYS} days, {r['log_terms']:,} log terms "
        f"({r['terms']:,} after folding); {MONTHS} months against the {MONTHS} before"
    )
    print(f"  events generated into daily Parquet in {r['generate_s']:.1f} s")
    print(f"  first rollup of all {DAYS} days: {r['initial_rollup_s']:.1f} s")
    print(f"  (a) index from the daily rollups:  p50 {a:8.1f} ms  (max {max(r['a_ms']):.1f} ms)")
    print(f"  (b) DuckDB scan of the Parquet:    p50 {b:8.1f} ms")
    built = r["sqlite_build_s"]
    print(f"  (c) SQLite scan of the raw table:  p50 {c:8.1f} ms  (table built in {built:.0f} s)")
    print("  (a), (b) and (c) give identical rows for every term and category")
    print(f"  ratio (b)/(a): {b / a:.0f}x, (c)/(a): {c / a:.0f}x")
    print(
        f"  incremental rollup of one new day ({r['new_day_events']:,} events): "
        f"{r['incremental_s'] * 1000:.0f} ms"
    )
    for row in r["top"]:
        print(
            f"    {row.key:30} {row.status:8} {row.current_count:>9,} vs {row.previous_count:>9,}"
            f"  {row.growth_pct:+.1f}% [{row.ci_low_pct:+.1f}%, {row.ci_high_pct:+.1f}%]"
        )


if __name__ == "__main__":
    main()
