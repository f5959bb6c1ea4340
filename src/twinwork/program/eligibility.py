"""Eligibility for the creation program: rules as data, checked against a freelancer's facts.

The facts belong to other domains. The seller level and rating (catalog) and the consented
samples (portfolio) are read from those domains, which sit below the program. Completed
orders belong to orders, which sit above it (orders build on personal models, which check
membership here), so orders register that count (``register_completed_orders``) instead of
the program importing them. Unregistered, it is an error, not a silent zero: a freelancer must
never fail a rule for a missing wire.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.catalog.models import LEVEL_LABELS, LEVELS
from twinwork.catalog.service import profile_service
from twinwork.kit.rules import RuleCheck
from twinwork.portfolio.service import portfolio_service
from twinwork.program.models import ProgramRules

CompletedOrders = Callable[[AsyncSession, int], Awaitable[int]]
"""Counts a freelancer's completed orders (by user id)."""
_completed_orders: CompletedOrders | None = None


def register_completed_orders(source: CompletedOrders) -> None:
    global _completed_orders
    _completed_orders = source


@dataclass(frozen=True)
class Facts:
    level: str
    rating: float
    completed_orders: int
    consented_samples: int


@dataclass(frozen=True)
class Eligibility:
    checks: list[RuleCheck]

    @property
    def eligible(self) -> bool:
        return all(check.passed for check in self.checks)

    def evidence(self) -> list[dict[str, object]]:
        return [check.as_evidence() for check in self.checks]


async def facts_of(session: AsyncSession, user: User) -> Facts:
    if _completed_orders is None:
        raise RuntimeError(
            "nothing counts completed orders for the program's rules; call "
            "twinwork.domains.load_domains() at start-up"
        )
    profile = await profile_service.for_user(session, user)
    totals = await portfolio_service.totals(session, user)
    return Facts(
        level=profile.level,
        rating=float(profile.rating),
        completed_orders=await _completed_orders(session, user.id),
        consented_samples=totals.consented,
    )


def check_rules(rules: ProgramRules, facts: Facts) -> Eligibility:
    level, rating = facts.level, facts.rating
    orders, samples = facts.completed_orders, facts.consented_samples
    wanted_level = LEVEL_LABELS.get(rules.min_level, rules.min_level)
    level_ok = _rank(level) >= _rank(rules.min_level)
    return Eligibility(
        [
            RuleCheck(
                "level",
                f"Seller level {wanted_level} or above",
                level_ok,
                f"You are {LEVEL_LABELS.get(level, level)}",
                rules.min_level,
                level,
            ),
            RuleCheck(
                "rating",
                f"Rating of at least {rules.min_rating:.1f}",
                rating >= rules.min_rating,
                f"Your rating is {rating:.1f} of the {rules.min_rating:.1f} needed",
                rules.min_rating,
                rating,
            ),
            RuleCheck(
                "completed_orders",
                f"At least {rules.min_completed_orders} completed orders",
                orders >= rules.min_completed_orders,
                f"{orders} of {rules.min_completed_orders} completed orders",
                rules.min_completed_orders,
                orders,
            ),
            RuleCheck(
                "consented_samples",
                f"At least {rules.min_consented_samples} portfolio samples with consent to train",
                samples >= rules.min_consented_samples,
                f"{samples} of {rules.min_consented_samples} samples with consent to train",
                rules.min_consented_samples,
                samples,
            ),
        ]
    )


def _rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else -1
