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
from twinwork.billing.earnings import earnings_service
from twinwork.billing.provider import SANDBOX_BANK_ACCOUNT
from twinwork.billing.schemas import TopUpIn
from twinwork.billing.subscription import subscription_service
from twinwork.billing.tasks import renew_due, send_payout_now
from twinwork.kit.db import utcnow
from twinwork.kit.errors import DomainError
from twinwork.ledger.repository import ledger_repository

steps = st.lists(
    st.one_of(
        st.tuples(st.just("top_up"), st.integers(100, 100_000), st.booleans()),
        st.tuples(st.just("sale"), st.integers(100, 50_000), st.booleans()),
        st.tuples(st.just("clear"), st.integers(0, 10), st.booleans()),
        st.tuples(st.just("payout"), st.integers(1, 60_000), st.booleans()),
        st.tuples(st.just("renew"), st.integers(0, 40), st.booleans()),
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
    """Top-ups (some declined), sales, clearing, payouts (some to a closed account) and
    subscription renewals (some cards declined) at advancing times: every transaction balances,
    the total is zero, and no account that must not go negative does."""
    buyer = await create_user(session)
    seller = await create_user(session, roles=("freelancer",))
    await subscription_service.subscribe(session, seller, "4242424242424242")
    now = utcnow()
    for kind, number, flag in ops:
        try:
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
    check = await ledger_repository.unbalanced_transactions(session)
    assert check == []
    assert await ledger_repository.total(session) == 0
    negative = await ledger_repository.negative_accounts(session)
    assert negative == []
