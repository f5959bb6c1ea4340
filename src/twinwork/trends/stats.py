"""Growth of search demand with its uncertainty: a rate ratio of two counts, never a bare %.

Searches in a window are treated as Poisson counts. Conditional on their sum, the current
count is binomial with p = R*t1 / (R*t1 + t0) (t = window length in days), so the exact
Clopper-Pearson interval for p gives an exact interval for the rate ratio R.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy.stats import beta  # type: ignore[import-untyped]  # no stubs shipped

CONFIDENCE = 0.95


class TrendStatus(StrEnum):
    RISING = "rising"
    NEW = "new"
    TOO_FEW = "too_few"
    FALLING = "falling"


@dataclass(frozen=True)
class RateRatio:
    estimate: float | None
    """None when the previous window had no searches (infinite growth)."""
    low: float | None
    """None when both counts are zero."""
    high: float | None
    """None when unbounded above (no searches in the previous window)."""


def rate_ratio(
    current: int, previous: int, current_days: int = 1, previous_days: int = 1
) -> RateRatio:
    """Rate ratio current/previous per day of window, with its exact 95% interval."""
    return rate_ratios([current], [previous], current_days, previous_days)[0]


def rate_ratios(
    current: Sequence[int], previous: Sequence[int], current_days: int = 1, previous_days: int = 1
) -> list[RateRatio]:
    """``rate_ratio`` for many pairs at once: one vectorised call of the beta quantile
    instead of thousands of scalar ones (which would cost the index ~0.1 ms a term)."""
    x = np.asarray(current, dtype=float)
    y = np.asarray(previous, dtype=float)
    if (x < 0).any() or (y < 0).any() or current_days <= 0 or previous_days <= 0:
        raise ValueError("counts must be >= 0 and window lengths > 0")
    exposure = previous_days / current_days
    alpha = 1 - CONFIDENCE
    # The beta quantile is undefined with a zero shape: those bounds are 0 and 1 exactly.
    p_low = np.where(x > 0, beta.ppf(alpha / 2, np.maximum(x, 1), y + 1), 0.0)
    p_high = np.where(y > 0, beta.ppf(1 - alpha / 2, x + 1, np.maximum(y, 1)), 1.0)
    ratios = []
    for xi, yi, lo, hi in zip(x, y, p_low, p_high, strict=True):
        if xi == 0 and yi == 0:
            ratios.append(RateRatio(None, None, None))
            continue
        ratios.append(
            RateRatio(
                None if yi == 0 else float(xi / yi * exposure),
                float(lo / (1 - lo) * exposure),
                None if hi >= 1.0 else float(hi / (1 - hi) * exposure),
            )
        )
    return ratios


def as_growth_pct(ratio: float | None) -> float | None:
    """A ratio as a change in percent (1.5 -> +50.0), rounded for display and export."""
    if ratio is None or math.isinf(ratio):
        return None
    return round((ratio - 1) * 100, 1)


def classify(current: int, previous: int, ratio: float | None, min_volume: int) -> TrendStatus:
    """A percentage is a headline only when the previous window had ``min_volume`` searches:
    below that a term is "new" (enough searches now) or has "too few" to say anything."""
    if previous < min_volume:
        return TrendStatus.NEW if current >= min_volume else TrendStatus.TOO_FEW
    assert ratio is not None  # previous >= min_volume >= 1
    return TrendStatus.RISING if ratio >= 1 else TrendStatus.FALLING
