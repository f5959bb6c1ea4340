"""Jobs on the real queue (huey on SQLite or Redis) with a real consumer thread."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from twinwork.config import get_settings
from twinwork.kit.db import make_sessionmaker, unit_of_work
from twinwork.kit.jobs import enqueue_after_commit, huey
from twinwork.kit.storage import make_storage
from twinwork.search.export import day_key, read_rows
from twinwork.search.models import SearchEvent
from twinwork.search.tasks import export_search_log

DAY = datetime(2026, 3, 14, tzinfo=UTC)


@pytest.fixture
def consumer() -> Iterator[Any]:
    huey.flush()
    consumer = huey.create_consumer(workers=1, worker_type="thread", periodic=False)
    consumer.start()
    yield consumer
    consumer.stop(graceful=True)


@pytest.fixture
async def committed_events(engine: AsyncEngine) -> AsyncIterator[None]:
    """Jobs run in their own transaction, so their data must really be committed."""
    sessionmaker = make_sessionmaker(engine)
    rows = [
        ("logo", "logo-design", 9, DAY + timedelta(hours=1)),
        ("ai agent", None, 4, DAY + timedelta(hours=2)),
        ("late night logo", None, 2, DAY + timedelta(hours=23, minutes=59)),
        ("next day", None, 1, DAY + timedelta(days=1, minutes=1)),
    ]
    async with unit_of_work(sessionmaker) as session:
        for term, category, results, when in rows:
            session.add(
                SearchEvent(
                    occurred_at=when,
                    raw_query=term,
                    term=term,
                    category_slug=category,
                    result_count=results,
                    session_hash="jobtest" + "0" * 25,
                )
            )
    yield
    async with unit_of_work(sessionmaker) as session:
        await session.execute(delete(SearchEvent).where(SearchEvent.session_hash.like("jobtest%")))


def test_queue_backend_matches_the_run() -> None:
    expected = (
        "RedisHuey" if os.environ.get("TWINWORK_TEST_BACKEND") == "scaleout" else "SqliteHuey"
    )
    assert type(huey).__name__ == expected


async def test_export_job_writes_one_day_of_searches_to_parquet(
    consumer: Any, committed_events: None
) -> None:
    result = export_search_log(DAY.date().isoformat())
    count = result.get(blocking=True, timeout=60)
    assert count == 3

    parquet = await make_storage(get_settings()).get(day_key(DAY.date()))
    assert parquet[:4] == b"PAR1"
    assert read_rows(parquet) == [
        ("ai agent", None, 4),
        ("late night logo", None, 2),
        ("logo", "logo-design", 9),
    ]

    # Exporting again is safe: the file is replaced, not appended to.
    assert export_search_log(DAY.date().isoformat()).get(blocking=True, timeout=60) == 3


async def test_jobs_are_enqueued_only_after_commit(
    consumer: Any, engine: AsyncEngine, committed_events: None
) -> None:
    sessionmaker = make_sessionmaker(engine)
    storage = make_storage(get_settings())
    day = (DAY + timedelta(days=1)).date()
    await storage.delete(day_key(day))

    with pytest.raises(RuntimeError):
        async with unit_of_work(sessionmaker) as session:
            enqueue_after_commit(session, export_search_log, day.isoformat())
            raise RuntimeError("the request failed")
    assert len(huey) == 0  # the rolled-back work queued nothing

    async with unit_of_work(sessionmaker) as session:
        enqueue_after_commit(session, export_search_log, day.isoformat())
        assert len(huey) == 0  # not before the commit
    for _ in range(600):
        if await storage.exists(day_key(day)):
            break
        await asyncio.sleep(0.05)
    assert read_rows(await storage.get(day_key(day))) == [("next day", None, 1)]
