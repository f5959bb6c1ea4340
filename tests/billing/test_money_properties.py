"""Random sequences through the real money services keep the books right."""

from __future__ import annotations

import uuid
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import create_user
from tests.billing.factories import top_up_in_session
from tests.billing.test_payouts import CLOSED_ACCOUNT, sale
from tests.catalog.factories import create_gig
from twinwork.account.models import User
from twinwork.billing.payout.service import earnings_service
from twinwork.billing.payout.transfer import send_payout_now
from twinwork.billing.provider import SANDBOX_BANK_ACCOUNT
from twinwork.billing.schemas import TopUpIn
from twinwork.kit.db import utcnow
from twinwork.kit.errors import DomainError
from twinwork.ledger.repository import ledger_repository
from twinwork.ledger.service import ledger_service
from twinwork.order.dispute import dispute_service
from twinwork.order.models import Order
from twinwork.order.schemas import OrderIn
from twinwork.order.service import order_service
from twinwork.program.admission import admission_service
from twinwork.program.renewal import renew_due
from twinwork.program.subscription import subscription_service

steps = st.lists(
    st.one_of(
        st.tuples(st.just("top_up"), st.integers(100, 100_000), st.booleans()),
        st.tuples(st.just("sale"), st.integers(100, 50_000), st.booleans()),
        st.tuples(st.just("clear"), st.integers(0, 10), st.booleans()),
        st.tuples(st.just("payout"), st.integers(1, 60_000), st.booleans()),
        st.tuples(st.just("renew"), st.integers(0, 40), st.booleans()),
        st.tuples(st.just("order"), st.integers(0, 2), st.booleans()),
        st.tuples(st.just("deliver"), st.integers(0, 9), st.booleans()),
        st.tuples(st.just("cancel"), st.integers(0, 9), st.booleans()),
        st.tuples(st.just("dispute"), st.integers(0, 9_000), st.booleans()),
    ),
    min_size=1,
    max_size=20,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=steps)
async def test_money_services_keep_the_books_balanced(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    ops: list[tuple[str, int, bool]],
) -> None:
    """Top-ups (some declined), sales, clearing, payouts (some to a closed account),
    subscription renewals (some cards declined) and orders (placed with or without a brief,
    delivered, accepted, cancelled, disputed and refunded in part or in full) at advancing
    times: every transaction balances, the total is zero, and no account that must not go
    negative does."""
    buyer = await create_user(session)
    seller = await create_user(session, roles=("freelancer",))
    admin = await create_user(session, roles=("admin",))
    await admission_service.invite(session, admin, seller.email)
    await subscription_service.subscribe(session, seller, "4242424242424242")
    gig = await create_gig(session, seller)
    # Money for a few orders from the start, so most order steps go through.
    await top_up_in_session(
        session, buyer, TopUpIn(amount=30_000, card_number="4242424242424242"), uuid.uuid4().hex
    )
    orders: list[int] = []
    escrow_before = await escrow_balance(session)
    now = utcnow()
    for kind, number, flag in ops:
        try:
            if kind in ORDER_STEPS:
                async with session.begin_nested():
                    await order_step(
                        session, kind, number, flag, buyer, seller, admin, gig.id, orders
                    )
                continue
            if kind == "top_up":
                card = "4242424242424242" if flag else "4000000000000002"
                body = TopUpIn(amount=number, card_number=card)
                async with session.begin_nested():
                    await top_up_in_session(session, buyer, body, uuid.uuid4().hex)
            elif kind == "sale":
                await sale(session, seller.id, number)
            elif kind == "clear":
                now += timedelta(days=number)
                await earnings_service.clear_due(session, now)
            elif kind == "payout":
                account = SANDBOX_BANK_ACCOUNT if flag else CLOSED_ACCOUNT
                async with session.begin_nested():
                    payout = await earnings_service.request_payout(
                        session, seller, number, account, None
                    )
                await send_payout_now(sessionmaker, payout.id)
            else:
                card = "4242424242424242" if flag else "4000000000000002"
                await subscription_service.update_card(session, seller, card)
                now += timedelta(days=number)
                await renew_due(sessionmaker, now)
        except DomainError:
            pass  # declined, too small, more than available, no membership: nothing moves
    # Escrow holds exactly the price of every order still open, nothing more, nothing less.
    held = 0
    for order_id in orders:
        order = await session.get(Order, order_id)
        assert order is not None
        if order.status in HELD_STATUSES:
            held += order.price_amount
    assert await escrow_balance(session) - escrow_before == held
    check = await ledger_repository.unbalanced_transactions(session)
    assert check == []
    assert await ledger_repository.total(session) == 0
    negative = await ledger_repository.negative_accounts(session)
    assert negative == []


ORDER_STEPS = ("order", "deliver", "cancel", "dispute")
HELD_STATUSES = ("awaiting_requirements", "in_progress", "delivered", "disputed")


async def escrow_balance(session: AsyncSession) -> int:
    escrow = await ledger_service.existing_account(session, "escrow", "USD")
    return 0 if escrow is None else await ledger_service.balance(session, escrow)


PACKAGES = ("basic", "standard", "basic")


async def order_step(
    session: AsyncSession,
    kind: str,
    number: int,
    flag: bool,
    buyer: User,
    seller: User,
    admin: User,
    gig_id: int,
    orders: list[int],
) -> None:
    """One order operation; ``number`` picks the package or the order, ``flag`` a variant."""
    if kind == "order":
        brief = "A logo" if flag else ""
        data = OrderIn(gig_id=gig_id, package=PACKAGES[number], kind="human", brief=brief)
        orders.append((await order_service.place(session, buyer, data, uuid.uuid4().hex)).id)
        return
    if not orders:
        return
    order_id = orders[number % len(orders)]
    if kind == "deliver":
        order = await order_service.for_party(session, buyer, order_id)
        if order.status == "awaiting_requirements":
            await order_service.submit_requirements(session, buyer, order_id, "The brief")
        await order_service.deliver(session, seller, order_id, "The work")
        if flag:
            await order_service.accept(session, buyer, order_id)
    elif kind == "cancel":
        await order_service.cancel(session, buyer if flag else seller, order_id)
    else:
        order = await order_service.for_party(session, buyer, order_id)
        dispute = await dispute_service.open(session, buyer, order_id, "Not what was asked.")
        refund = order.price_amount if flag else number % (order.price_amount + 1)
        await dispute_service.resolve(session, admin, dispute.id, refund, "Decided.")
