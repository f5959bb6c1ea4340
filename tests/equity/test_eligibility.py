"""The rules themselves, on facts given directly: the level run, the earnings bar with its
growth, the high-earnings path, residency, and which tranche a year would grant."""

from __future__ import annotations

from datetime import UTC, datetime

from twinwork.equity.eligibility import (
    Facts,
    GrantFact,
    LevelChange,
    assess,
    format_growth,
    growth_basis_points,
    is_near_miss,
    qualifying_since,
    tranche_for,
)
from twinwork.equity.models import EquityRules

YEAR = 2025


def rules(**changes: object) -> EquityRules:
    values: dict[str, object] = {
        "qualifying_levels": ["top_rated", "pro"],
        "level_years": 1,
        "min_earnings_amount": 3_000_000,
        "min_growth_percent": 10,
        "high_earnings_amount": 10_000_000,
        "allowed_countries": [],
        "grant_amount": 250_000,
        "tranches": 4,
        "currency": "USD",
    }
    values.update(changes)
    return EquityRules(id=1, **values)


def at(year: int, month: int = 1, dom: int = 1) -> datetime:
    return datetime(year, month, dom, tzinfo=UTC)


def facts(
    earnings: int,
    previous: int,
    *,
    levels: tuple[tuple[str, datetime], ...] = (("new", at(2020)), ("pro", at(2023))),
    country: str = "US",
    grants: tuple[GrantFact, ...] = (),
    year: int = YEAR,
) -> Facts:
    return Facts(
        user_id=1,
        year=year,
        earnings_amount=earnings,
        previous_earnings_amount=previous,
        level_changes=[LevelChange(level, when) for level, when in levels],
        country=country,
        grants=list(grants),
        until=at(year + 1),
    )


def test_thirty_thousand_with_exactly_ten_percent_growth_qualifies() -> None:
    assessment = assess(rules(), facts(3_300_000, 3_000_000))
    assert assessment.eligible and assessment.tranche == 1
    assert assessment.growth_basis_points == 1000


def test_growth_a_cent_short_of_ten_percent_is_a_near_miss_that_says_what_is_missing() -> None:
    assessment = assess(rules(), facts(3_299_999, 3_000_000))
    assert not assessment.eligible
    assert is_near_miss(rules(), assessment)
    [lacking] = assessment.lacking
    assert lacking.key == "earnings"
    assert "10% growth needs $33,000 ($0.01 more)" in lacking.figure


def test_a_hundred_thousand_qualifies_without_growth() -> None:
    assert assess(rules(), facts(10_000_000, 20_000_000)).eligible
    assert not assess(rules(), facts(9_999_999, 20_000_000)).eligible


def test_earnings_below_the_bar_fail_even_with_growth() -> None:
    assessment = assess(rules(), facts(2_999_999, 100))
    assert [c.key for c in assessment.lacking] == ["earnings"]
    assert "$0.01 short of the bar" in assessment.lacking[0].figure


def test_nothing_earned_the_year_before_counts_as_growth() -> None:
    assessment = assess(rules(), facts(3_000_000, 0))
    assert assessment.eligible and assessment.growth_basis_points is None
    assert "nothing earned in 2024" in assessment.checks[1].figure


def test_level_reached_during_the_year_does_not_cover_it() -> None:
    late = (("new", at(2020)), ("pro", at(YEAR, 3, 10)))
    assessment = assess(rules(), facts(5_000_000, 1_000_000, levels=late))
    assert [c.key for c in assessment.lacking] == ["level"]
    assert "only since 2025-03-10: needs 2025-01-01 or earlier" in assessment.lacking[0].figure


def test_a_break_in_the_level_restarts_the_run_but_moving_between_qualifying_levels_does_not() -> (
    None
):
    broken = (("top_rated", at(2022)), ("level_2", at(YEAR, 6)), ("pro", at(YEAR, 7)))
    assert not assess(rules(), facts(5_000_000, 1_000_000, levels=broken)).eligible
    moved = (("top_rated", at(2022)), ("pro", at(YEAR, 6)))
    assert assess(rules(), facts(5_000_000, 1_000_000, levels=moved)).eligible
    assert qualifying_since([LevelChange(*c) for c in moved], ["top_rated", "pro"], at(2026)) == (
        at(2022)
    )


def test_losing_the_level_after_the_year_does_not_change_that_year() -> None:
    after = (("pro", at(2022)), ("level_2", at(YEAR + 1, 2)))
    assert assess(rules(), facts(5_000_000, 1_000_000, levels=after)).eligible


def test_two_years_of_level_when_the_rules_ask_for_two() -> None:
    since_last_year = (("pro", at(YEAR - 1, 6)),)
    two = rules(level_years=2)
    assert not assess(two, facts(5_000_000, 1_000_000, levels=since_last_year)).eligible
    assert assess(two, facts(5_000_000, 1_000_000, levels=(("pro", at(YEAR - 1)),))).eligible


def test_residency_applies_only_when_the_rules_list_countries() -> None:
    assert assess(rules(), facts(5_000_000, 1_000_000, country="DE")).eligible
    limited = rules(allowed_countries=["US", "GB"])
    assessment = assess(limited, facts(5_000_000, 1_000_000, country="DE"))
    assert [c.key for c in assessment.lacking] == ["residency"]
    assert "residents of US, GB" in assessment.lacking[0].figure


def test_later_tranches_need_only_the_bar_with_growth_and_end_after_the_awards_years() -> None:
    first = (GrantFact(2022, 1),)
    assert tranche_for(rules(), 2023, first) == 2
    assert tranche_for(rules(), 2025, first) == 4
    assert tranche_for(rules(), 2026, first) is None
    no_level = (("level_1", at(2020)),)
    later = assess(rules(), facts(3_300_000, 3_000_000, levels=no_level, grants=first))
    assert later.eligible and later.tranche == 4 and [c.key for c in later.checks] == ["earnings"]
    # The high-earnings path is for the first grant only.
    assert not assess(rules(), facts(12_000_000, 20_000_000, grants=first)).eligible


def test_near_misses_are_those_close_to_the_bar_or_with_a_tranche_at_stake() -> None:
    assert not is_near_miss(rules(), assess(rules(), facts(2_249_999, 0)))
    assert is_near_miss(rules(), assess(rules(), facts(2_250_000, 10_000_000)))
    at_stake = assess(rules(), facts(100, 0, grants=(GrantFact(2024, 1),)))
    assert is_near_miss(rules(), at_stake)


def test_growth_is_rounded_down_in_basis_points() -> None:
    assert growth_basis_points(3_299_999, 3_000_000) == 999
    assert format_growth(999) == "+9.9%"
    assert format_growth(-2550) == "-25.5%"
