from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import create_user
from twinwork.kit.errors import ValidationFailed
from twinwork.ledger.models import LedgerAccount
from twinwork.ledger.service import InsufficientFunds, Leg, UnbalancedTransaction, ledger_service


async def accounts(session: AsyncSession) -> tuple[LedgerAccount, LedgerAccount, LedgerAccount]:
    buyer = await create_user(session)
    wallet = await ledger_service.account(session, "buyer_wallet", "USD", buyer)
    clearing = await ledger_service.account(session, "payment_clearing", "USD")
    revenue = await ledger_service.account(session, "platform_revenue", "USD")
    return wallet, clearing, revenue


async def fund(
    session: AsyncSession, wallet: LedgerAccount, clearing: LedgerAccount, amount: int
) -> None:
    await ledger_service.post(
        session,
        reason="top_up",
        reference_type="test",
        reference_id="fund",
        legs=[Leg(clearing, -amount), Leg(wallet, amount)],
    )


async def test_accounts_are_created_once_per_owner_kind_and_currency(session: AsyncSession) -> None:
    buyer = await create_user(session)
    first = await ledger_service.account(session, "buyer_wallet", "USD", buyer)
    again = await ledger_service.account(session, "buyer_wallet", "USD", buyer)
    euros = await ledger_service.account(session, "buyer_wallet", "EUR", buyer)
    assert first.id == again.id != euros.id
    with pytest.raises(ValidationFailed):
        await ledger_service.account(session, "buyer_wallet", "XYZ", buyer)


async def test_balances_come_from_entries(session: AsyncSession) -> None:
    wallet, clearing, revenue = await accounts(session)
    # Platform accounts are shared with every other test (some commit): compare with before.
    revenue_before = await ledger_service.balance(session, revenue)
    clearing_before = await ledger_service.balance(session, clearing)
    await fund(session, wallet, clearing, 5000)
    await ledger_service.post(
        session,
        reason="charge",
        reference_type="test",
        reference_id="1",
        legs=[Leg(wallet, -1200), Leg(revenue, 1200)],
    )
    assert await ledger_service.balance(session, wallet) == 3800
    assert await ledger_service.balance(session, revenue) - revenue_before == 1200
    assert await ledger_service.balance(session, clearing) - clearing_before == -5000


@pytest.mark.parametrize(
    "amounts",
    [[100, -99], [100], [0, 0], [100, -100, 0]],
)
async def test_unbalanced_or_empty_entries_are_refused(
    session: AsyncSession, amounts: list[int]
) -> None:
    wallet, clearing, _ = await accounts(session)
    legs = [Leg(wallet if i % 2 == 0 else clearing, a) for i, a in enumerate(amounts)]
    with pytest.raises(UnbalancedTransaction):
        await ledger_service.post(
            session, reason="x", reference_type="test", reference_id="1", legs=legs
        )
    assert await ledger_service.balance(session, wallet) == 0


async def test_a_wallet_never_goes_negative(session: AsyncSession) -> None:
    wallet, clearing, revenue = await accounts(session)
    await fund(session, wallet, clearing, 1000)
    with pytest.raises(InsufficientFunds):
        await ledger_service.post(
            session,
            reason="charge",
            reference_type="test",
            reference_id="1",
            legs=[Leg(wallet, -1001), Leg(revenue, 1001)],
        )
    assert await ledger_service.balance(session, wallet) == 1000


async def test_same_idempotency_key_posts_once(session: AsyncSession) -> None:
    wallet, clearing, _ = await accounts(session)
    legs = [Leg(clearing, -700), Leg(wallet, 700)]
    first = await ledger_service.post(
        session,
        reason="top_up",
        reference_type="t",
        reference_id="1",
        legs=legs,
        idempotency_key="key-1",
    )
    again = await ledger_service.post(
        session,
        reason="top_up",
        reference_type="t",
        reference_id="1",
        legs=legs,
        idempotency_key="key-1",
    )
    assert first.id == again.id
    assert await ledger_service.balance(session, wallet) == 700


operations = st.lists(
    st.tuples(st.sampled_from(["top_up", "charge", "refund", "payout"]), st.integers(1, 50_000)),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
async def test_any_sequence_keeps_the_books_balanced(
    session: AsyncSession, ops: list[tuple[str, int]]
) -> None:
    """Random top-ups, charges, refunds and payouts: every transaction balances, all balances
    sum to zero, and no wallet or earnings account ever goes below zero."""
    buyer = await create_user(session)
    seller = await create_user(session, roles=("freelancer",))
    wallet = await ledger_service.account(session, "buyer_wallet", "USD", buyer)
    earnings = await ledger_service.account(session, "freelancer_available", "USD", seller)
    clearing = await ledger_service.account(session, "payment_clearing", "USD")
    revenue = await ledger_service.account(session, "platform_revenue", "USD")
    transit = await ledger_service.account(session, "payouts_in_transit", "USD")
    moves = {
        "top_up": (clearing, wallet),
        "charge": (wallet, earnings),
        "refund": (earnings, wallet),
        "payout": (earnings, transit),
    }
    for kind, amount in ops:
        source, target = moves[kind]
        fee = amount // 5 if kind == "charge" else 0
        legs = [Leg(source, -amount), Leg(target, amount - fee)]
        if fee:
            legs.append(Leg(revenue, fee))
        try:
            await ledger_service.post(
                session, reason=kind, reference_type="test", reference_id="p", legs=legs
            )
        except InsufficientFunds:
            pass
        for account in (wallet, earnings, revenue, transit):
            assert await ledger_service.balance(session, account) >= 0
    check = await ledger_service.check(session)
    assert check.balanced and check.total == 0
