"""The equity programme's operations: its rules, a year's preview and round, a freelancer's
grants and progress.

A round grants each eligible freelancer one tranche in shares at the operator's price. It
runs once per measurement year, after the year is over: the round's unique year decides a
second round, and each grant's unique (freelancer, year) and (freelancer, tranche) keys
decide a repeated grant, each inside a savepoint, the way ``ledger_service.post`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.catalog.models import FreelancerProfile
from twinwork.catalog.service import profile_service
from twinwork.config import get_settings
from twinwork.equity.eligibility import (
    Assessment,
    Facts,
    GrantFact,
    LevelChange,
    assess,
    format_growth,
    growth_target_amount,
    is_near_miss,
    year_start,
)
from twinwork.equity.errors import GrantNotFound, RoundAlreadyRun, RoundNotDue
from twinwork.equity.models import (
    EquityGrant,
    EquityRound,
    EquityRules,
    TrancheStatus,
)
from twinwork.equity.repository import equity_repository
from twinwork.equity.schemas import RulesIn
from twinwork.kit.db import utcnow
from twinwork.kit.errors import Forbidden, ValidationFailed
from twinwork.kit.money import format_amount


@dataclass(frozen=True)
class Candidate:
    assessment: Assessment
    profile: FreelancerProfile


@dataclass(frozen=True)
class RoundReport:
    year: int
    round: EquityRound | None
    grants: list[EquityGrant]
    eligible: list[Candidate]
    near_misses: list[Candidate]
    can_run: bool
    reason: str | None
    """Why a round cannot run for the year now."""
    profiles: dict[int, FreelancerProfile]
    """Of the freelancers granted, for names."""


@dataclass(frozen=True)
class Tranche:
    number: int
    year: int | None
    status: TrancheStatus
    needs: str
    grant: EquityGrant | None


@dataclass(frozen=True)
class Progress:
    year: int
    rules: EquityRules
    assessment: Assessment
    grants: list[EquityGrant]
    schedule: list[Tranche]

    @property
    def to_bar_amount(self) -> int:
        return max(0, self.rules.min_earnings_amount - self.assessment.facts.earnings_amount)

    @property
    def growth_target_amount(self) -> int:
        previous = self.assessment.facts.previous_earnings_amount
        return growth_target_amount(previous, self.rules.min_growth_percent)

    @property
    def to_growth_amount(self) -> int:
        return max(0, self.growth_target_amount - self.assessment.facts.earnings_amount)

    @property
    def bar_percent(self) -> int:
        """Earnings so far as a share of the bar, 0-100, for a progress bar."""
        bar = self.rules.min_earnings_amount
        if bar <= 0:
            return 100
        return min(100, self.assessment.facts.earnings_amount * 100 // bar)


class EquityService:
    # ---- rules ---------------------------------------------------------------------------

    async def rules(self, session: AsyncSession, *, lock: bool = False) -> EquityRules:
        rules = await equity_repository.rules(session, lock=lock)
        if rules is None:  # the migration writes the row; a database without it is restored
            settings = get_settings()
            rules = EquityRules(
                id=1,
                qualifying_levels=["top_rated", "pro"],
                level_years=settings.equity_level_years,
                min_earnings_amount=settings.equity_min_earnings_amount,
                min_growth_percent=settings.equity_min_growth_percent,
                high_earnings_amount=settings.equity_high_earnings_amount,
                allowed_countries=[],
                grant_amount=settings.equity_grant_amount,
                tranches=settings.equity_tranches,
                currency=settings.equity_currency,
                updated_at=utcnow(),
            )
            await equity_repository.add(session, rules)
        return rules

    async def update_rules(self, session: AsyncSession, admin: User, data: RulesIn) -> EquityRules:
        """New rounds and progress use the new rules; grants made keep the rules they were
        made under in their evidence."""
        rules = await self.rules(session, lock=True)
        rules.qualifying_levels = list(data.qualifying_levels)
        rules.level_years = data.level_years
        rules.min_earnings_amount = data.min_earnings_amount
        rules.min_growth_percent = data.min_growth_percent
        rules.high_earnings_amount = data.high_earnings_amount
        rules.allowed_countries = list(data.allowed_countries)
        rules.grant_amount = data.grant_amount
        rules.tranches = data.tranches
        rules.updated_at = utcnow()
        rules.updated_by_user_id = admin.id
        await session.flush()
        return rules

    # ---- rounds (operators) --------------------------------------------------------------

    async def report(
        self, session: AsyncSession, year: int, now: datetime | None = None
    ) -> RoundReport:
        """The round for ``year`` with its grants once it has run; before that, the preview:
        who a round would grant now, with the evidence, and the near misses."""
        now = now or utcnow()
        _check_year(year)
        found = await equity_repository.round_for_year(session, year)
        if found is not None:
            grants = await equity_repository.grants_of_round(session, found.id)
            profiles = await profile_service.by_ids(session, [g.user_id for g in grants])
            return RoundReport(year, found, grants, [], [], False, _already_run(found), profiles)
        rules = await self.rules(session)
        eligible, near = await self._assess_year(session, rules, year, min(now, _end(year)))
        reason = _not_over(year) if year >= now.year else None
        return RoundReport(year, None, [], eligible, near, reason is None, reason, {})

    async def run_round(
        self,
        session: AsyncSession,
        admin: User,
        year: int,
        share_price_amount: int,
        now: datetime | None = None,
    ) -> RoundReport:
        """Grant every eligible freelancer their tranche for ``year`` at this share price
        (in cents): whole shares, and the cents left over stated on the grant."""
        now = now or utcnow()
        _check_year(year)
        if share_price_amount <= 0:
            raise ValidationFailed(_PRICE_MESSAGE, field="share_price_amount")
        if year >= now.year:
            raise RoundNotDue(_not_over(year), year=year)
        found = await equity_repository.round_for_year(session, year)
        if found is not None:
            raise RoundAlreadyRun(_already_run(found), year=year)
        # The rules row's lock queues rounds one behind another: the second one then meets
        # the first one's round (and, with the unique year, can never write a second).
        rules = await self.rules(session, lock=True)
        eligible, near = await self._assess_year(session, rules, year, _end(year))
        new_round = EquityRound(
            year=year,
            share_price_amount=share_price_amount,
            currency=rules.currency,
            near_misses=[_near_miss_record(c) for c in near],
            created_at=now,
            created_by_user_id=admin.id,
        )
        try:
            async with session.begin_nested():
                await equity_repository.add(session, new_round)
        except IntegrityError as exc:
            raise RoundAlreadyRun(
                f"A round for {year} was run a moment ago; nothing was granted twice.", year=year
            ) from exc
        shares, remainder = divmod(rules.grant_amount, share_price_amount)
        for candidate in eligible:
            assessment = candidate.assessment
            assert assessment.tranche is not None
            grant = EquityGrant(
                round_id=new_round.id,
                user_id=assessment.facts.user_id,
                year=year,
                tranche=assessment.tranche,
                amount=rules.grant_amount,
                share_price_amount=share_price_amount,
                shares=shares,
                remainder_amount=remainder,
                currency=rules.currency,
                evidence=assessment.evidence(rules),
                created_at=now,
            )
            try:
                async with session.begin_nested():
                    await equity_repository.add_grant(session, grant)
            except IntegrityError:
                # Granted already: the unique key, not the read above, decides.
                continue
        return await self.report(session, year, now)

    async def rounds(self, session: AsyncSession) -> list[EquityRound]:
        return await equity_repository.rounds(session)

    async def _assess_year(
        self, session: AsyncSession, rules: EquityRules, year: int, until: datetime
    ) -> tuple[list[Candidate], list[Candidate]]:
        earnings = await equity_repository.earnings(
            session, rules.currency, year_start(year), until
        )
        previous = await equity_repository.earnings(
            session, rules.currency, year_start(year - 1), year_start(year)
        )
        grants = await equity_repository.grants_of_users(session)
        # Anyone who earned in the year, and anyone whose award has a tranche at stake in it.
        user_ids = sorted(
            set(earnings)
            | {
                user_id
                for user_id, theirs in grants.items()
                if min(g.year for g in theirs) < year < min(g.year for g in theirs) + rules.tranches
            }
        )
        profiles = await profile_service.by_ids(session, user_ids)
        history = await profile_service.level_history(session, user_ids)
        eligible: list[Candidate] = []
        near: list[Candidate] = []
        for user_id in user_ids:
            profile = profiles.get(user_id)
            theirs = grants.get(user_id, [])
            if profile is None or any(g.year == year for g in theirs):
                continue
            facts = Facts(
                user_id=user_id,
                year=year,
                earnings_amount=earnings.get(user_id, 0),
                previous_earnings_amount=previous.get(user_id, 0),
                level_changes=[LevelChange(c.level, c.changed_at) for c in history[user_id]],
                country=profile.country,
                grants=[GrantFact(g.year, g.tranche) for g in theirs],
                until=until,
            )
            assessment = assess(rules, facts)
            if assessment.eligible:
                eligible.append(Candidate(assessment, profile))
            elif is_near_miss(rules, assessment):
                near.append(Candidate(assessment, profile))
        key = lambda c: (-c.assessment.facts.earnings_amount, c.profile.handle)  # noqa: E731
        return sorted(eligible, key=key), sorted(near, key=key)

    # ---- a freelancer's own --------------------------------------------------------------

    async def grants(self, session: AsyncSession, user: User) -> list[EquityGrant]:
        return await equity_repository.grants_of_user(session, user.id)

    async def grant_of(self, session: AsyncSession, user: User, grant_id: int) -> EquityGrant:
        grant = await equity_repository.grant(session, grant_id)
        if grant is None or grant.user_id != user.id:
            # The same answer as a missing id: another freelancer's grants stay private.
            raise GrantNotFound("There is no such grant of yours.")
        return grant

    async def progress(
        self, session: AsyncSession, user: User, now: datetime | None = None
    ) -> Progress:
        """This year so far against the bar, and the four tranches with what each needs."""
        if not user.is_freelancer:
            raise Forbidden("Equity is for freelancers. Become a seller first.")
        now = now or utcnow()
        year = now.year
        profile = await profile_service.for_user(session, user)
        rules = await self.rules(session)
        grants = await equity_repository.grants_of_user(session, user.id)
        earlier = [GrantFact(g.year, g.tranche) for g in grants if g.year != year]
        qualified_last_year = False
        if not grants and await equity_repository.round_for_year(session, year - 1) is None:
            last_year = await self._facts(session, rules, profile, year - 1, _end(year - 1), [])
            qualified_last_year = assess(rules, last_year).eligible
        if qualified_last_year:
            # Last year's round will grant the first tranche: this year counts for the next.
            earlier = [GrantFact(year - 1, 1)]
        assessment = assess(rules, await self._facts(session, rules, profile, year, now, earlier))
        rounds = {r.year for r in await equity_repository.rounds(session)}
        schedule = _schedule(rules, grants, rounds, assessment, qualified_last_year)
        return Progress(year, rules, assessment, grants, schedule)

    async def _facts(
        self,
        session: AsyncSession,
        rules: EquityRules,
        profile: FreelancerProfile,
        year: int,
        until: datetime,
        grants: list[GrantFact],
    ) -> Facts:
        ids = [profile.user_id]
        earned = await equity_repository.earnings(
            session, rules.currency, year_start(year), until, ids
        )
        before = await equity_repository.earnings(
            session, rules.currency, year_start(year - 1), year_start(year), ids
        )
        history = await profile_service.level_history(session, ids)
        return Facts(
            user_id=profile.user_id,
            year=year,
            earnings_amount=earned.get(profile.user_id, 0),
            previous_earnings_amount=before.get(profile.user_id, 0),
            level_changes=[LevelChange(c.level, c.changed_at) for c in history[profile.user_id]],
            country=profile.country,
            grants=grants,
            until=until,
        )


_PRICE_MESSAGE = (
    "The share price must be more than zero: enter the last trading day's close in cents "
    "(1234 for $12.34)."
)


def _end(year: int) -> datetime:
    return year_start(year + 1)


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise ValidationFailed(f"{year} is not a year a round can be for.", field="year")


def _not_over(year: int) -> str:
    return (
        f"The measurement year {year} is not over: a round for it can run from January "
        f"{year + 1}, once its earnings are final."
    )


def _already_run(found: EquityRound) -> str:
    return (
        f"The round for {found.year} ran on {found.created_at:%Y-%m-%d} at "
        f"{format_amount(found.share_price_amount, found.currency)} a share; a year has one "
        "round, so nothing was granted again."
    )


def _near_miss_record(candidate: Candidate) -> dict[str, object]:
    a = candidate.assessment
    return {
        "user_id": a.facts.user_id,
        "handle": candidate.profile.handle,
        "display_name": candidate.profile.display_name,
        "tranche": a.tranche,
        "earnings_amount": a.facts.earnings_amount,
        "previous_earnings_amount": a.facts.previous_earnings_amount,
        "lacking": [c.as_evidence() for c in a.lacking],
    }


def _schedule(
    rules: EquityRules,
    grants: list[EquityGrant],
    round_years: set[int],
    assessment: Assessment,
    qualified_last_year: bool,
) -> list[Tranche]:
    year = assessment.facts.year
    lacking = "; ".join(c.figure for c in assessment.lacking)
    bar = (
        f"{format_amount(rules.min_earnings_amount, rules.currency)} with "
        f"{rules.min_growth_percent}% growth over the year before"
    )
    if not grants:
        first_year = year - 1 if qualified_last_year else year
    else:
        first_year = min(g.year for g in grants)
    by_year = {g.year: g for g in grants}
    tranches = []
    for number in range(1, rules.tranches + 1):
        tranche_year = first_year + number - 1
        grant = by_year.get(tranche_year)
        if grant is not None:
            status, needs = (
                TrancheStatus.GRANTED,
                (
                    f"Granted: {grant.shares:,} shares at "
                    f"{format_amount(grant.share_price_amount, grant.currency)}"
                ),
            )
        elif tranche_year < year:
            if tranche_year in round_years:
                status, needs = TrancheStatus.FORFEITED, f"{tranche_year} missed the bar"
            else:
                status = TrancheStatus.AWAITING_ROUND
                needs = f"{tranche_year} qualified: granted at its round, in early {year}"
        elif tranche_year == year:
            status = TrancheStatus.IN_PROGRESS
            if assessment.eligible:
                growth = format_growth(assessment.growth_basis_points)
                needs = f"On track ({growth}); the year's figures are final on December 31"
            else:
                needs = lacking
        elif not grants and not qualified_last_year:
            status = TrancheStatus.NOT_STARTED
            needs = f"After the first grant: {bar} in that year"
        else:
            status, needs = TrancheStatus.UPCOMING, f"{bar} in {tranche_year}"
        tranches.append(
            Tranche(
                number,
                tranche_year if status != TrancheStatus.NOT_STARTED else None,
                status,
                needs,
                grant,
            )
        )
    return tranches


equity_service = EquityService()
