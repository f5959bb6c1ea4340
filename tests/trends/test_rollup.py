"""The rollup job reads the Parquet export, only what changed, and never the search table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.trends.factories import event, own_storage
from twinwork.search.export import export_day
from twinwork.search.models import SearchEvent
from twinwork.trends.models import Dimension, TrendDaily, TrendDay, TrendMonthly
from twinwork.trends.rollup import roll_up

D1, D2, D3 = date(2026, 3, 30), date(2026, 3, 31), date(2026, 4, 1)


async def daily(session: AsyncSession, day: date) -> dict[tuple[str, str], int]:
    rows = await session.execute(
        select(TrendDaily.dimension, TrendDaily.key, TrendDaily.searches).where(
            TrendDaily.day == day
        )
    )
    return {(str(d), k): n for d, k, n in rows.all()}


async def test_days_roll_up_by_folded_term_and_category_with_the_days_total(
    session: AsyncSession, tmp_path: Path
) -> None:
    storage = own_storage(tmp_path)
    session.add_all(
        [
            event(D1, "AI Agents"),
            event(D1, "ai-agent", "ai-agent-development"),
            event(D1, "ai agent"),
            event(D1, "", "logo-design"),
            event(D2, "logo"),
        ]
    )
    await session.flush()
    for day in (D1, D2):
        await export_day(session, storage, day)
    report = await roll_up(session, storage)
    assert report.rolled_up == (D1, D2)
    assert await daily(session, D1) == {
        ("term", "ai agent"): 3,
        ("category", "ai-agent-development"): 1,
        ("category", "logo-design"): 1,
    }
    assert (await session.get(TrendDay, D1)).searches == 4  # type: ignore[union-attr]
    month = await session.scalar(
        select(TrendMonthly.searches).where(
            TrendMonthly.month == date(2026, 3, 1),
            TrendMonthly.dimension == Dimension.TERM,
            TrendMonthly.key == "ai agent",
        )
    )
    assert month == 3


async def test_only_new_or_re_exported_days_are_rolled_up_again(
    session: AsyncSession, tmp_path: Path
) -> None:
    storage = own_storage(tmp_path)
    session.add_all([event(D1, "vibe coding"), event(D2, "vibe coding"), event(D3, "comfyui")])
    await session.flush()
    for day in (D1, D2, D3):
        await export_day(session, storage, day)
    assert len((await roll_up(session, storage)).rolled_up) == 3
    assert (await roll_up(session, storage)).rolled_up == ()

    # The rollup reads the export, not the table: deleting events changes nothing until the
    # day is exported again.
    await session.execute(delete(SearchEvent).where(SearchEvent.session_hash == "test"))
    session.add_all([event(D2, "vibe coding", hour=13), event(D2, "vibe coding", hour=14)])
    await session.flush()
    assert (await roll_up(session, storage)).rolled_up == ()
    assert await daily(session, D2) == {("term", "vibe coding"): 1}

    await export_day(session, storage, D2)
    report = await roll_up(session, storage)
    assert report.rolled_up == (D2,)
    assert await daily(session, D2) == {("term", "vibe coding"): 2}
    assert await daily(session, D1) == {("term", "vibe coding"): 1}


async def test_a_day_whose_export_is_gone_leaves_the_rollups(
    session: AsyncSession, tmp_path: Path
) -> None:
    storage = own_storage(tmp_path)
    session.add(event(D3, "comfyui"))
    await session.flush()
    await export_day(session, storage, D3)
    await roll_up(session, storage)
    await session.execute(delete(SearchEvent).where(SearchEvent.session_hash == "test"))
    await export_day(session, storage, D3)  # no events left: the file is deleted
    report = await roll_up(session, storage)
    assert report.removed == (D3,)
    assert await daily(session, D3) == {}
    assert await session.get(TrendDay, D3) is None
    assert (
        await session.scalar(
            select(TrendMonthly.searches).where(TrendMonthly.month == date(2026, 4, 1))
        )
        is None
    )


async def test_re_rolling_an_early_day_updates_the_later_days_month_to_date(
    session: AsyncSession, tmp_path: Path
) -> None:
    storage = own_storage(tmp_path)
    session.add_all([event(D1, "vibe coding"), event(D2, "comfyui")])
    await session.flush()
    for day in (D1, D2):
        await export_day(session, storage, day)
    await roll_up(session, storage)
    session.add_all([event(D1, "vibe coding", hour=9), event(D1, "comfyui", hour=9)])
    await session.flush()
    await export_day(session, storage, D1)
    assert (await roll_up(session, storage)).rolled_up == (D1,)
    rows = await session.execute(
        select(TrendDaily.key, TrendDaily.searches, TrendDaily.month_to_date).where(
            TrendDaily.day == D2, TrendDaily.dimension == Dimension.TERM
        )
    )
    # D2 was not re-read, yet its month-to-date sums include D1's new searches.
    assert sorted(rows.all()) == [("comfyui", 1, 2), ("vibe coding", 0, 2)]
