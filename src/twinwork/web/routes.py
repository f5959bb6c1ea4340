"""Pages that span domains: home, dashboards, the operator's page, health."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import text

from twinwork import __version__
from twinwork.account.repository import user_repository
from twinwork.billing.wallet.service import wallet_service
from twinwork.catalog.repository import gig_repository
from twinwork.catalog.service import category_service, gig_service
from twinwork.kit.charts import line_chart
from twinwork.kit.pagination import MAX_PAGE, check_page_in_range
from twinwork.ledger.service import ledger_service
from twinwork.order.dispute import dispute_service
from twinwork.order.service import order_service
from twinwork.program.admission import admission_service
from twinwork.search.offer import ai_offer_service
from twinwork.search.service import search_service
from twinwork.trends.service import WeekPoint, trend_service
from twinwork.web.deps import PAGE_DEPENDENCIES, DbSession, PageUser, page_admin
from twinwork.web.templating import render

pages = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)
health = APIRouter(tags=["health"])
ADMIN_USERS_PAGE_SIZE = 25


@health.get("/healthz")
async def healthz(session: DbSession) -> dict[str, Any]:
    await session.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__, "database": "ok"}


@pages.get("/")
async def home(request: Request, session: DbSession) -> Response:
    categories = await category_service.with_counts(session)
    featured = await gig_service.featured(session, limit=8)
    return render(
        request,
        "home.html",
        {
            "categories": categories,
            "featured": featured,
            # The cards' "AI model from $X" badges (search.offer).
            "ai_prices": await ai_offer_service.badges(session, featured),
        },
    )


@pages.get("/api")
async def api_reference(request: Request) -> Response:
    """The JSON API, listed from the app's own OpenAPI document."""
    spec = request.app.openapi()
    endpoints = [
        {
            "method": method.upper(),
            "path": path,
            "summary": operation.get("summary", ""),
            "description": (operation.get("description") or "").strip(),
            "tag": (operation.get("tags") or ["other"])[0],
        }
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
    ]
    return render(request, "api.html", {"endpoints": endpoints, "version": spec["info"]["version"]})


def _demand_chart(weeks: list[WeekPoint]) -> Markup | None:
    if not weeks:
        return None
    return line_chart(
        [week.week_start.strftime("%b %-d") for week in weeks],
        [week.searches for week in weeks],
        title="Searches per week",
        description="Every search on twinwork per week over the last twelve months.",
        chart_id="demand-chart",
    )


READING_PAGES = {
    "/how-it-works": "how_it_works.html",
    "/help": "help.html",
    "/terms": "terms.html",
    "/licence": "licence.html",
}
"""Pages to read, public, with the figures they quote taken from the settings in force."""


async def reading_page(request: Request) -> Response:
    return render(
        request, READING_PAGES[request.url.path], {"settings": request.app.state.settings}
    )


for _path in READING_PAGES:
    pages.add_api_route(_path, reading_page, methods=["GET"])


@pages.get("/dashboard")
async def dashboard(user: PageUser) -> Response:
    if user.is_admin:
        return RedirectResponse("/admin", status_code=303)
    if user.is_freelancer:
        return RedirectResponse("/dashboard/freelancer", status_code=303)
    return RedirectResponse("/dashboard/buyer", status_code=303)


@pages.get("/dashboard/buyer")
async def buyer_dashboard(request: Request, session: DbSession, user: PageUser) -> Response:
    featured = await gig_service.featured(session, limit=4)
    balance = await wallet_service.balance(session, user)
    return render(
        request,
        "buyer_dashboard.html",
        {
            "featured": featured,
            "balance_amount": balance,
            "ai_prices": await ai_offer_service.badges(session, featured),
        },
    )


@pages.get("/admin", dependencies=[Depends(page_admin)])
async def admin_page(
    request: Request,
    session: DbSession,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    total_users = await user_repository.count(session)
    check_page_in_range(page, ADMIN_USERS_PAGE_SIZE, total_users)
    users = await user_repository.list_page(
        session, (page - 1) * ADMIN_USERS_PAGE_SIZE, ADMIN_USERS_PAGE_SIZE
    )
    context = {
        "total_users": total_users,
        "role_counts": await user_repository.count_by_role(session),
        "gig_counts": await gig_repository.count_by_status(session),
        "search_count": await search_service.event_count(session),
        "top_terms": await search_service.top_terms(session, limit=12),
        "open_disputes": await dispute_service.open_count(session),
        "program_counts": await admission_service.counts(session),
        "money": await ledger_service.balances_by_kind(session, "USD"),
        "ageing": await order_service.ageing(session),
        "demand_chart": _demand_chart(await trend_service.weekly_demand(session)),
        "users": users,
        "page": page,
        "pages": max(1, -(-total_users // ADMIN_USERS_PAGE_SIZE)),
    }
    return render(request, "admin.html", context)
