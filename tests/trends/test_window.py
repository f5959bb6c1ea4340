from __future__ import annotations

import random
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from twinwork.trends.window import Span, Windows, add_months, span


def test_six_months_ending_on_a_day_and_the_six_before() -> None:
    w = Windows.ending(date(2026, 11, 29), 6)
    assert (w.current_start, w.current_end) == (date(2026, 5, 30), date(2026, 11, 29))
    assert (w.previous_start, w.previous_end) == (date(2025, 11, 30), date(2026, 5, 29))


def test_a_window_ending_on_a_months_last_day_is_whole_months() -> None:
    w = Windows.ending(date(2026, 6, 30), 3)
    assert (w.current_start, w.previous_start) == (date(2026, 4, 1), date(2026, 1, 1))
    assert span(w.current_start, w.current_end).month_to_date == ()


def test_month_arithmetic_clamps_to_the_end_of_the_month() -> None:
    assert add_months(date(2026, 8, 31), -6) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 15), -13) == date(2024, 12, 15)


def test_the_month_of_the_last_rolled_up_day_is_read_whole() -> None:
    # Nothing is rolled up after the end, so November's monthly row is exactly Nov 1-15.
    s = span(date(2026, 5, 16), date(2026, 11, 15), nothing_after=True)
    assert s.months == tuple(date(2026, m, 1) for m in range(5, 12))
    assert s.month_to_date == ((-1, date(2026, 5, 15)),)


def read_span(s: Span, daily: dict[date, int]) -> int:
    """A window's sum the way the index reads it: monthly rows and month-to-date rows."""
    total = 0
    for month in s.months:
        total += sum(n for d, n in daily.items() if d.replace(day=1) == month)
    for sign, day in s.month_to_date:
        first = day.replace(day=1)
        total += sign * sum(n for d, n in daily.items() if first <= d <= day)
    return total


@given(
    st.dates(date(2024, 1, 1), date(2026, 6, 30)),
    st.integers(0, 400),
    st.integers(0, 2**32 - 1),
)
def test_a_span_reads_exactly_the_searches_of_its_days(start: date, length: int, seed: int) -> None:
    end = start + timedelta(days=length)
    rng = random.Random(seed)
    first, last = date(2023, 12, 1), date(2027, 6, 30)
    daily = {first + timedelta(days=i): rng.randint(0, 5) for i in range((last - first).days + 1)}
    s = span(start, end)
    assert read_span(s, daily) == sum(n for d, n in daily.items() if start <= d <= end)
    assert len(s.month_to_date) <= 2  # the edges only: the index reads few daily rows
    # With nothing rolled up after the end, the last month is read whole.
    cut = {d: n for d, n in daily.items() if d <= end}
    assert read_span(span(start, end, nothing_after=True), cut) == read_span(s, daily)
