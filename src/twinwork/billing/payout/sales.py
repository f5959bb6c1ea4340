"""A freelancer's sales as the earnings page shows them: each sale with its price, the
platform's fee and when it can be withdrawn, and the month-by-month totals of the chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.billing.sale import SALE_REASONS
from twinwork.config import get_settings
from twinwork.kit.db import utcnow
from twinwork.kit.pagination import Page, check_page_in_range
from twinwork.ledger.repository import CreditedSale, sales_repository
from twinwork.ledger.service import public_reference_id

WHAT_WAS_SOLD = {
    "order_release": "Order",
    "dispute_resolution": "Order (dispute settled)",
    "generation_purchase": "AI generation",
}


@dataclass(frozen=True)
class SaleLine:
    sale: CreditedSale
    what: str
    """What was sold, in words ("Order #12")."""
    available_on: date
    """When the clearing job moves it from pending to available."""

    @property
    def price_amount(self) -> int:
        """What the buyer paid for it (the freelancer's part and the fee), in cents."""
        return self.sale.net_amount + self.sale.fee_amount


@dataclass(frozen=True)
class MonthTotal:
    label: str
    """"Nov 2026"."""
    net_amount: int
    """In cents."""


async def sales_page(
    session: AsyncSession, user: User, page: int, page_size: int = 20
) -> Page[SaleLine]:
    sales, total = await sales_repository.of_owner(
        session, user.id, SALE_REASONS, (page - 1) * page_size, page_size
    )
    check_page_in_range(page, page_size, total)
    clearing = timedelta(days=get_settings().earnings_clearing_days)
    lines = [
        SaleLine(
            sale=sale,
            what=_what(sale),
            available_on=(sale.created_at + clearing).date(),
        )
        for sale in sales
    ]
    return Page(lines, page, page_size, total)


def _what(sale: CreditedSale) -> str:
    label = WHAT_WAS_SOLD.get(sale.reason, sale.reason.replace("_", " ").capitalize())
    if sale.reference_type != "order":
        return label
    # An order is called by its reference, as its page calls it ("Order #DOWNRMAT").
    return f"{label} #{public_reference_id('order', sale.reference_id)[:8].upper()}"


async def monthly_totals(
    session: AsyncSession, user: User, months: int = 12, now: datetime | None = None
) -> list[MonthTotal]:
    """Net earnings per calendar month, the last ``months`` months up to this one (months
    without sales show 0, so the chart's gaps are real)."""
    now = now or utcnow()
    firsts = _month_starts(now.date().replace(day=1), months)
    since = datetime.combine(firsts[0], datetime.min.time(), tzinfo=now.tzinfo)
    totals = dict.fromkeys(firsts, 0)
    for created_at, amount, _currency in await sales_repository.credits_of_owner(
        session, user.id, SALE_REASONS, since
    ):
        month = created_at.date().replace(day=1)
        if month in totals:
            totals[month] += amount
    return [MonthTotal(first.strftime("%b %Y"), totals[first]) for first in firsts]


def _month_starts(this_month: date, months: int) -> list[date]:
    starts = [this_month]
    while len(starts) < months:
        previous = starts[0] - timedelta(days=1)
        starts.insert(0, previous.replace(day=1))
    return starts
