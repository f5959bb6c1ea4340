"""The equity programme's pages and API: a freelancer's grants, progress and statements; an
operator's rules, a year's preview and its round."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.responses import RedirectResponse, Response

from twinwork.account.models import User
from twinwork.catalog.models import LEVELS
from twinwork.equity.eligibility import Assessment, format_growth
from twinwork.equity.schemas import (
    AssessmentOut,
    CheckOut,
    GrantOut,
    ProgressOut,
    RoundIn,
    RoundOut,
    RoundReportOut,
    RulesIn,
    RulesOut,
    TrancheOut,
)
from twinwork.equity.service import Candidate, Progress, RoundReport, equity_service
from twinwork.kit.db import utcnow
from twinwork.kit.errors import DomainError
from twinwork.kit.money import parse_dollars
from twinwork.kit.public_ids import GrantId
from twinwork.web.deps import (
    PAGE_DEPENDENCIES,
    ApiAdmin,
    ApiUser,
    DbSession,
    PageAdmin,
    PageFreelancer,
)
from twinwork.web.forms import FormErrors, as_list, domain_errors, form_data, form_error, validate
from twinwork.web.templating import render

api = APIRouter(prefix="/api/v1", tags=["equity"])
pages = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)

Year = Annotated[int, Path(ge=2000, le=2100, description="The measurement year.")]


# ---- JSON shapes ---------------------------------------------------------------------------


def assessment_out(candidate: Candidate) -> AssessmentOut:
    a, profile = candidate.assessment, candidate.profile
    return AssessmentOut(
        user_id=profile.user_id,
        handle=profile.handle,
        display_name=profile.display_name,
        tranche=a.tranche,
        eligible=a.eligible,
        earnings_amount=a.facts.earnings_amount,
        previous_earnings_amount=a.facts.previous_earnings_amount,
        growth_basis_points=a.growth_basis_points,
        level_since=a.level_since,
        country=a.facts.country,
        checks=_checks(a),
        lacking=[c.key for c in a.lacking],
    )


def _checks(a: Assessment) -> list[CheckOut]:
    return [CheckOut(key=c.key, label=c.label, passed=c.passed, figure=c.figure) for c in a.checks]


def report_out(report: RoundReport) -> RoundReportOut:
    return RoundReportOut(
        year=report.year,
        status="granted" if report.round is not None else "preview",
        can_run=report.can_run,
        reason=report.reason,
        round=RoundOut.model_validate(report.round) if report.round else None,
        grants=[GrantOut.model_validate(g) for g in report.grants],
        eligible=[assessment_out(c) for c in report.eligible],
        near_misses=[assessment_out(c) for c in report.near_misses],
    )


def progress_out(progress: Progress) -> ProgressOut:
    a, rules = progress.assessment, progress.rules
    return ProgressOut(
        year=progress.year,
        currency=rules.currency,
        earnings_amount=a.facts.earnings_amount,
        previous_earnings_amount=a.facts.previous_earnings_amount,
        growth_basis_points=a.growth_basis_points,
        min_earnings_amount=rules.min_earnings_amount,
        to_bar_amount=progress.to_bar_amount,
        growth_target_amount=progress.growth_target_amount,
        to_growth_amount=progress.to_growth_amount,
        min_growth_percent=rules.min_growth_percent,
        high_earnings_amount=rules.high_earnings_amount,
        tranche=a.tranche,
        on_track=a.eligible,
        checks=_checks(a),
        schedule=[
            TrancheOut(
                number=t.number,
                year=t.year,
                status=t.status.value,
                needs=t.needs,
                grant=GrantOut.model_validate(t.grant) if t.grant else None,
            )
            for t in progress.schedule
        ],
    )


# ---- API -----------------------------------------------------------------------------------


@api.post(
    "/admin/equity/rounds", response_model=RoundReportOut, status_code=status.HTTP_201_CREATED
)
async def run_round(body: RoundIn, admin: ApiAdmin, session: DbSession) -> RoundReportOut:
    """Run the round for a measurement year that is over, at ``share_price_amount`` cents a
    share: every eligible freelancer gets a tranche in whole shares, the cents left over
    stated on the grant. 409 for a year not over, or one whose round has run."""
    return report_out(
        await equity_service.run_round(session, admin, body.year, body.share_price_amount)
    )


@api.get("/admin/equity/rounds/{year}", response_model=RoundReportOut)
async def get_round(year: Year, _admin: ApiAdmin, session: DbSession) -> RoundReportOut:
    """Before the year's round: the preview (who is eligible, with the evidence for every
    rule, and the near misses with what they lacked). After it: the round and its grants."""
    return report_out(await equity_service.report(session, year))


@api.get("/admin/equity/rules", response_model=RulesOut)
async def get_rules(_admin: ApiAdmin, session: DbSession) -> RulesOut:
    return RulesOut.model_validate(await equity_service.rules(session))


@api.put("/admin/equity/rules", response_model=RulesOut)
async def put_rules(body: RulesIn, admin: ApiAdmin, session: DbSession) -> RulesOut:
    """Replace the rules: later previews and rounds use them; grants keep theirs."""
    return RulesOut.model_validate(await equity_service.update_rules(session, admin, body))


@api.get("/equity/grants", response_model=list[GrantOut])
async def my_grants(user: ApiUser, session: DbSession) -> list[GrantOut]:
    """Your equity grants, oldest first, each with the evidence it was made on."""
    return [GrantOut.model_validate(g) for g in await equity_service.grants(session, user)]


@api.get("/equity/progress", response_model=ProgressOut)
async def my_progress(user: ApiUser, session: DbSession) -> ProgressOut:
    """This year's earnings so far against the bar and the growth the rules ask for, and the
    schedule of your yearly tranches with what each still needs."""
    return progress_out(await equity_service.progress(session, user))


# ---- pages: freelancers --------------------------------------------------------------------


@pages.get("/dashboard/equity")
async def equity_page(request: Request, session: DbSession, user: PageFreelancer) -> Response:
    progress = await equity_service.progress(session, user)
    return render(request, "equity.html", {"progress": progress, "growth": format_growth})


@pages.get("/dashboard/equity/grants/{grant_id}/statement")
async def statement_page(
    request: Request, grant_id: GrantId, session: DbSession, user: PageFreelancer
) -> Response:
    grant = await equity_service.grant_of(session, user, grant_id)
    context = {"grant": grant, "holder": user, "growth": format_growth}
    return render(request, "equity_statement.html", context)


# ---- pages: operators ----------------------------------------------------------------------


@pages.get("/admin/equity")
async def admin_equity_page(
    request: Request,
    session: DbSession,
    _admin: PageAdmin,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Response:
    return render(request, "equity_admin.html", await _admin_context(session, year))


async def _admin_context(session: DbSession, year: int | None) -> dict[str, Any]:
    this_year = utcnow().year
    year = year or this_year - 1
    return {
        "year": year,
        "years": list(range(this_year, this_year - 6, -1)),
        "report": await equity_service.report(session, year),
        "rules": await equity_service.rules(session),
        "rounds": await equity_service.rounds(session),
        "levels": LEVELS,
        "growth": format_growth,
        "values": {},
        "errors": {},
    }


def _dollars(data: dict[str, Any], field: str) -> int:
    try:
        amount = parse_dollars(str(data.get(field, "")))
    except ValueError as exc:
        raise FormErrors({field: str(exc)}) from exc
    if amount is None:
        raise FormErrors({field: "Enter an amount in dollars, like 30000."})
    return amount


def _rules_from_form(data: dict[str, Any]) -> RulesIn:
    errors: dict[str, str] = {}
    amounts: dict[str, int] = {}
    for field in ("min_earnings_amount", "high_earnings_amount", "grant_amount"):
        try:
            amounts[field] = _dollars(data, field)
        except FormErrors as exc:
            errors.update(exc.errors)
    if errors:
        raise FormErrors(errors)
    countries = str(data.get("allowed_countries", "")).replace(";", ",").split(",")
    return validate(
        RulesIn,
        {
            "qualifying_levels": as_list(data.get("qualifying_levels")),
            "level_years": data.get("level_years", ""),
            "min_growth_percent": data.get("min_growth_percent", ""),
            "tranches": data.get("tranches", ""),
            "allowed_countries": [c for c in countries if c.strip()],
            **amounts,
        },
    )


async def _admin_action(request: Request, session: DbSession, admin: User, action: str) -> Response:
    data = await form_data(request)
    year: int | None = None
    try:
        if action == "rules":
            await equity_service.update_rules(session, admin, _rules_from_form(data))
            target = "/admin/equity?done=rules"
        else:
            try:
                price = _dollars(data, "share_price")
            except FormErrors:
                raise FormErrors(
                    {"share_price": "Enter the share price in dollars, like 12.34."}
                ) from None
            body = validate(RoundIn, {"year": data.get("year", ""), "share_price_amount": price})
            year = body.year
            await equity_service.run_round(session, admin, body.year, body.share_price_amount)
            target = f"/admin/equity?year={body.year}&done=round"
    except (FormErrors, DomainError) as exc:
        errors = exc.errors if isinstance(exc, FormErrors) else domain_errors(exc)
        if "share_price_amount" in errors:
            errors["share_price"] = errors.pop("share_price_amount")
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        context = await _admin_context(session, year if action == "round" else None)
        context["failed_action"] = action
        return form_error(request, session, "equity_admin.html", data, errors, status_code, context)
    return RedirectResponse(target, status_code=303)


@pages.post("/admin/equity/rules")
async def admin_rules_page(request: Request, session: DbSession, admin: PageAdmin) -> Response:
    return await _admin_action(request, session, admin, "rules")


@pages.post("/admin/equity/rounds")
async def admin_round_page(request: Request, session: DbSession, admin: PageAdmin) -> Response:
    return await _admin_action(request, session, admin, "round")
