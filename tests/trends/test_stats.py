from __future__ import annotations

import pytest

from twinwork.trends.stats import TrendStatus, as_growth_pct, classify, rate_ratio


def test_interval_for_2000_against_20_is_about_64x_to_164x() -> None:
    ratio = rate_ratio(2000, 20)
    assert ratio.estimate == 100
    assert ratio.low == pytest.approx(64.57, abs=0.05)
    assert ratio.high == pytest.approx(164.07, abs=0.05)


def test_three_against_none_is_unbounded_above() -> None:
    ratio = rate_ratio(3, 0)
    assert ratio.estimate is None and ratio.high is None
    assert ratio.low is not None and 0 < ratio.low < 1


def test_nothing_in_either_window_has_no_interval() -> None:
    assert rate_ratio(0, 0) == rate_ratio(0, 0).__class__(None, None, None)


def test_windows_of_different_lengths_compare_searches_per_day() -> None:
    # 184 days against 181: the same daily rate is no growth.
    ratio = rate_ratio(184, 181, current_days=184, previous_days=181)
    assert ratio.estimate == pytest.approx(1.0)
    assert ratio.low is not None and ratio.high is not None and ratio.low < 1 < ratio.high


def test_a_huge_percentage_from_two_searches_is_never_a_headline() -> None:
    ratio = rate_ratio(369, 2)
    assert classify(369, 2, ratio.estimate, min_volume=30) == TrendStatus.NEW
    assert classify(12, 0, None, min_volume=30) == TrendStatus.TOO_FEW
    assert classify(60, 30, 2.0, min_volume=30) == TrendStatus.RISING
    assert classify(20, 30, 0.66, min_volume=30) == TrendStatus.FALLING


def test_growth_percent_from_a_ratio() -> None:
    assert as_growth_pct(1.5) == 50.0
    assert as_growth_pct(0.25) == -75.0
    assert as_growth_pct(None) is None


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        rate_ratio(-1, 3)
