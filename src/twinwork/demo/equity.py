"""Demo history for the equity programme: every demo freelancer's seller level history, and
years of completed orders for the top freelancers, posted to the ledger as the order flow
posts them (paid into escrow, released to the freelancer less the platform fee, cleared a
week later) and dated when they happened. The round for two years ago has run (Devon had a
$100,000+ year); the round for last year waits for an operator and shows two freelancers
eligible and four near misses, each missing something else.

Runs once: its orders carry the request key prefix ``demo-equity-``.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.billing.sale import platform_fee
from twinwork.catalog.models import LEVELS, FreelancerProfile, Gig, GigPackage, SellerLevelChange
from twinwork.demo.content import BUYERS, FREELANCERS
from twinwork.equity.service import equity_service
from twinwork.kit.db import utcnow
from twinwork.ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction
from twinwork.ledger.service import ledger_service
from twinwork.order.models import Order, OrderKind, OrderStatus

KEY_PREFIX = "demo-equity-"
DEMO_DOMAIN = "demo.twinwork.test"
SHARE_PRICE_AMOUNT = 1_840
"""The share price of the round two years ago, in cents."""


@dataclass(frozen=True)
class Story:
    handle: str
    levels: tuple[tuple[str, int, int, int], ...]
    """(level, years before this year, month, day) in order."""
    earnings: tuple[int, int, int, int]
    """Net earnings in cents three years ago, two years ago, last year, and all of this year
    (of which the part up to today is posted)."""


# Years are counted back from this year: 1 is last year, the round the demo's operator runs.
STORIES = (
    # Pro for years; +20% last year: eligible for a first grant.
    Story(
        "lucia-ferreira-brand",
        (
            ("new", 6, 2, 11),
            ("level_1", 6, 8, 3),
            ("level_2", 5, 5, 20),
            ("top_rated", 4, 3, 2),
            ("pro", 3, 9, 14),
        ),
        (3_200_000, 3_400_000, 4_100_000, 4_600_000),
    ),
    # Over $100,000 two years ago (granted then); last year fell 8%: tranche 2 forfeited.
    Story(
        "devon-ships",
        (
            ("new", 7, 1, 9),
            ("level_1", 7, 6, 1),
            ("level_2", 6, 4, 12),
            ("top_rated", 5, 2, 7),
            ("pro", 4, 10, 30),
        ),
        (9_500_000, 11_800_000, 10_900_000, 11_500_000),
    ),
    # Top rated since the middle of two years ago; +21%: eligible.
    Story(
        "lin-zhaowei-agents",
        (("new", 4, 3, 18), ("level_1", 4, 9, 2), ("level_2", 3, 6, 25), ("top_rated", 2, 6, 1)),
        (0, 2_600_000, 3_150_000, 3_600_000),
    ),
    # Over $30,000 but only +8%: a near miss on growth.
    Story(
        "mara-voss-voice",
        (("new", 5, 4, 4), ("level_1", 4, 11, 19), ("level_2", 3, 7, 8), ("top_rated", 2, 2, 15)),
        (0, 3_100_000, 3_340_000, 3_500_000),
    ),
    # Earned enough, but top rated only from March last year: a near miss on the level.
    Story(
        "ines-marchetti-copy",
        (("new", 5, 9, 1), ("level_1", 4, 2, 10), ("level_2", 3, 1, 22), ("top_rated", 1, 3, 15)),
        (0, 2_800_000, 4_500_000, 5_000_000),
    ),
    # Level 2 and just under $30,000: a near miss on both.
    Story(
        "graphwright",
        (("new", 3, 5, 30), ("level_1", 2, 1, 14), ("level_2", 1, 2, 26)),
        (0, 1_500_000, 2_900_000, 3_300_000),
    ),
)


async def load_equity_history(session: AsyncSession, admin: User, seed: int = 2026) -> int:
    """Write the history once; returns the number of orders written (0 when it exists)."""
    already = await session.scalar(
        select(Order.id).where(Order.request_key.like(f"{KEY_PREFIX}%")).limit(1)
    )
    if already is not None:
        return 0
    now = utcnow()
    rng = random.Random(seed)
    stories = {story.handle: story for story in STORIES}
    users: dict[str, User] = {}
    for person in FREELANCERS:
        user = await session.scalar(
            select(User).where(User.email == f"{person.handle}@{DEMO_DOMAIN}")
        )
        profile = await session.get(FreelancerProfile, user.id) if user else None
        if user is None or profile is None:
            continue
        users[person.handle] = user
        story = stories.get(person.handle)
        history = (
            [
                (level, _date(now.year - back, month, dom))
                for level, back, month, dom in story.levels
            ]
            if story
            else _generic_history(person.handle, profile.level, now)
        )
        await _replace_history(session, profile, history)
    buyers = [
        u for b in BUYERS if (u := await session.scalar(select(User).where(User.email == b.email)))
    ]
    orders = 0
    for story in STORIES:
        user = users.get(story.handle)
        if user is None or not buyers:
            continue
        orders += await _sales(session, user, buyers, story, now, rng)
    two_years_ago = now.year - 2
    if all(r.year != two_years_ago for r in await equity_service.rounds(session)):
        # Granted in the first quarter after the year, as the programme does.
        await equity_service.run_round(
            session, admin, two_years_ago, SHARE_PRICE_AMOUNT, now=_date(now.year - 1, 2, 14)
        )
    return orders


def _date(year: int, month: int, dom: int) -> datetime:
    return datetime(year, month, dom, 9, 30, tzinfo=UTC)


def _generic_history(handle: str, level: str, now: datetime) -> list[tuple[str, datetime]]:
    """One step up every eight to fourteen months, the last a few months back, the first
    when the freelancer joined; the same for a handle every time."""
    digest = hashlib.sha256(handle.encode()).digest()
    steps = LEVELS[: LEVELS.index(level) + 1] if level in LEVELS else ("new",)
    moment = now - timedelta(days=60 + digest[0] % 120)
    history = []
    for i, step in enumerate(reversed(steps)):
        history.append((step, moment))
        moment -= timedelta(days=240 + digest[(i + 1) % len(digest)] % 180)
    return list(reversed(history))


async def _replace_history(
    session: AsyncSession, profile: FreelancerProfile, history: list[tuple[str, datetime]]
) -> None:
    await session.execute(
        delete(SellerLevelChange).where(SellerLevelChange.user_id == profile.user_id)
    )
    session.add_all(
        SellerLevelChange(user_id=profile.user_id, level=level, changed_at=at)
        for level, at in history
    )
    profile.level = history[-1][0]
    await session.flush()


async def _sales(
    session: AsyncSession,
    freelancer: User,
    buyers: list[User],
    story: Story,
    now: datetime,
    rng: random.Random,
) -> int:
    gigs = list(await session.scalars(select(Gig).where(Gig.freelancer_id == freelancer.id)))
    packages = [(gig, p) for gig in gigs for p in gig.packages]
    if not packages:
        return 0
    accounts = await _accounts(session, freelancer)
    placed: list[tuple[Order, User]] = []
    for back, target in zip((3, 2, 1, 0), story.earnings, strict=True):
        year = now.year - back
        start = _date(year, 1, 2)
        end = min(_date(year, 12, 28), now - timedelta(days=2))
        if end <= start or target <= 0:
            continue
        if back == 0:  # this year: the part of the year gone by
            target = target * (now - start).days // 365
        for price, gig, package in _orders_adding_up_to(packages, target, rng):
            completed = start + (end - start) * rng.random()
            buyer = rng.choice(buyers)
            order = Order(
                buyer_user_id=buyer.id,
                freelancer_user_id=freelancer.id,
                gig_id=gig.id,
                package_name=package.name,
                kind=OrderKind.HYBRID if rng.random() < 0.2 else OrderKind.HUMAN,
                status=OrderStatus.COMPLETED,
                brief=f"{package.title} for {buyer.display_name}",
                delivery_days=package.delivery_days,
                price_amount=price,
                currency="USD",
                revisions_allowed=package.revisions,
                request_key=f"{KEY_PREFIX}{freelancer.id}-{len(placed) + 1}",
                created_at=completed - timedelta(days=package.delivery_days + 1),
                completed_at=completed,
            )
            placed.append((order, buyer))
    session.add_all(order for order, _ in placed)
    await session.flush()
    sales = [_post(session, order, buyer, accounts) for order, buyer in placed]
    await session.flush()
    for sale, (order, _) in zip(sales, placed, strict=True):
        cleared = (order.completed_at or now) + timedelta(days=7)
        if cleared < now:
            net = order.price_amount - platform_fee(order.price_amount)
            session.add(
                _transaction(
                    "earnings_cleared",
                    "ledger_transaction",
                    str(sale.id),
                    f"clearing:{sale.id}",
                    "Earnings cleared",
                    cleared,
                    [
                        (accounts["freelancer_pending"], -net),
                        (accounts["freelancer_available"], net),
                    ],
                )
            )
    await session.flush()
    return len(placed)


def _orders_adding_up_to(
    packages: list[tuple[Gig, GigPackage]], target: int, rng: random.Random
) -> list[tuple[int, Gig, GigPackage]]:
    """Packages whose net earnings add up to at most ``target`` cents, short of it by less
    than the cheapest package: the thresholds the stories sit near hold whatever is drawn."""
    chosen: list[tuple[int, Gig, GigPackage]] = []
    remaining = target
    while True:
        fitting = [
            (gig, p)
            for gig, p in packages
            if p.price_amount - platform_fee(p.price_amount) <= remaining
        ]
        if not fitting:
            return chosen
        # Larger packages more often: fewer, bigger orders, as top freelancers sell.
        weights = [p.price_amount for _, p in fitting]
        gig, package = rng.choices(fitting, weights)[0]
        price = package.price_amount
        chosen.append((price, gig, package))
        remaining -= price - platform_fee(price)


async def _accounts(session: AsyncSession, freelancer: User) -> dict[str, LedgerAccount]:
    found = {
        kind: await ledger_service.account(session, kind, "USD")
        for kind in ("payment_clearing", "escrow", "platform_revenue")
    }
    for kind in ("freelancer_pending", "freelancer_available"):
        found[kind] = await ledger_service.account(session, kind, "USD", freelancer)
    return found


def _post(
    session: AsyncSession, order: Order, buyer: User, accounts: dict[str, LedgerAccount]
) -> LedgerTransaction:
    """The order paid by card into escrow, then released as billing.sale.post_sale does."""
    price, fee = order.price_amount, platform_fee(order.price_amount)
    completed = order.completed_at or order.created_at
    session.add(
        _transaction(
            "order_escrow",
            "order",
            str(order.id),
            f"order-escrow:{order.request_key}:{buyer.id}",
            f"Order {order.id} held in escrow",
            order.created_at,
            [(accounts["payment_clearing"], -price), (accounts["escrow"], price)],
        )
    )
    sale = _transaction(
        "order_release",
        "order",
        str(order.id),
        f"order-release:{order.id}:{order.request_key}",
        f"Order {order.id} accepted",
        completed,
        [
            (accounts["escrow"], -price),
            (accounts["freelancer_pending"], price - fee),
            (accounts["platform_revenue"], fee),
        ],
    )
    session.add(sale)
    return sale


def _transaction(
    reason: str,
    reference_type: str,
    reference_id: str,
    key: str,
    description: str,
    at: datetime,
    legs: list[tuple[LedgerAccount, int]],
) -> LedgerTransaction:
    assert sum(amount for _, amount in legs) == 0
    return LedgerTransaction(
        reason=reason,
        reference_type=reference_type,
        reference_id=reference_id,
        idempotency_key=key,
        description=description,
        created_at=at,
        entries=[
            LedgerEntry(account_id=account.id, amount=amount, currency=account.currency)
            for account, amount in legs
            if amount
        ],
    )
