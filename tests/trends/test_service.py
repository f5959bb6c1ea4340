from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.trends.factories import add_day, add_days
from twinwork.kit.errors import Conflict, NotFound, ValidationFailed
from twinwork.trends.service import trend_service
from twinwork.trends.stats import TrendStatus

END = date(2026, 6, 30)
# One-month windows: June 2026 against May 2026 (31 and 30 days).
CURRENT = (date(2026, 6, 1), END)
PREVIOUS = (date(2026, 5, 1), date(2026, 5, 31))


def by_term(rows: list) -> dict:  # type: ignore[type-arg]
    return {r.key: r for r in rows}


async def test_growth_with_base_counts_interval_status_and_shares(session: AsyncSession) -> None:
    await add_days(session, *PREVIOUS, {"ai agent": 2, "logo": 10}, total_per_day=100)
    await add_days(session, *CURRENT, {"ai agents": 6, "logo": 10}, total_per_day=200)
    index = await trend_service.index(session, 1, 20)
    assert index.current_total == 200 * 30 and index.previous_total == 100 * 31
    rows = by_term(index.terms)
    agent = rows["ai agent"]
    assert (agent.current_count, agent.previous_count) == (180, 62)
    assert agent.status == TrendStatus.RISING
    # Per day: 6 against 2, so +200%, with an interval around it.
    assert agent.growth_pct == pytest.approx(200.0, abs=0.1)
    assert agent.ci_low_pct is not None and agent.ci_high_pct is not None
    assert agent.ci_low_pct < 200 < agent.ci_high_pct
    # Traffic doubled too: its share of all searches grew by half.
    assert agent.share_growth_pct == pytest.approx(50.0, abs=0.5)
    logo = rows["logo"]
    assert logo.growth_pct == pytest.approx(0.0, abs=0.1)
    assert logo.share_growth_pct == pytest.approx(-50.0, abs=0.5)
    assert index.terms[0].key == "ai agent"  # rising, most surely rising first


async def test_small_counts_show_as_new_or_too_few_never_as_a_percentage(
    session: AsyncSession,
) -> None:
    await add_day(session, date(2026, 5, 3), {"comfyui": 1})
    await add_days(session, *CURRENT, {"comfyui": 2, "rare thing": 0})
    await add_day(session, END, {"odd request": 12})
    rows = by_term((await trend_service.index(session, 1, 20, public=False)).terms)
    assert rows["comfyui"].status == TrendStatus.NEW and rows["comfyui"].growth_pct is None
    assert rows["odd request"].status == TrendStatus.TOO_FEW
    assert rows["odd request"].growth_pct is None and rows["odd request"].ci_high_pct is None


async def test_public_index_hides_counts_under_the_k_anonymity_threshold(
    session: AsyncSession,
) -> None:
    await add_day(session, date(2026, 5, 3), {"comfyui": 1, "logo": 40})
    await add_days(session, *CURRENT, {"comfyui": 2, "logo": 2})
    await add_day(session, END, {"my own name": 9})
    public = by_term((await trend_service.index(session, 1, 20)).terms)
    assert "my own name" not in public  # 9 < 10
    assert "comfyui" not in public  # 61 now, but 1 before: that one search stays private
    assert "logo" in public
    raw = by_term((await trend_service.index(session, 1, 20, public=False)).terms)
    assert {"my own name", "comfyui", "logo"} <= set(raw)
    with pytest.raises(NotFound):
        await trend_service.term(session, "my own name", 1)


async def test_a_synonym_applies_at_once_over_all_history_without_a_recount(
    session: AsyncSession,
) -> None:
    await add_days(session, *PREVIOUS, {"ai agent": 2, "llm agent": 1})
    await add_days(session, *CURRENT, {"ai agent": 2, "llm agent": 3})
    before = by_term((await trend_service.index(session, 1, 20)).terms)
    assert before["ai agent"].current_count == 60
    await trend_service.add_synonym(session, "LLM Agents", "AI agent")
    after = by_term((await trend_service.index(session, 1, 20)).terms)
    assert "llm agent" not in after
    assert (after["ai agent"].current_count, after["ai agent"].previous_count) == (150, 93)
    trend = await trend_service.term(session, "llm-agents", 1)
    assert trend.term == "ai agent" and trend.variants == ("ai agent", "llm agent")
    await trend_service.remove_synonym(session, "llm agent")
    assert "llm agent" in by_term((await trend_service.index(session, 1, 20)).terms)


async def test_synonym_mistakes_are_refused_with_a_reason(session: AsyncSession) -> None:
    with pytest.raises(ValidationFailed, match="already the same term"):
        await trend_service.add_synonym(session, "AI-Agents", "ai agent")
    with pytest.raises(ValidationFailed):
        await trend_service.add_synonym(session, "!!!", "ai agent")
    await trend_service.add_synonym(session, "llm agent", "ai agent")
    with pytest.raises(Conflict):
        await trend_service.add_synonym(session, "ai agent", "agentic ai")
    # Pointing at a variant points at its main term: no chains.
    synonym = await trend_service.add_synonym(session, "autonomous agent", "llm agent")
    assert synonym.canonical == "ai agent"
    with pytest.raises(NotFound):
        await trend_service.remove_synonym(session, "never added")


async def test_term_series_is_weekly_over_both_windows(session: AsyncSession) -> None:
    await add_days(session, *PREVIOUS, {"vibe coding": 3}, total_per_day=30)
    await add_days(session, *CURRENT, {"vibe coding": 5}, total_per_day=50)
    trend = await trend_service.term(session, "Vibe Coding", 1)
    assert trend.weeks[0].week_start.weekday() == 0
    assert trend.weeks[0].week_start <= PREVIOUS[0] and trend.weeks[-1].week_start <= END
    # May 1-3 is a Friday to Sunday: 9 searches, under the public threshold of 10.
    assert trend.weeks[0].week_start == date(2026, 4, 27) and trend.weeks[0].searches is None
    raw = await trend_service.term(session, "Vibe Coding", 1, public=False)
    assert sum(w.searches or 0 for w in raw.weeks) == 31 * 3 + 30 * 5
    full_week = next(w for w in trend.weeks if w.week_start == date(2026, 6, 8))
    assert full_week.searches == 35 and full_week.share_pct == pytest.approx(10.0)


async def test_windows_out_of_bounds_and_overlong_terms_are_refused(
    session: AsyncSession,
) -> None:
    for months in (0, 25, 100):
        with pytest.raises(ValidationFailed):
            await trend_service.index(session, months, 20)
    with pytest.raises(ValidationFailed):
        await trend_service.term(session, "x" * 10_000, 6)


async def test_today_still_filling_in_is_left_out_of_the_windows(session: AsyncSession) -> None:
    today = datetime.now(UTC).date()
    yesterday = today - timedelta(days=1)
    await add_days(session, yesterday - timedelta(days=40), yesterday, {"ai agent": 2})
    await add_day(session, today, {"ai agent": 500})
    index = await trend_service.index(session, 1, 20)
    assert index.windows is not None and index.windows.current_end == yesterday
    agent = {r.key: r for r in index.terms}["ai agent"]
    assert agent.current_count == 2 * index.windows.current_days
