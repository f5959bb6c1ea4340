"""Every SQL query of the Trends Index: rollup rows in and out, the watermark, synonyms."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from sqlalchemy import Select, delete, func, insert, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.search.models import SearchEvent
from twinwork.trends.models import Dimension, TrendDaily, TrendDay, TrendMonthly, TrendSynonym
from twinwork.trends.window import Span

DayRows = dict[tuple[Dimension, str], int]


class TrendRepository:
    # ---- the watermark -------------------------------------------------------------------

    async def rolled_days(self, session: AsyncSession) -> dict[date, str]:
        result = await session.execute(select(TrendDay.day, TrendDay.source_version))
        return dict(result.all())

    async def last_day(self, session: AsyncSession) -> date | None:
        return await session.scalar(select(func.max(TrendDay.day)))

    async def last_day_between(self, session: AsyncSession, start: date, end: date) -> date | None:
        return await session.scalar(
            select(func.max(TrendDay.day)).where(TrendDay.day >= start, TrendDay.day <= end)
        )

    async def days_between(self, session: AsyncSession, start: date, end: date) -> list[date]:
        result = await session.scalars(
            select(TrendDay.day).where(TrendDay.day >= start, TrendDay.day <= end)
        )
        return sorted(result.all())

    async def record_day(
        self, session: AsyncSession, day: date, total: int, version: str, now: datetime
    ) -> None:
        await self.forget_day(session, day)
        session.add(TrendDay(day=day, searches=total, source_version=version, rolled_up_at=now))
        await session.flush()

    async def forget_day(self, session: AsyncSession, day: date) -> None:
        await session.execute(delete(TrendDay).where(TrendDay.day == day))

    # ---- daily and monthly rows ----------------------------------------------------------

    async def month_to_date(self, session: AsyncSession, day: date) -> DayRows:
        result = await session.execute(
            select(TrendDaily.dimension, TrendDaily.key, TrendDaily.month_to_date).where(
                TrendDaily.day == day
            )
        )
        return {(dim, key): n for dim, key, n in result.all()}

    async def searches_by_day(
        self, session: AsyncSession, start: date, end: date
    ) -> dict[date, DayRows]:
        result = await session.execute(
            select(TrendDaily.day, TrendDaily.dimension, TrendDaily.key, TrendDaily.searches).where(
                TrendDaily.day >= start, TrendDaily.day <= end, TrendDaily.searches > 0
            )
        )
        days: dict[date, DayRows] = {}
        for day, dim, key, n in result.all():
            days.setdefault(day, {})[(dim, key)] = n
        return days

    async def replace_daily(
        self, session: AsyncSession, start: date, end: date, values: list[dict[str, object]]
    ) -> None:
        await session.execute(
            delete(TrendDaily).where(TrendDaily.day >= start, TrendDaily.day <= end)
        )
        for offset in range(0, len(values), 5000):
            await session.execute(insert(TrendDaily), values[offset : offset + 5000])

    async def replace_month(self, session: AsyncSession, month: date, sums: DayRows) -> None:
        await session.execute(delete(TrendMonthly).where(TrendMonthly.month == month))
        values = [
            {"month": month, "dimension": dim, "key": key, "searches": n}
            for (dim, key), n in sums.items()
        ]
        for offset in range(0, len(values), 5000):
            await session.execute(insert(TrendMonthly), values[offset : offset + 5000])

    # ---- reading the index ---------------------------------------------------------------

    async def window_counts(
        self, session: AsyncSession, dimension: Dimension, windows: Sequence[Span]
    ) -> dict[str, list[int]]:
        """Searches per key in each window: whole months, plus or minus month-to-date sums."""
        parts: list[Select[str, int, int]] = []
        for index, span in enumerate(windows):
            if span.months:
                parts.append(
                    select(TrendMonthly.key, TrendMonthly.searches, literal(index)).where(
                        TrendMonthly.dimension == dimension, TrendMonthly.month.in_(span.months)
                    )
                )
            for sign, day in span.month_to_date:
                # The month-to-date sums of the last rolled-up day on or before ``day``.
                rolled = await self.last_day_between(session, day.replace(day=1), day)
                if rolled is None:
                    continue
                parts.append(
                    select(TrendDaily.key, TrendDaily.month_to_date * sign, literal(index)).where(
                        TrendDaily.dimension == dimension, TrendDaily.day == rolled
                    )
                )
        counts: dict[str, list[int]] = {}
        if not parts:
            return counts
        rows = union_all(*parts).subquery()
        key, searches, window = rows.c
        result = await session.execute(
            select(key, window, func.sum(searches)).group_by(key, window)
        )
        for term, index, total in result.all():
            counts.setdefault(term, [0] * len(windows))[int(index)] = int(total)
        # A key may appear in the edges' rows only to be subtracted away again.
        return {k: v for k, v in counts.items() if any(v)}

    async def totals(self, session: AsyncSession, start: date, end: date) -> int:
        total = await session.scalar(
            select(func.sum(TrendDay.searches)).where(TrendDay.day >= start, TrendDay.day <= end)
        )
        return int(total or 0)

    async def daily_totals(self, session: AsyncSession, start: date, end: date) -> dict[date, int]:
        result = await session.execute(
            select(TrendDay.day, TrendDay.searches).where(
                TrendDay.day >= start, TrendDay.day <= end
            )
        )
        return dict(result.all())

    async def daily_series(
        self,
        session: AsyncSession,
        dimension: Dimension,
        keys: Iterable[str],
        start: date,
        end: date,
    ) -> dict[date, int]:
        result = await session.execute(
            select(TrendDaily.day, func.sum(TrendDaily.searches))
            .where(
                TrendDaily.dimension == dimension,
                TrendDaily.key.in_(list(keys)),
                TrendDaily.day >= start,
                TrendDaily.day <= end,
            )
            .group_by(TrendDaily.day)
        )
        return {day: int(n) for day, n in result.all()}

    async def add_search_events(
        self, session: AsyncSession, values: Sequence[Mapping[str, object]]
    ) -> None:
        """Imported history goes into the search log itself, and on to the export from there."""
        for start in range(0, len(values), 5000):
            await session.execute(insert(SearchEvent), values[start : start + 5000])

    # ---- synonyms ------------------------------------------------------------------------

    async def synonyms(self, session: AsyncSession) -> list[TrendSynonym]:
        result = await session.scalars(select(TrendSynonym).order_by(TrendSynonym.canonical))
        return list(result.all())

    async def synonym(self, session: AsyncSession, variant: str) -> TrendSynonym | None:
        return await session.get(TrendSynonym, variant)

    async def add_synonym(self, session: AsyncSession, synonym: TrendSynonym) -> None:
        session.add(synonym)
        await session.flush()

    async def delete_synonym(self, session: AsyncSession, synonym: TrendSynonym) -> None:
        await session.delete(synonym)
        await session.flush()


trend_repository = TrendRepository()
