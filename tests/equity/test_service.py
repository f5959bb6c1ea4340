"""Rounds against the real ledger and level history: who a year's round grants, what it
records, what it refuses, and the tranches after the first."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import create_user
from tests.equity.factories import LAST_YEAR, THIS_YEAR, day, earn, freelancer
from twinwork.catalog.service import profile_service
from twinwork.equity.errors import RoundAlreadyRun, RoundNotDue
from twinwork.equity.models import EquityGrant, TrancheStatus
from twinwork.equity.service import Candidate, equity_service
from twinwork.kit.errors import ValidationFailed

BEFORE = LAST_YEAR - 1


def ids(candidates: list[Candidate]) -> set[int]:
    return {c.assessment.facts.user_id for c in candidates}


async def test_earnings_count_sales_net_of_refunds_in_their_own_year_only(
    session: AsyncSession,
) -> None:
    user = await freelancer(session)
    await earn(session, user, 2_000_000, day(LAST_YEAR, 3))
    await earn(session, user, 500_000, day(LAST_YEAR, 5), reason="generation_purchase")
    # A dispute settled with part refunded: only what the freelancer was paid counts.
    await earn(
        session, user, 200_000, day(LAST_YEAR, 7), reason="dispute_resolution", refund_amount=50_000
    )
    await earn(session, user, 900_000, day(THIS_YEAR, 1, 2))  # next year's
    await earn(session, user, 700_000, day(LAST_YEAR, 8), currency="EUR")  # not dollars
    report = await equity_service.report(session, LAST_YEAR)
    [candidate] = [c for c in report.near_misses if c.assessment.facts.user_id == user.id]
    assert candidate.assessment.facts.earnings_amount == 2_700_000
    assert candidate.assessment.facts.previous_earnings_amount == 0


async def test_preview_lists_the_eligible_with_evidence_and_near_misses_with_what_they_lacked(
    session: AsyncSession,
) -> None:
    grower = await freelancer(session, name="Gail Grower")
    await earn(session, grower, 3_000_000, day(BEFORE, 6))
    await earn(session, grower, 3_300_000, day(LAST_YEAR, 6))
    big = await freelancer(session, name="Bo Big")
    await earn(session, big, 12_000_000, day(BEFORE, 6))
    await earn(session, big, 10_000_000, day(LAST_YEAR, 6))
    late = await freelancer(session, levels=(("pro", day(LAST_YEAR, 3, 10)),), name="Lee Late")
    await earn(session, late, 4_000_000, day(LAST_YEAR, 6))
    flat = await freelancer(session, name="Flo Flat")
    await earn(session, flat, 3_000_000, day(BEFORE, 6))
    await earn(session, flat, 3_100_000, day(LAST_YEAR, 6))
    small = await freelancer(session, name="Sam Small")
    await earn(session, small, 1_000_000, day(LAST_YEAR, 6))

    report = await equity_service.report(session, LAST_YEAR)
    assert report.can_run and report.round is None
    assert ids(report.eligible) == {big.id, grower.id}
    assert ids(report.near_misses) == {late.id, flat.id}
    lacked = {
        c.assessment.facts.user_id: [x.key for x in c.assessment.lacking]
        for c in report.near_misses
    }
    assert lacked == {late.id: ["level"], flat.id: ["earnings"]}
    [g] = [c for c in report.eligible if c.assessment.facts.user_id == grower.id]
    assert [(c.key, c.passed) for c in g.assessment.checks] == [
        ("level", True),
        ("earnings", True),
        ("residency", True),
    ]


async def test_a_round_grants_whole_shares_with_the_remainder_and_freezes_the_evidence(
    session: AsyncSession,
) -> None:
    admin = await create_user(session, roles=("admin",))
    user = await freelancer(session)
    await earn(session, user, 3_000_000, day(BEFORE, 6))
    await earn(session, user, 3_500_000, day(LAST_YEAR, 6))
    report = await equity_service.run_round(session, admin, LAST_YEAR, 1_234)
    assert report.round is not None and report.round.share_price_amount == 1_234
    [grant] = [g for g in report.grants if g.user_id == user.id]
    # $2,500 at $12.34: 202 shares ($2,492.68) and $7.32 over.
    assert (grant.tranche, grant.amount, grant.shares, grant.remainder_amount) == (
        1,
        250_000,
        202,
        732,
    )
    evidence: Any = grant.evidence
    assert evidence["earnings_amount"] == 3_500_000
    assert evidence["previous_earnings_amount"] == 3_000_000
    assert evidence["growth_basis_points"] == 1666
    assert evidence["level_history"][-1]["level"] == "pro"
    assert {c["key"] for c in evidence["checks"]} == {"level", "earnings", "residency"}
    # Later sales do not rewrite why the grant was made.
    await earn(session, user, 5_000_000, day(LAST_YEAR, 9))
    again = await equity_service.report(session, LAST_YEAR)
    assert [g.evidence["earnings_amount"] for g in again.grants if g.user_id == user.id] == [
        3_500_000
    ]


async def test_a_second_round_for_a_year_or_one_for_a_year_not_over_is_refused(
    session: AsyncSession,
) -> None:
    admin = await create_user(session, roles=("admin",))
    user = await freelancer(session)
    await earn(session, user, 10_000_000, day(LAST_YEAR, 6))
    await equity_service.run_round(session, admin, LAST_YEAR, 5_000)
    with pytest.raises(RoundAlreadyRun) as second:
        await equity_service.run_round(session, admin, LAST_YEAR, 4_000)
    assert second.value.status_code == 409
    with pytest.raises(RoundNotDue) as current:
        await equity_service.run_round(session, admin, THIS_YEAR, 5_000)
    assert current.value.status_code == 409
    with pytest.raises(RoundNotDue):
        await equity_service.run_round(session, admin, THIS_YEAR + 1, 5_000)
    with pytest.raises(ValidationFailed):
        await equity_service.run_round(session, admin, LAST_YEAR - 3, 0)
    count = await session.scalar(
        select(func.count()).select_from(EquityGrant).where(EquityGrant.user_id == user.id)
    )
    assert count == 1


async def test_the_database_refuses_a_second_grant_for_a_freelancer_and_year(
    session: AsyncSession,
) -> None:
    admin = await create_user(session, roles=("admin",))
    user = await freelancer(session)
    await earn(session, user, 10_000_000, day(LAST_YEAR, 6))
    report = await equity_service.run_round(session, admin, LAST_YEAR, 5_000)
    assert report.round is not None
    [grant] = [g for g in report.grants if g.user_id == user.id]
    duplicate = EquityGrant(
        round_id=report.round.id,
        user_id=user.id,
        year=LAST_YEAR,
        tranche=2,
        amount=1,
        share_price_amount=1,
        shares=1,
        remainder_amount=0,
        currency="USD",
        evidence={},
    )
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            session.add(duplicate)
            await session.flush()
    assert grant.id is not None


async def test_later_tranches_follow_the_bar_year_by_year_and_the_award_ends_after_four(
    session: AsyncSession,
) -> None:
    admin = await create_user(session, roles=("admin",))
    first = THIS_YEAR - 6
    user = await freelancer(session, levels=(("pro", day(first - 2)),))
    yearly = {
        first - 1: 2_000_000,
        first: 3_000_000,  # +50%: the first grant
        first + 1: 3_300_000,  # +10%: tranche 2
        first + 2: 3_400_000,  # +3%: tranche 3 forfeited
        first + 3: 4_000_000,  # +17.6%: tranche 4
        first + 4: 5_000_000,  # the award's years are over
    }
    for year, amount in yearly.items():
        await earn(session, user, amount, day(year, 6))
    granted = {}
    for year in range(first, first + 5):
        report = await equity_service.run_round(session, admin, year, 10_000, now=day(year + 1, 2))
        granted[year] = [g.tranche for g in report.grants if g.user_id == user.id]
        if year == first + 2:
            assert report.round is not None
            misses: list[Any] = report.round.near_misses
            [miss] = [m for m in misses if m["user_id"] == user.id]
            assert miss["tranche"] == 3
            assert [c["key"] for c in miss["lacking"]] == ["earnings"]
    assert granted == {first: [1], first + 1: [2], first + 2: [], first + 3: [4], first + 4: []}


async def test_progress_shows_this_year_against_the_bar_and_the_schedule(
    session: AsyncSession,
) -> None:
    admin = await create_user(session, roles=("admin",))
    user = await freelancer(session)
    await earn(session, user, 3_000_000, day(BEFORE, 6))
    await earn(session, user, 4_000_000, day(LAST_YEAR, 6))
    await earn(session, user, 1_000_000, day(THIS_YEAR, 1, 5))
    before_round = await equity_service.progress(session, user)
    assert [t.status for t in before_round.schedule[:2]] == [
        TrancheStatus.AWAITING_ROUND,
        TrancheStatus.IN_PROGRESS,
    ]
    await equity_service.run_round(session, admin, LAST_YEAR, 2_000)
    progress = await equity_service.progress(session, user)
    assert progress.assessment.facts.earnings_amount == 1_000_000
    assert progress.to_bar_amount == 2_000_000
    assert progress.growth_target_amount == 4_400_000
    assert progress.to_growth_amount == 3_400_000
    assert progress.assessment.tranche == 2
    statuses = [(t.number, t.year, t.status) for t in progress.schedule]
    assert statuses == [
        (1, LAST_YEAR, TrancheStatus.GRANTED),
        (2, THIS_YEAR, TrancheStatus.IN_PROGRESS),
        (3, THIS_YEAR + 1, TrancheStatus.UPCOMING),
        (4, THIS_YEAR + 2, TrancheStatus.UPCOMING),
    ]
    assert "short of the bar" in progress.schedule[1].needs
    assert progress.schedule[0].grant is not None and progress.schedule[0].grant.shares == 125


async def test_a_new_freelancers_tranches_have_not_started(session: AsyncSession) -> None:
    user = await freelancer(session, levels=())
    progress = await equity_service.progress(session, user)
    assert progress.schedule[0].status == TrancheStatus.IN_PROGRESS
    assert {t.status for t in progress.schedule[1:]} == {TrancheStatus.NOT_STARTED}
    assert "not a qualifying level" in progress.schedule[0].needs


async def test_level_changes_are_recorded_with_their_dates(session: AsyncSession) -> None:
    user = await freelancer(session, levels=(("level_2", day(BEFORE)), ("pro", day(LAST_YEAR))))
    history = (await profile_service.level_history(session, [user.id]))[user.id]
    assert [c.level for c in history] == ["new", "level_2", "pro"]
    profile = await profile_service.for_user(session, user)
    await profile_service.set_level(session, profile, "pro")  # unchanged: nothing recorded
    assert len((await profile_service.level_history(session, [user.id]))[user.id]) == 3
    with pytest.raises(ValidationFailed):
        await profile_service.set_level(session, profile, "legend")
