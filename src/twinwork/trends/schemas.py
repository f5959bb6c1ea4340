from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from twinwork.trends.stats import TrendStatus


class TrendItemOut(BaseModel):
    term: str
    """The canonical term (synonyms folded in), or the category slug in ``categories``."""
    current_count: int
    previous_count: int
    growth_pct: float | None
    """Change of searches per day between the windows; null when the earlier window had too
    few searches for a percentage to mean anything (status new or too_few)."""
    ci_low_pct: float | None
    """95% interval of the growth (exact, from the two counts); null if both are zero."""
    ci_high_pct: float | None
    """Null when unbounded above: no searches in the earlier window."""
    status: TrendStatus
    current_share_pct: float | None
    """Share of all searches in the current window, in percent."""
    previous_share_pct: float | None
    share_growth_pct: float | None
    """Growth of that share: demand net of the growth of traffic."""


class WindowOut(BaseModel):
    months: int
    current_start: date | None
    current_end: date | None
    previous_start: date | None
    previous_end: date | None
    current_total: int
    """All searches in the current window (the base of the shares)."""
    previous_total: int
    min_volume: int
    k_anonymity: int


class TrendsOut(BaseModel):
    items: list[TrendItemOut]
    categories: list[TrendItemOut]
    window: WindowOut


class WeekOut(BaseModel):
    week_start: date
    searches: int | None
    """Null when fewer than the k-anonymity threshold (but not zero) searched that week."""
    share_pct: float | None
    days: int
    """Days of the week inside the windows (the first and last weeks may be partial)."""


class TermTrendOut(BaseModel):
    term: str
    variants: list[str]
    """Normalised terms counted as this one (the synonyms operators set)."""
    trend: TrendItemOut
    weeks: list[WeekOut]
    window: WindowOut


class ImportErrorOut(BaseModel):
    line: int
    field: str
    message: str


class ImportOut(BaseModel):
    imported: int
    days: list[date]
    """Days the import added to; they are exported and rolled up in the background."""
