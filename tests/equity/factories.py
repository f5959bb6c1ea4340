"""Freelancers with a level history and earnings in the ledger, the way the programme reads
them: level changes through catalog, sales posted by ``billing.sale.post_sale`` and dated in
the year they belong to."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import create_user
from twinwork.account.models import User
from twinwork.billing.sale import platform_fee, post_sale
from twinwork.catalog.models import SellerLevelChange
from twinwork.catalog.service import profile_service
from twinwork.kit.db import utcnow
from twinwork.ledger.service import ledger_service

THIS_YEAR = utcnow().year
LAST_YEAR = THIS_YEAR - 1


def day(year: int, month: int = 1, dom: int = 1) -> datetime:
    return datetime(year, month, dom, tzinfo=UTC)


async def freelancer(
    session: AsyncSession,
    *,
    levels: tuple[tuple[str, datetime], ...] = (("pro", day(LAST_YEAR - 2)),),
    country: str = "US",
    joined: datetime | None = None,
    name: str = "Eve Equity",
) -> User:
    """A freelancer who joined at ``joined`` (as a new seller) and reached each level at its
    date, in order."""
    user = await create_user(session, roles=("freelancer",), display_name=name)
    profile = await profile_service.for_user(session, user)
    profile.country = country
    # The profile was made now; this freelancer's history starts earlier.
    [first] = await session.scalars(
        select(SellerLevelChange).where(SellerLevelChange.user_id == user.id)
    )
    first.changed_at = joined or day(LAST_YEAR - 4)
    for level, at in levels:
        await profile_service.set_level(session, profile, level, at)
    await session.flush()
    return user


def gross_for(net_amount: int) -> int:
    """The sale price, in cents, that leaves ``net_amount`` to the freelancer after the fee."""
    price = net_amount
    while price - platform_fee(price) < net_amount:
        price += 1
    return price


async def earn(
    session: AsyncSession,
    user: User,
    net_amount: int,
    at: datetime,
    *,
    reason: str = "order_release",
    currency: str = "USD",
    refund_amount: int = 0,
) -> int:
    """Post one sale that credits ``net_amount`` cents to the freelancer, dated ``at``.
    Returns the transaction id."""
    clearing = await ledger_service.account(session, "payment_clearing", currency)
    refund_to = None
    if refund_amount:
        buyer = await create_user(session)
        refund_to = await ledger_service.account(session, "buyer_wallet", currency, buyer)
    sale = await post_sale(
        session,
        paid_from=clearing,
        freelancer=user,
        amount=gross_for(net_amount),
        currency=currency,
        reason=reason,
        reference_type="order",
        reference_id=f"equity-test-{user.id}-{at:%Y%m%d%H%M%S%f}-{net_amount}",
        idempotency_key=f"equity-test-{user.id}-{at.isoformat()}-{net_amount}-{reason}",
        description="A sale in the equity tests",
        refund_to=refund_to,
        refund_amount=refund_amount,
    )
    sale.transaction.created_at = at
    await session.flush()
    return sale.transaction.id
