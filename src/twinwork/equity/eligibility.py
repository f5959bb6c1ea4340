"""Who qualifies for equity in a measurement year, and why: rules as data, checked against
a freelancer's facts. Pure: no database; the service gathers the facts.

First grant: a qualifying seller level held without a break for ``level_years`` up to the
end of the year (so through the whole year), earnings of at least ``min_earnings_amount``
with ``min_growth_percent`` growth over the year before or ``high_earnings_amount`` alone,
and, when the rules list countries, residence in one of them. Each later tranche, in the
years after the first grant, needs only that year's earnings bar with growth again; a year
that misses it forfeits its tranche (the award runs over a fixed span of years).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from twinwork.catalog.models import LEVEL_LABELS
from twinwork.equity.models import EquityRules
from twinwork.kit.money import format_amount
from twinwork.kit.rules import RuleCheck

NEAR_MISS_PERCENT = 75
"""Not eligible, but earning at least this share of the bar: listed as a near miss."""


def year_start(year: int) -> datetime:
    return datetime(year, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class LevelChange:
    level: str
    changed_at: datetime


@dataclass(frozen=True)
class GrantFact:
    year: int
    tranche: int


@dataclass(frozen=True)
class Facts:
    user_id: int
    year: int
    earnings_amount: int
    """In cents, the measurement year (to date, for the current year)."""
    previous_earnings_amount: int
    """In cents, the whole year before."""
    level_changes: Sequence[LevelChange]
    """Oldest first."""
    country: str
    grants: Sequence[GrantFact]
    """Grants made in other years."""
    until: datetime
    """The end of what is measured: the year's end, or now for the current year."""


@dataclass(frozen=True)
class Assessment:
    facts: Facts
    tranche: int | None
    """The tranche this year would grant; None when the award's years are over."""
    checks: list[RuleCheck]
    level_since: datetime | None
    near_miss_percent: int = NEAR_MISS_PERCENT

    @property
    def eligible(self) -> bool:
        return self.tranche is not None and all(c.passed for c in self.checks)

    @property
    def growth_basis_points(self) -> int | None:
        return growth_basis_points(self.facts.earnings_amount, self.facts.previous_earnings_amount)

    @property
    def lacking(self) -> list[RuleCheck]:
        return [c for c in self.checks if not c.passed]

    def evidence(self, rules: EquityRules) -> dict[str, object]:
        f = self.facts
        return {
            "year": f.year,
            "tranche": self.tranche,
            "currency": rules.currency,
            "earnings_amount": f.earnings_amount,
            "previous_earnings_amount": f.previous_earnings_amount,
            "growth_basis_points": self.growth_basis_points,
            "level_since": self.level_since.isoformat() if self.level_since else None,
            "level_history": [
                {"level": c.level, "since": c.changed_at.isoformat()}
                for c in f.level_changes
                if c.changed_at < f.until
            ],
            "country": f.country,
            "checks": [c.as_evidence() for c in self.checks],
            "rules": rules_snapshot(rules),
        }


def rules_snapshot(rules: EquityRules) -> dict[str, object]:
    return {
        "qualifying_levels": list(rules.qualifying_levels),
        "level_years": rules.level_years,
        "min_earnings_amount": rules.min_earnings_amount,
        "min_growth_percent": rules.min_growth_percent,
        "high_earnings_amount": rules.high_earnings_amount,
        "allowed_countries": list(rules.allowed_countries),
        "grant_amount": rules.grant_amount,
        "tranches": rules.tranches,
    }


def growth_basis_points(amount: int, previous_amount: int) -> int | None:
    """Growth over the year before in hundredths of a percent, rounded down; None when the
    year before earned nothing (any earnings are growth then)."""
    if previous_amount <= 0:
        return None
    return (amount - previous_amount) * 10_000 // previous_amount


def grew_enough(amount: int, previous_amount: int, percent: int) -> bool:
    """Exact, in integers: whether amount is at least previous grown by percent."""
    return amount * 100 >= previous_amount * (100 + percent)


def growth_target_amount(previous_amount: int, percent: int) -> int:
    """The least amount, in cents, that grows ``percent`` on ``previous_amount``."""
    return -(-previous_amount * (100 + percent) // 100)


def format_growth(basis_points: int | None) -> str:
    if basis_points is None:
        return "new earnings (nothing the year before)"
    sign = "-" if basis_points < 0 else "+"
    whole, hundredths = divmod(abs(basis_points), 100)
    return f"{sign}{whole}.{hundredths // 10}%"


def qualifying_since(
    changes: Sequence[LevelChange], levels: Sequence[str], until: datetime
) -> datetime | None:
    """When the unbroken run of qualifying levels in effect just before ``until`` began
    (moving between two qualifying levels keeps the run); None when not at one then."""
    since: datetime | None = None
    for change in changes:
        if change.changed_at >= until:
            break
        if change.level in levels:
            since = since or change.changed_at
        else:
            since = None
    return since


def tranche_for(rules: EquityRules, year: int, grants: Sequence[GrantFact]) -> int | None:
    """Which tranche a grant for ``year`` would be: 1 before any grant, else counted in years
    from the first grant; None once the award's years are over (or for a year before it)."""
    if not grants:
        return 1
    first_year = min(g.year for g in grants)
    tranche = year - first_year + 1
    return tranche if 1 < tranche <= rules.tranches else None


def assess(rules: EquityRules, facts: Facts) -> Assessment:
    tranche = tranche_for(rules, facts.year, facts.grants)
    levels = list(rules.qualifying_levels)
    since = qualifying_since(facts.level_changes, levels, facts.until)
    if tranche is None or tranche > 1:
        return Assessment(facts, tranche, [_bar_check(rules, facts)], since)
    checks = [
        _level_check(rules, facts, since),
        _first_earnings_check(rules, facts),
        _residency_check(rules, facts),
    ]
    return Assessment(facts, tranche, checks, since)


def is_near_miss(rules: EquityRules, assessment: Assessment) -> bool:
    if assessment.eligible or assessment.tranche is None:
        return False
    if assessment.tranche > 1:  # a tranche at stake is always worth a look
        return True
    earned = assessment.facts.earnings_amount * 100
    return earned >= rules.min_earnings_amount * assessment.near_miss_percent


def _money(amount: int, rules: EquityRules) -> str:
    return format_amount(amount, rules.currency)


def _level_names(levels: Sequence[str]) -> str:
    return " or ".join(LEVEL_LABELS.get(level, level) for level in levels) or "no level"


def _level_check(rules: EquityRules, facts: Facts, since: datetime | None) -> RuleCheck:
    # Held since this moment, it covers the whole year and level_years years by its end.
    needed = year_start(facts.year + 1 - rules.level_years)
    years = "a year" if rules.level_years == 1 else f"{rules.level_years} years"
    label = (
        f"{_level_names(rules.qualifying_levels)} for {years} without a break, through {facts.year}"
    )
    current = [c for c in facts.level_changes if c.changed_at < facts.until]
    level = LEVEL_LABELS.get(current[-1].level, current[-1].level) if current else "No level"
    if since is None:
        figure = f"{level} at the end of the period: not a qualifying level"
    elif since <= needed:
        figure = f"{level}; at a qualifying level without a break since {since:%Y-%m-%d}"
    else:
        figure = (
            f"{level}; at a qualifying level only since {since:%Y-%m-%d}: needs "
            f"{needed:%Y-%m-%d} or earlier"
        )
    return RuleCheck(
        "level",
        label,
        since is not None and since <= needed,
        figure,
        needed.date().isoformat(),
        since.date().isoformat() if since else None,
    )


def _first_earnings_check(rules: EquityRules, facts: Facts) -> RuleCheck:
    amount, previous = facts.earnings_amount, facts.previous_earnings_amount
    grew = grew_enough(amount, previous, rules.min_growth_percent)
    by_bar = amount >= rules.min_earnings_amount and grew
    by_high = amount >= rules.high_earnings_amount
    label = (
        f"Earnings of {_money(rules.min_earnings_amount, rules)} with "
        f"{rules.min_growth_percent}% growth, or {_money(rules.high_earnings_amount, rules)}"
    )
    return RuleCheck(
        "earnings",
        label,
        by_bar or by_high,
        _earnings_figure(rules, facts, grew, high=by_high),
        rules.min_earnings_amount,
        amount,
    )


def _bar_check(rules: EquityRules, facts: Facts) -> RuleCheck:
    amount, previous = facts.earnings_amount, facts.previous_earnings_amount
    grew = grew_enough(amount, previous, rules.min_growth_percent)
    label = (
        f"Earnings of {_money(rules.min_earnings_amount, rules)} with "
        f"{rules.min_growth_percent}% growth again"
    )
    return RuleCheck(
        "earnings",
        label,
        amount >= rules.min_earnings_amount and grew,
        _earnings_figure(rules, facts, grew, high=False),
        rules.min_earnings_amount,
        amount,
    )


def _earnings_figure(rules: EquityRules, facts: Facts, grew: bool, *, high: bool) -> str:
    amount, previous = facts.earnings_amount, facts.previous_earnings_amount
    if previous > 0:
        growth = format_growth(growth_basis_points(amount, previous))
        before = f"{growth} on {_money(previous, rules)} in {facts.year - 1}"
    else:
        before = f"nothing earned in {facts.year - 1}"
    figure = f"{_money(amount, rules)} in {facts.year} ({before})"
    if high:
        return figure
    missing = []
    if amount < rules.min_earnings_amount:
        missing.append(f"{_money(rules.min_earnings_amount - amount, rules)} short of the bar")
    if not grew:
        target = growth_target_amount(previous, rules.min_growth_percent)
        missing.append(
            f"{rules.min_growth_percent}% growth needs {_money(target, rules)} "
            f"({_money(target - amount, rules)} more)"
        )
    return figure + (": " + "; ".join(missing) if missing else "")


def _residency_check(rules: EquityRules, facts: Facts) -> RuleCheck:
    allowed = list(rules.allowed_countries)
    country = facts.country or ""
    if not allowed:
        where = f"lives in {country}" if country else "no country on the profile"
        return RuleCheck(
            "residency", "No residency condition", True, f"Open to all ({where})", [], country
        )
    passed = country in allowed
    figure = f"Lives in {country}" if country else "No residence country on the profile"
    if not passed:
        figure += f": the programme is open to residents of {', '.join(allowed)}"
    return RuleCheck(
        "residency",
        f"Resident of {', '.join(allowed)}",
        passed,
        figure,
        allowed,
        country or None,
    )
