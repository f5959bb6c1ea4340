"""Two operators confirming the same year's round at once: one round, one grant each."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.account.factories import create_user
from tests.equity.factories import day, earn, freelancer
from twinwork.account.models import User
from twinwork.catalog.models import FreelancerProfile, SellerLevelChange
from twinwork.equity.errors import RoundAlreadyRun
from twinwork.equity.models import EquityGrant, EquityRound
from twinwork.equity.service import equity_service
from twinwork.kit.db import make_sessionmaker, unit_of_work
from twinwork.ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction

# A year no other test uses: what this test commits stays until it cleans up.
YEAR = 2006


@pytest.fixture
async def committed(engine: AsyncEngine) -> AsyncIterator[tuple[User, User]]:
    sessionmaker = make_sessionmaker(engine)
    async with unit_of_work(sessionmaker) as session:
        admin = await create_user(session, roles=("admin",))
        user = await freelancer(session, levels=(("pro", day(YEAR - 3)),), joined=day(YEAR - 5))
        transaction_id = await earn(session, user, 10_000_000, day(YEAR, 6))
    yield admin, user
    async with unit_of_work(sessionmaker) as session:
        await session.execute(delete(EquityGrant).where(EquityGrant.year == YEAR))
        await session.execute(delete(EquityRound).where(EquityRound.year == YEAR))
        await session.execute(
            delete(LedgerEntry).where(LedgerEntry.transaction_id == transaction_id)
        )
        await session.execute(
            delete(LedgerTransaction).where(LedgerTransaction.id == transaction_id)
        )
        await session.execute(delete(LedgerAccount).where(LedgerAccount.owner_user_id == user.id))
        await session.execute(delete(SellerLevelChange).where(SellerLevelChange.user_id == user.id))
        await session.execute(delete(FreelancerProfile).where(FreelancerProfile.user_id == user.id))
        await session.execute(delete(User).where(User.id.in_([admin.id, user.id])))


async def test_two_operators_confirming_one_year_at_once_grant_once(
    engine: AsyncEngine, committed: tuple[User, User]
) -> None:
    admin, user = committed
    sessionmaker = make_sessionmaker(engine)

    async def confirm(price: int) -> str:
        try:
            async with unit_of_work(sessionmaker) as session:
                await equity_service.run_round(session, admin, YEAR, price)
        except RoundAlreadyRun:
            return "refused"
        return "granted"

    outcomes = await asyncio.gather(confirm(1_000), confirm(2_000))
    assert sorted(outcomes) == ["granted", "refused"]
    async with unit_of_work(sessionmaker, writes=False) as session:
        rounds = await session.scalar(
            select(func.count()).select_from(EquityRound).where(EquityRound.year == YEAR)
        )
        grants = list(
            await session.scalars(select(EquityGrant).where(EquityGrant.user_id == user.id))
        )
    assert rounds == 1
    assert [(g.year, g.tranche) for g in grants] == [(YEAR, 1)]
