"""Seats in the creation program: eligibility, applications, the waitlist, invitations.

A seat is held by a live membership, or by an admission not yet used: an application the rules
or an operator admitted, an invitation, or a waitlist offer. An admission holds its seat for a
limited time to subscribe in; unused, the seat goes to the next on the waitlist. Every grant
of a seat locks the rules row first and counts the seats under that lock, so two grants of the
last seat (two operators, an operator and the waitlist job) cannot both succeed.

Life of an application: ``in_review`` (a rule failed) or ``waitlisted`` (no seat free) or
``admitted``; an operator approves (``admitted``) or declines (``declined``, with the reason
the freelancer reads); the waitlist job offers freed seats in turn (``admitted``); subscribing
makes it ``joined``; a membership that ends makes it ``left``; an admission unused in time
``expired``. A freelancer has one open application at a time (a unique key decides).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.account.service import account_service
from twinwork.config import get_settings
from twinwork.kit.db import utcnow
from twinwork.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from twinwork.kit.pagination import Page, check_page_in_range
from twinwork.program.eligibility import Eligibility, check_rules, facts_of
from twinwork.program.errors import AdmissionRequired, SeatOfferExpired
from twinwork.program.membership import membership
from twinwork.program.models import (
    AdmissionRoute,
    ApplicationStatus,
    ProgramApplication,
    ProgramRules,
)
from twinwork.program.repository import admission_repository
from twinwork.program.schemas import RulesIn

QUEUE_STATUSES = (ApplicationStatus.IN_REVIEW, ApplicationStatus.WAITLISTED)
"""What an operator can decide on."""


@dataclass(frozen=True)
class Seats:
    limit: int
    used: int

    @property
    def free(self) -> int:
        return max(0, self.limit - self.used)


@dataclass(frozen=True)
class EligibilityReport:
    eligibility: Eligibility
    seats: Seats


@dataclass(frozen=True)
class ApplicationView:
    application: ProgramApplication
    waitlist_position: int | None
    """1 for the first in line, while waitlisted."""


class AdmissionService:
    # ---- rules and seats -----------------------------------------------------------------

    async def rules(self, session: AsyncSession, *, lock: bool = False) -> ProgramRules:
        rules = await admission_repository.rules(session, lock=lock)
        if rules is None:  # the migration writes the row; a database without it is restored
            rules = ProgramRules(
                id=1,
                min_level="level_2",
                min_rating=4.5,
                min_completed_orders=10,
                min_consented_samples=5,
                seat_limit=get_settings().program_seat_limit,
            )
            await admission_repository.add(session, rules)
        return rules

    async def seats(self, session: AsyncSession, rules: ProgramRules | None = None) -> Seats:
        limit = (rules or await self.rules(session)).seat_limit
        return Seats(limit, await admission_repository.seats_used(session, utcnow()))

    async def update_rules(self, session: AsyncSession, admin: User, data: RulesIn) -> ProgramRules:
        """Change the rules (and the seat limit). New applications are judged by them; seats
        already granted stay. A higher limit frees seats for the waitlist (the caller queues
        the offers after the commit)."""
        rules = await self.rules(session, lock=True)
        rules.min_level = data.min_level
        rules.min_rating = data.min_rating
        rules.min_completed_orders = data.min_completed_orders
        rules.min_consented_samples = data.min_consented_samples
        rules.seat_limit = data.seat_limit
        rules.updated_at = utcnow()
        rules.updated_by_user_id = admin.id
        await session.flush()
        return rules

    async def eligibility(self, session: AsyncSession, user: User) -> EligibilityReport:
        if not user.is_freelancer:
            raise Forbidden("The creation program is for freelancers. Become a seller first.")
        rules = await self.rules(session)
        eligibility = check_rules(rules, await facts_of(session, user))
        return EligibilityReport(eligibility, await self.seats(session, rules))

    # ---- a freelancer's own actions ------------------------------------------------------

    async def apply(self, session: AsyncSession, user: User) -> ApplicationView:
        """Admitted at once when every rule passes and a seat is free; waitlisted when every
        rule passes and none is; otherwise in review by an operator."""
        if not user.is_freelancer:
            raise Forbidden("The creation program is for freelancers. Become a seller first.")
        if await membership.is_member(session, user.id):
            raise Conflict("You are already a member of the creation program.")
        existing = await admission_repository.open_for_user(session, user.id)
        if existing is not None:
            raise Conflict(_already_applied(existing), application_id=existing.id)
        rules = await self.rules(session, lock=True)
        eligibility = check_rules(rules, await facts_of(session, user))
        now = utcnow()
        application = ProgramApplication(
            user_id=user.id,
            open_key=user.id,
            status=ApplicationStatus.IN_REVIEW,
            evidence=eligibility.evidence(),
            created_at=now,
        )
        if eligibility.eligible:
            used = await admission_repository.seats_used(session, now)
            if used < rules.seat_limit:
                _admit(
                    application, AdmissionRoute.RULES, now, get_settings().program_admission_days
                )
            else:
                application.status = ApplicationStatus.WAITLISTED
        try:
            async with session.begin_nested():
                await admission_repository.add(session, application)
        except IntegrityError as exc:  # a second request applying at the same moment
            raise Conflict(
                "You have applied already; your application is being processed."
            ) from exc
        return await self.view(session, application)

    async def current(self, session: AsyncSession, user: User) -> ApplicationView | None:
        """The freelancer's open application, or else their latest (declined, expired...)."""
        application = await admission_repository.open_for_user(session, user.id)
        if application is None:
            application = await admission_repository.latest_for_user(session, user.id)
        return None if application is None else await self.view(session, application)

    async def view(self, session: AsyncSession, application: ProgramApplication) -> ApplicationView:
        position = None
        if application.status == ApplicationStatus.WAITLISTED:
            position = await admission_repository.waitlist_position(session, application)
        return ApplicationView(application, position)

    async def require_admission(self, session: AsyncSession, user: User, now: datetime) -> None:
        """Only a freelancer holding a seat may subscribe: an admission not yet expired (or a
        seat held from before, by a member re-subscribing after a failed sign-up)."""
        application = await admission_repository.open_for_user(session, user.id)
        if application is not None and application.status in (
            ApplicationStatus.ADMITTED,
            ApplicationStatus.JOINED,
        ):
            expires = application.seat_expires_at
            if application.status == ApplicationStatus.JOINED or (expires and expires > now):
                return
            raise SeatOfferExpired(
                f"Your seat was held for you until {expires:%Y-%m-%d %H:%M} UTC and has gone to "
                "the next freelancer. Apply again to get a new one.",
                expired_at=expires.isoformat() if expires else None,
            )
        hint = ""
        if application is not None and application.status == ApplicationStatus.WAITLISTED:
            position = await admission_repository.waitlist_position(session, application)
            hint = f" You are number {position} on the waitlist."
        elif application is not None:
            hint = " Your application is waiting for an operator's review."
        raise AdmissionRequired(
            "The creation program has a limited number of seats: apply for one on the "
            f"program page, and subscribe once you are admitted.{hint}",
            apply_url="/dashboard/program",
        )

    # ---- membership events (called by the subscription, in its unit of work) -------------

    async def joined(self, session: AsyncSession, user_id: int, now: datetime) -> None:
        """The admission became a membership: the membership holds the seat from now on."""
        application = await admission_repository.open_for_user(session, user_id, lock=True)
        if application is None:
            # A member from before admissions who re-subscribed: recorded, for the count.
            application = ProgramApplication(
                user_id=user_id,
                open_key=user_id,
                route=AdmissionRoute.EXISTING_MEMBER,
                evidence=[],
                created_at=now,
                admitted_at=now,
                decided_at=now,
            )
            session.add(application)
        application.status = ApplicationStatus.JOINED
        application.seat_expires_at = None
        await session.flush()

    async def left(self, session: AsyncSession, user_id: int, now: datetime) -> None:
        """The membership ended: its seat goes back (to the waitlist, by the job)."""
        application = await admission_repository.open_for_user(session, user_id, lock=True)
        if application is not None:
            _close(application, ApplicationStatus.LEFT, now)
            await session.flush()

    # ---- operators -----------------------------------------------------------------------

    async def queue(
        self,
        session: AsyncSession,
        statuses: tuple[ApplicationStatus, ...],
        page: int,
        page_size: int = 25,
    ) -> Page[ProgramApplication]:
        items, total = await admission_repository.page(
            session, statuses, (page - 1) * page_size, page_size
        )
        check_page_in_range(page, page_size, total)
        return Page(items, page, page_size, total)

    async def applicants(
        self, session: AsyncSession, applications: list[ProgramApplication]
    ) -> dict[int, User]:
        users = {}
        for user_id in {a.user_id for a in applications}:
            user = await account_service.get(session, user_id)
            if user is not None:
                users[user_id] = user
        return users

    async def counts(self, session: AsyncSession) -> dict[str, int]:
        return await admission_repository.count_by_status(session)

    async def approve(
        self, session: AsyncSession, admin: User, application_id: int
    ) -> ProgramApplication:
        rules = await self.rules(session, lock=True)
        application = await self._decidable(session, application_id)
        now = utcnow()
        used = await admission_repository.seats_used(session, now)
        if used >= rules.seat_limit:
            raise Conflict(
                f"No seat is free: {used:,} of {rules.seat_limit:,} seats are taken. Raise the "
                "seat limit, or the application stays on the waitlist until a seat is freed.",
                seats_used=used,
                seat_limit=rules.seat_limit,
            )
        _admit(application, AdmissionRoute.REVIEW, now, get_settings().program_admission_days)
        application.decided_by_user_id = admin.id
        await session.flush()
        return application

    async def decline(
        self, session: AsyncSession, admin: User, application_id: int, reason: str
    ) -> ProgramApplication:
        application = await self._decidable(session, application_id)
        now = utcnow()
        _close(application, ApplicationStatus.DECLINED, now)
        application.decline_reason = reason
        application.decided_by_user_id = admin.id
        application.decided_at = now
        await session.flush()
        return application

    async def invite(self, session: AsyncSession, admin: User, email: str) -> ProgramApplication:
        """Give a freelancer a seat, bypassing the rules; it is held for them to subscribe in
        ``program_invitation_days``. An application of theirs in review or on the waitlist
        becomes this invitation."""
        user = await account_service.by_email(session, email)
        if user is None:
            raise NotFound(f"There is no account with the email {email}.", field="email")
        if not user.is_freelancer:
            raise ValidationFailed(
                f"{email} is not a freelancer: only freelancers can join the creation program.",
                field="email",
            )
        if await membership.is_member(session, user.id):
            raise Conflict(f"{email} is a member of the creation program already.", field="email")
        rules = await self.rules(session, lock=True)
        now = utcnow()
        application = await admission_repository.open_for_user(session, user.id, lock=True)
        if application is not None and application.status not in QUEUE_STATUSES:
            raise Conflict(f"{email} holds a seat already ({application.status}).", field="email")
        used = await admission_repository.seats_used(session, now)
        if used >= rules.seat_limit:
            raise Conflict(
                f"No seat is free to invite {email} to: {used:,} of {rules.seat_limit:,} seats "
                "are taken.",
                seats_used=used,
                seat_limit=rules.seat_limit,
            )
        if application is None:
            application = ProgramApplication(
                user_id=user.id, open_key=user.id, evidence=[], created_at=now
            )
            session.add(application)
        application.invited_email = email
        application.decided_by_user_id = admin.id
        _admit(application, AdmissionRoute.INVITATION, now, get_settings().program_invitation_days)
        await session.flush()
        return application

    async def _decidable(self, session: AsyncSession, application_id: int) -> ProgramApplication:
        application = await admission_repository.lock(session, application_id)
        if application is None:
            raise NotFound("There is no such application.")
        if application.status not in QUEUE_STATUSES:
            raise Conflict(
                f"Application {application.reference} is {application.status.replace('_', ' ')}: "
                "there is nothing left to decide."
            )
        return application

    # ---- the waitlist (a job) ------------------------------------------------------------

    async def offer_freed_seats(self, session: AsyncSession, now: datetime) -> list[int]:
        """Take back seats held past their time, then offer every free seat to the next on
        the waitlist, in order. Returns the applications offered a seat."""
        rules = await self.rules(session, lock=True)
        for application in await admission_repository.lapsed_admissions(session, now):
            _close(application, ApplicationStatus.EXPIRED, now)
        await session.flush()
        free = rules.seat_limit - await admission_repository.seats_used(session, now)
        offered = []
        if free > 0:
            days = get_settings().program_offer_days
            for application in await admission_repository.first_waitlisted(session, free):
                _admit(application, AdmissionRoute.WAITLIST, now, days)
                offered.append(application.id)
        await session.flush()
        return offered


def _admit(
    application: ProgramApplication, route: AdmissionRoute, now: datetime, days: int
) -> None:
    application.status = ApplicationStatus.ADMITTED
    application.route = route
    application.admitted_at = now
    application.decided_at = now
    application.seat_expires_at = now + timedelta(days=days)


def _close(application: ProgramApplication, status: ApplicationStatus, now: datetime) -> None:
    application.status = status
    application.open_key = None  # the freelancer may apply again
    application.seat_expires_at = None
    application.closed_at = now


def _already_applied(application: ProgramApplication) -> str:
    if application.status == ApplicationStatus.ADMITTED:
        return "You are admitted already: subscribe on the program page to take your seat."
    if application.status == ApplicationStatus.WAITLISTED:
        return "You are on the waitlist already; you get a seat as soon as one is free."
    if application.status == ApplicationStatus.JOINED:
        return "You hold a seat in the creation program already."
    return "Your application is waiting for an operator's review already."


admission_service = AdmissionService()
