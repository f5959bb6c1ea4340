"""The creation program's pages and API: membership, card, invoices."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import RedirectResponse, Response

from twinwork.account.models import User
from twinwork.billing.schemas import CardIn
from twinwork.catalog.models import LEVELS
from twinwork.config import get_settings
from twinwork.kit.errors import DomainError, NotFound, ValidationFailed
from twinwork.kit.jobs import enqueue_after_commit
from twinwork.kit.pagination import MAX_PAGE
from twinwork.kit.public_ids import ApplicationId
from twinwork.program.admission import (
    QUEUE_STATUSES,
    ApplicationView,
    admission_service,
)
from twinwork.program.join import join_program
from twinwork.program.models import LIVE_STATUSES, ApplicationStatus
from twinwork.program.schemas import (
    ApplicationOut,
    ApplicationPageOut,
    DeclineIn,
    EligibilityOut,
    InvitationIn,
    InvoiceOut,
    RuleCheckOut,
    RulesIn,
    RulesOut,
    SeatsOut,
    SubscriptionOut,
)
from twinwork.program.subscription import subscription_service
from twinwork.program.waitlist import offer_freed_seats
from twinwork.web.deps import (
    PAGE_DEPENDENCIES,
    ApiAdmin,
    ApiUser,
    DbSession,
    IdempotencyKey,
    PageAdmin,
    PageFreelancer,
    SessionMaker,
)
from twinwork.web.forms import (
    FormErrors,
    domain_errors,
    form_data,
    form_error,
    form_idempotency_key,
    validate,
)
from twinwork.web.templating import render

api = APIRouter(prefix="/api/v1", tags=["program"])
pages = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)


async def subscription_out(session: DbSession, user: User) -> SubscriptionOut:
    subscription = await subscription_service.current(session, user)
    if subscription is None:
        raise NotFound("You have not joined the creation program. POST /api/v1/subscriptions.")
    return SubscriptionOut(
        id=subscription.id,
        status=subscription.status,
        member=subscription.status in LIVE_STATUSES,
        amount=subscription.amount,
        currency=subscription.currency,
        card_last4=subscription.card_last4,
        current_period_start=subscription.current_period_start,
        current_period_end=subscription.current_period_end,
        cancel_at_period_end=subscription.cancel_at_period_end,
        grace_until=subscription.grace_until,
        invoices=[
            InvoiceOut.model_validate(i) for i in await subscription_service.invoices(session, user)
        ],
    )


@api.post("/subscriptions", response_model=SubscriptionOut, status_code=status.HTTP_201_CREATED)
async def subscribe(
    body: CardIn,
    user: ApiUser,
    session: DbSession,
    sessionmaker: SessionMaker,
    idempotency_key: IdempotencyKey = None,
) -> SubscriptionOut:
    """Join the creation program: the first month is charged now, then every period. A retry
    with the same Idempotency-Key answers as the first request did, without a second charge."""
    await join_program(session, sessionmaker, user, body.card_number, idempotency_key)
    return await subscription_out(session, user)


@api.get("/subscriptions/current", response_model=SubscriptionOut)
async def current_subscription(user: ApiUser, session: DbSession) -> SubscriptionOut:
    return await subscription_out(session, user)


@api.delete("/subscriptions/current", response_model=SubscriptionOut)
async def cancel_subscription(user: ApiUser, session: DbSession) -> SubscriptionOut:
    """Stop renewing: membership lasts to the end of the paid period (at once while a renewal
    is unpaid), then your models are switched off, not erased."""
    await subscription_service.cancel(session, user)
    return await subscription_out(session, user)


@api.post("/subscriptions/current/resume", response_model=SubscriptionOut)
async def resume_subscription(user: ApiUser, session: DbSession) -> SubscriptionOut:
    await subscription_service.resume(session, user)
    return await subscription_out(session, user)


@api.put("/subscriptions/current/card", response_model=SubscriptionOut)
async def update_card(body: CardIn, user: ApiUser, session: DbSession) -> SubscriptionOut:
    """Use another card for renewals. An unpaid renewal is retried with it at its next daily
    retry during the grace period (a day after the last failed attempt), not at once."""
    await subscription_service.update_card(session, user, body.card_number)
    return await subscription_out(session, user)


@pages.get("/dashboard/program")
async def program_page(request: Request, session: DbSession, user: PageFreelancer) -> Response:
    return render(request, "program.html", await _program_context(session, user))


async def _program_context(session: DbSession, user: User) -> dict[str, object]:
    settings = get_settings()
    subscription = await subscription_service.current(session, user)
    member = subscription is not None and subscription.status in LIVE_STATUSES
    return {
        "subscription": subscription,
        "member": member,
        "invoices": await subscription_service.invoices(session, user),
        "price_amount": settings.program_price_amount,
        "currency": settings.program_currency,
        "period_days": settings.program_period_days,
        "grace_days": settings.program_grace_days,
        "offer_days": settings.program_offer_days,
        # A member's page shows the membership, not the way in: nothing to compute for it.
        "report": None if member else await admission_service.eligibility(session, user),
        "application": None if member else await admission_service.current(session, user),
        "idempotency_key": secrets.token_urlsafe(16),
        "values": {},
        "errors": {},
    }


async def _program_action(
    request: Request, session: DbSession, user: User, action: str
) -> Response:
    data = await form_data(request)
    try:
        if action == "card":
            body = validate(CardIn, {"card_number": data.get("card_number", "")})
            await subscription_service.update_card(session, user, body.card_number)
        elif action == "cancel":
            await subscription_service.cancel(session, user)
        else:
            await subscription_service.resume(session, user)
    except (FormErrors, DomainError) as exc:
        errors = exc.errors if isinstance(exc, FormErrors) else domain_errors(exc)
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        context = await _program_context(session, user)
        data.pop("card_number", None)
        return form_error(request, session, "program.html", data, errors, status_code, context)
    return RedirectResponse(f"/dashboard/program?done={action}", status_code=303)


@pages.post("/dashboard/program/subscribe")
async def program_subscribe(
    request: Request, session: DbSession, sessionmaker: SessionMaker, user: PageFreelancer
) -> Response:
    data = await form_data(request)
    key = form_idempotency_key(data)
    try:
        body = validate(CardIn, {"card_number": data.get("card_number", "")})
        await join_program(session, sessionmaker, user, body.card_number, key)
    except (FormErrors, DomainError) as exc:
        errors = exc.errors if isinstance(exc, FormErrors) else domain_errors(exc)
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        context = await _program_context(session, user)
        data.pop("card_number", None)
        return form_error(request, session, "program.html", data, errors, status_code, context)
    return RedirectResponse("/dashboard/program?done=subscribe", status_code=303)


@pages.post("/dashboard/program/apply")
async def apply_page(request: Request, session: DbSession, user: PageFreelancer) -> Response:
    data = await form_data(request)
    try:
        await admission_service.apply(session, user)
    except DomainError as exc:
        context = await _program_context(session, user)
        return form_error(
            request, session, "program.html", data, domain_errors(exc), exc.status_code, context
        )
    return RedirectResponse("/dashboard/program?done=apply", status_code=303)


@pages.post("/dashboard/program/{action}")
async def program_action(
    request: Request, action: str, session: DbSession, user: PageFreelancer
) -> Response:
    if action not in ("card", "cancel", "resume"):
        raise NotFound("No such action.")
    return await _program_action(request, session, user, action)


# ---- seats: eligibility, applications, the waitlist ----------------------------------------


def application_out(view: ApplicationView) -> ApplicationOut:
    a = view.application
    return ApplicationOut(
        id=a.id,
        user_id=a.user_id,
        status=a.status.value,
        route=a.route.value if a.route else None,
        waitlist_position=view.waitlist_position,
        seat_expires_at=a.seat_expires_at,
        decline_reason=a.decline_reason,
        evidence=a.evidence,
        created_at=a.created_at,
        decided_at=a.decided_at,
    )


@api.get("/program/eligibility", response_model=EligibilityOut)
async def eligibility(user: ApiUser, session: DbSession) -> EligibilityOut:
    """Each rule of the creation program with pass or fail and your own figure, and the
    seats taken and free."""
    report = await admission_service.eligibility(session, user)
    return EligibilityOut(
        eligible=report.eligibility.eligible,
        rules=[
            RuleCheckOut(key=c.key, label=c.label, passed=c.passed, figure=c.figure)
            for c in report.eligibility.checks
        ],
        seats=SeatsOut(limit=report.seats.limit, used=report.seats.used, free=report.seats.free),
    )


@api.post(
    "/program/applications", response_model=ApplicationOut, status_code=status.HTTP_201_CREATED
)
async def apply(user: ApiUser, session: DbSession) -> ApplicationOut:
    """Apply for a seat: admitted at once when every rule passes and a seat is free (then
    subscribe before ``seat_expires_at``), waitlisted when no seat is free, otherwise
    reviewed by an operator."""
    return application_out(await admission_service.apply(session, user))


@api.get("/program/applications/current", response_model=ApplicationOut)
async def current_application(user: ApiUser, session: DbSession) -> ApplicationOut:
    view = await admission_service.current(session, user)
    if view is None:
        raise NotFound(
            "You have not applied to the creation program. POST /api/v1/program/applications."
        )
    return application_out(view)


@api.get("/admin/program/applications", response_model=ApplicationPageOut)
async def list_applications(
    _admin: ApiAdmin,
    session: DbSession,
    status_filter: Annotated[str | None, Query(alias="status", max_length=20)] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> ApplicationPageOut:
    """Applications, oldest first: ``status`` in_review and waitlisted by default (what an
    operator decides on), or any one status."""
    results = await admission_service.queue(session, _statuses(status_filter), page)
    return ApplicationPageOut(
        items=[application_out(await admission_service.view(session, a)) for a in results.items],
        page=results.page,
        pages=results.pages,
        total=results.total,
    )


@api.post("/admin/program/applications/{application_id}/approve", response_model=ApplicationOut)
async def approve_application(
    application_id: ApplicationId, admin: ApiAdmin, session: DbSession
) -> ApplicationOut:
    """Admit an application in review or on the waitlist: 409 with the seat count when no
    seat is free."""
    application = await admission_service.approve(session, admin, application_id)
    return application_out(ApplicationView(application, None))


@api.post("/admin/program/applications/{application_id}/decline", response_model=ApplicationOut)
async def decline_application(
    application_id: ApplicationId, body: DeclineIn, admin: ApiAdmin, session: DbSession
) -> ApplicationOut:
    """Decline with a reason the freelancer reads; they may apply again later."""
    application = await admission_service.decline(session, admin, application_id, body.reason)
    return application_out(ApplicationView(application, None))


@api.post(
    "/admin/program/invitations", response_model=ApplicationOut, status_code=status.HTTP_201_CREATED
)
async def invite(body: InvitationIn, admin: ApiAdmin, session: DbSession) -> ApplicationOut:
    """Give a freelancer a seat without the rules; it is held for them for
    ``TWINWORK_PROGRAM_INVITATION_DAYS`` days."""
    return application_out(
        ApplicationView(await admission_service.invite(session, admin, body.email), None)
    )


@api.get("/admin/program/rules", response_model=RulesOut)
async def get_rules(_admin: ApiAdmin, session: DbSession) -> RulesOut:
    return RulesOut.model_validate(await admission_service.rules(session))


@api.put("/admin/program/rules", response_model=RulesOut)
async def put_rules(body: RulesIn, admin: ApiAdmin, session: DbSession) -> RulesOut:
    """Replace the eligibility rules and the seat limit. Seats already granted stay; a
    higher limit offers the freed seats to the waitlist at once."""
    rules = await admission_service.update_rules(session, admin, body)
    enqueue_after_commit(session, offer_freed_seats)
    return RulesOut.model_validate(rules)


def _statuses(status_filter: str | None) -> tuple[ApplicationStatus, ...]:
    if status_filter in (None, "", "queue"):
        return QUEUE_STATUSES
    try:
        return (ApplicationStatus(status_filter),)
    except ValueError:
        known = ", ".join(s.value for s in ApplicationStatus)
        raise ValidationFailed(
            f"Unknown status {status_filter!r}; use one of: queue, {known}.", field="status"
        ) from None


ADMIN_TABS = ("queue", "in_review", "waitlisted", "admitted", "joined", "declined", "expired")


@pages.get("/admin/program")
async def admin_program_page(
    request: Request,
    session: DbSession,
    _admin: PageAdmin,
    status_filter: Annotated[str | None, Query(alias="status", max_length=20)] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    return render(
        request,
        "program_admin.html",
        await _admin_context(session, status_filter or "queue", page),
    )


async def _admin_context(
    session: DbSession, status_filter: str, page: int = 1
) -> dict[str, object]:
    results = await admission_service.queue(session, _statuses(status_filter), page)
    views = [await admission_service.view(session, a) for a in results.items]
    rules = await admission_service.rules(session)
    return {
        "results": results,
        "views": views,
        "applicants": await admission_service.applicants(session, results.items),
        "status_filter": status_filter,
        "tabs": ADMIN_TABS,
        "counts": await admission_service.counts(session),
        "seats": await admission_service.seats(session, rules),
        "rules": rules,
        "levels": LEVELS,
        "values": {},
        "errors": {},
    }


async def _admin_action(
    request: Request, session: DbSession, admin: User, action: str, application_id: int | None
) -> Response:
    data = await form_data(request)
    tab = str(data.get("status") or "queue")
    if tab not in ADMIN_TABS:
        tab = "queue"
    try:
        if action == "approve" and application_id is not None:
            await admission_service.approve(session, admin, application_id)
        elif action == "decline" and application_id is not None:
            body = validate(DeclineIn, {"reason": data.get("reason", "")})
            await admission_service.decline(session, admin, application_id, body.reason)
        elif action == "invite":
            invitation = validate(InvitationIn, {"email": data.get("email", "")})
            await admission_service.invite(session, admin, invitation.email)
        else:
            rules = validate(
                RulesIn,
                {
                    "min_level": data.get("min_level", ""),
                    "min_rating": data.get("min_rating", ""),
                    "min_completed_orders": data.get("min_completed_orders", ""),
                    "min_consented_samples": data.get("min_consented_samples", ""),
                    "seat_limit": data.get("seat_limit", ""),
                },
            )
            await admission_service.update_rules(session, admin, rules)
            enqueue_after_commit(session, offer_freed_seats)
    except (FormErrors, DomainError) as exc:
        errors = exc.errors if isinstance(exc, FormErrors) else domain_errors(exc)
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        context = await _admin_context(session, tab)
        context["failed_action"] = action
        context["failed_id"] = application_id
        return form_error(
            request, session, "program_admin.html", data, errors, status_code, context
        )
    return RedirectResponse(f"/admin/program?status={tab}&done={action}", status_code=303)


@pages.post("/admin/program/applications/{application_id}/{action}")
async def admin_decide_page(
    request: Request,
    application_id: ApplicationId,
    action: str,
    session: DbSession,
    admin: PageAdmin,
) -> Response:
    if action not in ("approve", "decline"):
        raise NotFound("No such action.")
    return await _admin_action(request, session, admin, action, application_id)


@pages.post("/admin/program/invitations")
async def admin_invite_page(request: Request, session: DbSession, admin: PageAdmin) -> Response:
    return await _admin_action(request, session, admin, "invite", None)


@pages.post("/admin/program/rules")
async def admin_rules_page(request: Request, session: DbSession, admin: PageAdmin) -> Response:
    return await _admin_action(request, session, admin, "rules", None)
