"""The two windows growth compares, and how a window is read from the rollups."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

MIN_MONTHS = 1
MAX_MONTHS = 24


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later (or earlier), clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


@dataclass(frozen=True)
class Windows:
    months: int
    current_start: date
    current_end: date
    previous_start: date
    previous_end: date

    @classmethod
    def ending(cls, end: date, months: int) -> Windows:
        # Counted back from the day after the end, so a window ending on a month's last day
        # is whole calendar months (June 1-30, not May 31-June 30).
        after = end + timedelta(days=1)
        current_start = add_months(after, -months)
        previous_start = add_months(after, -2 * months)
        return cls(months, current_start, end, previous_start, current_start - timedelta(days=1))

    @property
    def current_days(self) -> int:
        return (self.current_end - self.current_start).days + 1

    @property
    def previous_days(self) -> int:
        return (self.previous_end - self.previous_start).days + 1


@dataclass(frozen=True)
class Span:
    """A window as whole months plus or minus month-to-date sums at its edges:
    [May 16, Nov 15] = May - MTD(May 15) + June..October + MTD(Nov 15)."""

    months: tuple[date, ...]
    """First days of the months counted whole."""
    month_to_date: tuple[tuple[int, date], ...]
    """(sign, day): add or subtract each key's searches from the 1st of that day's month
    through that day."""


def span(start: date, end: date, *, nothing_after: bool = False) -> Span:
    """``nothing_after``: no day after ``end`` is rolled up, so the month of ``end`` is read
    whole from its monthly row (its days after ``end`` hold nothing)."""
    months: list[date] = []
    edges: list[tuple[int, date]] = []
    cursor = start
    if start.day != 1:
        before = start - timedelta(days=1)
        if month_end(start) > end and not nothing_after:
            return Span((), ((1, end), (-1, before)))  # within one month
        months.append(start.replace(day=1))
        edges.append((-1, before))
        cursor = month_end(start) + timedelta(days=1)
    while cursor <= end:
        if month_end(cursor) <= end or nothing_after:
            months.append(cursor)
        else:
            edges.append((1, end))
        cursor = month_end(cursor) + timedelta(days=1)
    return Span(tuple(months), tuple(edges))
