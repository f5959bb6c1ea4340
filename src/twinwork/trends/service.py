"""The Business Trends Index: growth of search demand per term and per category, with base
counts, shares of all searches and exact intervals, read from the daily rollups."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.catalog.service import category_service
from twinwork.config import get_settings
from twinwork.kit.errors import Conflict, NotFound, ValidationFailed
from twinwork.trends.importer import MAX_REPORTED_ERRORS, parse_csv
from twinwork.trends.models import Dimension, TrendSynonym
from twinwork.trends.repository import trend_repository
from twinwork.trends.stats import (
    RateRatio,
    TrendStatus,
    as_growth_pct,
    classify,
    rate_ratio,
    rate_ratios,
)
from twinwork.trends.terms import MAX_TERM_LENGTH, term_key
from twinwork.trends.window import MAX_MONTHS, MIN_MONTHS, Windows, span

IMPORT_SESSION = "import"
"""session_hash of imported history: no visitor behind it to tell apart."""

_ORDER = {TrendStatus.RISING: 0, TrendStatus.NEW: 1, TrendStatus.FALLING: 2, TrendStatus.TOO_FEW: 3}


@dataclass(frozen=True)
class TrendRow:
    key: str
    """The canonical term, or the category slug."""
    label: str
    current_count: int
    previous_count: int
    growth_pct: float | None
    """None for new terms and those with too few searches: no headline from small numbers."""
    ci_low_pct: float | None
    ci_high_pct: float | None
    """None when unbounded above (no searches in the previous window)."""
    status: TrendStatus
    current_share_pct: float | None
    previous_share_pct: float | None
    share_growth_pct: float | None
    """Growth of the share of all searches: demand net of the growth of traffic."""
    public: bool
    """Every count shown is zero or at least the k-anonymity threshold."""

    @property
    def sort_key(self) -> tuple[int, float, int, str]:
        if self.status == TrendStatus.RISING:
            score = -(self.ci_low_pct or 0.0)
        elif self.status == TrendStatus.FALLING:
            score = self.ci_high_pct if self.ci_high_pct is not None else math.inf
        else:
            score = 0.0
        return (_ORDER[self.status], score, -self.current_count, self.key)


@dataclass(frozen=True)
class TrendIndex:
    windows: Windows | None
    """None until a day of searches has been rolled up."""
    current_total: int
    previous_total: int
    terms: list[TrendRow]
    categories: list[TrendRow]
    k_anonymity: int
    min_volume: int


@dataclass(frozen=True)
class WeekPoint:
    week_start: date
    searches: int | None
    """None on public pages when 1..k-1 searches were made that week."""
    share_pct: float | None
    days: int
    """Days of this week inside the windows: the first and last weeks may be partial."""


@dataclass(frozen=True)
class TermTrend:
    term: str
    variants: tuple[str, ...]
    row: TrendRow
    weeks: list[WeekPoint]
    windows: Windows
    current_total: int
    previous_total: int


@dataclass(frozen=True)
class ImportResult:
    imported: int
    days: tuple[date, ...]


def _pct(part: int, whole: int) -> float | None:
    return round(part / whole * 100, 4) if whole else None


class TrendService:
    def validate_window(self, months: int) -> None:
        if not MIN_MONTHS <= months <= MAX_MONTHS:
            raise ValidationFailed(
                f"Choose a window of {MIN_MONTHS} to {MAX_MONTHS} months.", field="window_months"
            )

    async def _windows(self, session: AsyncSession, months: int) -> tuple[Windows, bool] | None:
        """The windows, ending on the last whole day rolled up, and whether nothing is rolled
        up after their end."""
        self.validate_window(months)
        last = await trend_repository.last_day(session)
        if last is None:
            return None
        # Today's file is re-exported every hour: a day still filling in would read as a dip.
        end = min(last, datetime.now(UTC).date() - timedelta(days=1))
        return Windows.ending(end, months), end == last

    async def index(
        self, session: AsyncSession, months: int, limit: int, *, public: bool = True
    ) -> TrendIndex:
        settings = get_settings()
        found = await self._windows(session, months)
        k, volume = settings.trends_k_anonymity, settings.trends_min_volume
        if found is None:
            return TrendIndex(None, 0, 0, [], [], k, volume)
        windows, nothing_after = found
        current_total = await trend_repository.totals(
            session, windows.current_start, windows.current_end
        )
        previous_total = await trend_repository.totals(
            session, windows.previous_start, windows.previous_end
        )
        canonical = await self.synonym_map(session)
        names = {c.slug: c.name for c in await category_service.all(session)}
        lists: dict[Dimension, list[TrendRow]] = {}
        for dimension in Dimension:
            counts = await trend_repository.window_counts(
                session,
                dimension,
                [
                    span(windows.current_start, windows.current_end, nothing_after=nothing_after),
                    span(windows.previous_start, windows.previous_end),
                ],
            )
            if dimension == Dimension.TERM:
                counts = _merge(counts, canonical)
            lists[dimension] = self.ranked(
                counts,
                windows,
                (current_total, previous_total),
                names if dimension == Dimension.CATEGORY else {},
                public=public,
                limit=limit,
            )
        return TrendIndex(
            windows,
            current_total,
            previous_total,
            lists[Dimension.TERM],
            lists[Dimension.CATEGORY],
            k,
            volume,
        )

    def ranked(
        self,
        counts: dict[str, list[int]],
        windows: Windows,
        totals: tuple[int, int],
        labels: dict[str, str],
        *,
        public: bool,
        limit: int,
    ) -> list[TrendRow]:
        """Rows of the index from each key's searches in the two windows, best first."""
        settings = get_settings()
        k, volume = settings.trends_k_anonymity, settings.trends_min_volume
        # Rows the public may not see are never built: most of a long tail is under k.
        keys = [
            key
            for key, (current, previous) in counts.items()
            if not public or (current >= k and (previous == 0 or previous >= k))
        ]
        ratios = rate_ratios(
            [counts[key][0] for key in keys],
            [counts[key][1] for key in keys],
            windows.current_days,
            windows.previous_days,
        )
        rows = [
            self._row(key, labels.get(key, key), *_pair(counts[key]), ratio, totals, k, volume)
            for key, ratio in zip(keys, ratios, strict=True)
        ]
        return sorted(rows, key=lambda r: r.sort_key)[:limit]

    def _row(
        self,
        key: str,
        label: str,
        current: int,
        previous: int,
        ratio: RateRatio,
        totals: tuple[int, int],
        k: int,
        min_volume: int,
    ) -> TrendRow:
        status = classify(current, previous, ratio.estimate, min_volume)
        headline = status in (TrendStatus.RISING, TrendStatus.FALLING)
        current_share, previous_share = _pct(current, totals[0]), _pct(previous, totals[1])
        share_growth = (
            as_growth_pct(current_share / previous_share)
            if headline and current_share is not None and previous_share
            else None
        )
        return TrendRow(
            key=key,
            label=label,
            current_count=current,
            previous_count=previous,
            growth_pct=as_growth_pct(ratio.estimate) if headline else None,
            ci_low_pct=as_growth_pct(ratio.low),
            ci_high_pct=as_growth_pct(ratio.high),
            status=status,
            current_share_pct=current_share,
            previous_share_pct=previous_share,
            share_growth_pct=share_growth,
            public=current >= k and (previous == 0 or previous >= k),
        )

    async def term(
        self, session: AsyncSession, raw: str, months: int, *, public: bool = True
    ) -> TermTrend:
        """A term's weekly searches over both windows, with its row of the index."""
        if len(raw) > MAX_TERM_LENGTH:
            raise ValidationFailed(
                f"A term has at most {MAX_TERM_LENGTH} characters.", field="term"
            )
        key = term_key(raw)
        if not key:
            raise ValidationFailed("Give a term with letters or digits.", field="term")
        found = await self._windows(session, months)
        if found is None:
            raise NotFound("No searches have been rolled up yet.")
        windows = found[0]
        canonical = await self.synonym_map(session)
        key = canonical.get(key, key)
        variants = tuple(sorted({key, *(v for v, c in canonical.items() if c == key)}))
        daily = await trend_repository.daily_series(
            session, Dimension.TERM, variants, windows.previous_start, windows.current_end
        )
        current = sum(n for d, n in daily.items() if d >= windows.current_start)
        previous = sum(daily.values()) - current
        totals = await trend_repository.daily_totals(
            session, windows.previous_start, windows.current_end
        )
        current_total = sum(n for d, n in totals.items() if d >= windows.current_start)
        previous_total = sum(totals.values()) - current_total
        ratio = rate_ratio(current, previous, windows.current_days, windows.previous_days)
        settings = get_settings()
        row = self._row(
            key,
            key,
            current,
            previous,
            ratio,
            (current_total, previous_total),
            settings.trends_k_anonymity,
            settings.trends_min_volume,
        )
        if public and not row.public:
            raise NotFound(
                f"Too few searches for {key!r} to show publicly; the index shows terms "
                f"searched at least {get_settings().trends_k_anonymity} times."
            )
        weeks = _weekly(daily, totals, windows, get_settings().trends_k_anonymity if public else 1)
        return TermTrend(key, variants, row, weeks, windows, current_total, previous_total)

    async def weekly_demand(self, session: AsyncSession, months: int = 6) -> list[WeekPoint]:
        """All searches per week over both windows of ``months`` (a year by default): the
        operators' picture of demand over time. Empty until something is rolled up."""
        found = await self._windows(session, months)
        if found is None:
            return []
        windows = found[0]
        totals = await trend_repository.daily_totals(
            session, windows.previous_start, windows.current_end
        )
        return _weekly(totals, totals, windows, 1)

    # ---- synonyms ------------------------------------------------------------------------

    async def synonym_map(self, session: AsyncSession) -> dict[str, str]:
        return {s.variant: s.canonical for s in await trend_repository.synonyms(session)}

    async def synonyms(self, session: AsyncSession) -> list[TrendSynonym]:
        return await trend_repository.synonyms(session)

    async def add_synonym(
        self, session: AsyncSession, variant: str, canonical: str
    ) -> TrendSynonym:
        """Count searches for ``variant`` as ``canonical`` from now on, over all history."""
        variant_key, canonical_key = term_key(variant), term_key(canonical)
        if not variant_key:
            raise ValidationFailed("Give the variant with letters or digits.", field="variant")
        if not canonical_key:
            raise ValidationFailed("Give the main term with letters or digits.", field="canonical")
        if variant_key == canonical_key:
            raise ValidationFailed(
                f"{variant!r} and {canonical!r} are already the same term ({variant_key!r}): "
                "case, punctuation and plurals are folded without a synonym.",
                field="variant",
            )
        mapping = await self.synonym_map(session)
        # One level only: a chain (a -> b -> c) would make the meaning depend on edit order.
        canonical_key = mapping.get(canonical_key, canonical_key)
        if variant_key in mapping.values():
            raise Conflict(
                f"{variant_key!r} is the main term of other synonyms; remove those first or "
                "make it the main term here.",
                field="variant",
            )
        existing = await trend_repository.synonym(session, variant_key)
        if existing is not None:
            existing.canonical = canonical_key
            await session.flush()
            return existing
        synonym = TrendSynonym(variant=variant_key, canonical=canonical_key)
        await trend_repository.add_synonym(session, synonym)
        return synonym

    async def remove_synonym(self, session: AsyncSession, variant: str) -> None:
        synonym = await trend_repository.synonym(session, term_key(variant))
        if synonym is None:
            raise NotFound(f"No synonym {variant!r}.", field="variant")
        await trend_repository.delete_synonym(session, synonym)

    # ---- importing history ---------------------------------------------------------------

    async def import_events(self, session: AsyncSession, text: str) -> ImportResult:
        """Add operators' search history; all rows or, if any is bad, none."""
        categories = {c.slug for c in await category_service.all(session)}
        rows, errors = parse_csv(
            text, categories, datetime.now(UTC), get_settings().trends_import_max_rows
        )
        if errors:
            shown = errors[:MAX_REPORTED_ERRORS]
            raise ValidationFailed(
                f"{len(errors)} line{'s' if len(errors) > 1 else ''} could not be read; "
                "nothing was imported. Fix the lines listed and send the whole file again.",
                errors=[{"line": e.line, "field": e.field, "message": e.message} for e in shown],
            )
        if not rows:
            raise ValidationFailed("The file has a header but no rows; nothing was imported.")
        values = [
            {
                "occurred_at": r.occurred_at,
                "raw_query": r.raw_query,
                "term": r.term,
                "category_slug": r.category_slug,
                "result_count": 0,
                "session_hash": IMPORT_SESSION,
            }
            for r in rows
        ]
        await trend_repository.add_search_events(session, values)
        return ImportResult(len(rows), tuple(sorted({r.occurred_at.date() for r in rows})))


def _merge(counts: dict[str, list[int]], canonical: dict[str, str]) -> dict[str, list[int]]:
    merged: dict[str, list[int]] = {}
    for key, values in counts.items():
        target = merged.setdefault(canonical.get(key, key), [0] * len(values))
        for i, n in enumerate(values):
            target[i] += n
    return merged


def _weekly(
    daily: dict[date, int], totals: dict[date, int], windows: Windows, k: int
) -> list[WeekPoint]:
    """Monday-based weeks over both windows; counts of 1..k-1 hidden on public pages."""
    first = windows.previous_start - timedelta(days=windows.previous_start.weekday())
    weeks: list[WeekPoint] = []
    week = first
    while week <= windows.current_end:
        days = [
            d
            for d in (week + timedelta(days=i) for i in range(7))
            if windows.previous_start <= d <= windows.current_end
        ]
        searches = sum(daily.get(d, 0) for d in days)
        total = sum(totals.get(d, 0) for d in days)
        hidden = 0 < searches < k
        weeks.append(
            WeekPoint(
                week,
                None if hidden else searches,
                None if hidden else _pct(searches, total),
                len(days),
            )
        )
        week += timedelta(days=7)
    return weeks


def _pair(values: list[int]) -> tuple[int, int]:
    return values[0], values[1]


trend_service = TrendService()
