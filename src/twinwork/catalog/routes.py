from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import RedirectResponse, Response

from twinwork.account.models import User
from twinwork.billing.payout.sales import monthly_totals
from twinwork.billing.payout.service import earnings_service
from twinwork.catalog.ai_tools import AI_TOOL_GROUPS, VOCABULARY
from twinwork.catalog.gallery.service import GALLERY_MAX_IMAGES, gallery_service
from twinwork.catalog.models import Gig
from twinwork.catalog.offer import WAY_LABELS, ModelPrices
from twinwork.catalog.schemas import (
    AiToolGroupOut,
    CategoryOut,
    GigCreate,
    GigOut,
    GigPageOut,
    GigUpdate,
    ProfileOut,
    ProfileUpdate,
)
from twinwork.catalog.service import category_service, gig_service, profile_service
from twinwork.creation.service import creation_service
from twinwork.generation.prefetch import prefetch_model
from twinwork.generation.service import generation_service
from twinwork.kit.db import utcnow
from twinwork.kit.errors import DomainError, ValidationFailed
from twinwork.kit.money import format_decimal, parse_dollars
from twinwork.kit.pagination import MAX_PAGE
from twinwork.kit.public_ids import GigId
from twinwork.order.review import review_service
from twinwork.order.service import order_service
from twinwork.order.timeline import due_in
from twinwork.order.track_record import track_record
from twinwork.portfolio.service import IMAGE_KIND, portfolio_service
from twinwork.program.subscription import subscription_service
from twinwork.search.offer import ai_offer_service
from twinwork.search.service import SearchParams, search_service
from twinwork.web.deps import (
    PAGE_DEPENDENCIES,
    ApiUser,
    ApiUserOptional,
    DbSession,
    PageFreelancer,
    PageUserOptional,
    Storage,
)
from twinwork.web.forms import (
    FormErrors,
    as_list,
    domain_errors,
    form_data,
    form_error,
    validate,
)
from twinwork.web.templating import render

api = APIRouter(prefix="/api/v1", tags=["catalog"])
pages = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)


@api.get("/categories", response_model=list[CategoryOut])
async def list_categories(session: DbSession) -> list[Any]:
    return await category_service.all(session)


@api.get("/ai-tools", response_model=list[AiToolGroupOut])
async def list_ai_tools() -> list[AiToolGroupOut]:
    """The AI tools a profile can list by name, grouped by what they make; a profile may also
    list others (see PATCH /api/v1/me/profile)."""
    return [
        AiToolGroupOut(group=group, tools=list(tools)) for group, tools in AI_TOOL_GROUPS.items()
    ]


@api.get("/gigs", response_model=GigPageOut)
async def list_gigs(
    session: DbSession,
    q: Annotated[str, Query(max_length=200)] = "",
    category: Annotated[str | None, Query(max_length=60)] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> GigPageOut:
    """Published gigs, newest first, or filtered like search (without logging a search)."""
    results = await search_service.find(
        session, SearchParams(q=q, category=category or None, page=page, sort="newest")
    )
    return GigPageOut(
        items=[GigOut.model_validate(hit.gig) for hit in results.page.items],
        page=results.page.page,
        page_size=results.page.page_size,
        total=results.page.total,
        pages=results.page.pages,
    )


@api.get("/gigs/{gig_id}", response_model=GigOut)
async def get_gig(gig_id: GigId, session: DbSession, user: ApiUserOptional) -> Gig:
    return await gig_service.public(session, gig_id, user)


@api.post("/gigs", response_model=GigOut, status_code=status.HTTP_201_CREATED)
async def create_gig(body: GigCreate, user: ApiUser, session: DbSession) -> Gig:
    return await gig_service.create(session, user, body)


@api.patch("/gigs/{gig_id}", response_model=GigOut)
async def update_gig(gig_id: GigId, body: GigUpdate, user: ApiUser, session: DbSession) -> Gig:
    return await gig_service.update(session, user, gig_id, body)


@api.get("/freelancers/{handle}", response_model=ProfileOut)
async def get_freelancer(handle: str, session: DbSession) -> Any:
    return await profile_service.by_handle(session, handle)


@api.patch("/me/profile", response_model=ProfileOut)
async def update_profile(body: ProfileUpdate, user: ApiUser, session: DbSession) -> Any:
    return await profile_service.update(session, user, body)


# ---- pages ---------------------------------------------------------------------------------


@pages.get("/gigs/{gig_id}")
async def gig_page(
    gig_id: GigId,
    request: Request,
    session: DbSession,
    viewer: PageUserOptional,
    storage: Storage,
    reviews_page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    gig = await gig_service.public(session, gig_id, viewer)
    more = [g for g in await gig_service.published_by(session, gig.freelancer_id) if g.id != gig.id]
    models = await creation_service.active_for_owners(session, [gig.freelancer_id])
    if models:  # the gig offers AI work: load its model's adapter in the background
        await prefetch_model(session, storage, models[0])
    reviews = await review_service.public(
        session, gig.freelancer_id, gig_id=gig.id, page=reviews_page
    )
    return render(
        request,
        "gig.html",
        {
            "gig": gig,
            "more_gigs": more[:3],
            "ai_models": models,
            # Each package by hand, by AI and hybrid: the toggle at the top of its box.
            "offer": await ai_offer_service.for_gig(session, gig),
            "way_labels": WAY_LABELS,
            "ai_prices": await ai_offer_service.badges(session, more[:3]),
            "reviews": reviews,
            "gallery": await gallery_service.images(session, gig.id),
            # One key per page view: a double-click on "Order" places one order.
            "order_key": secrets.token_urlsafe(12),
        },
    )


@pages.get("/freelancers/{handle}")
async def profile_page(
    handle: str,
    request: Request,
    session: DbSession,
    reviews_page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    profile = await profile_service.by_handle(session, handle)
    gigs = await gig_service.published_by(session, profile.user_id)
    models = await creation_service.active_for_owners(session, [profile.user_id])
    reviews = await review_service.public(session, profile.user_id, page=reviews_page)
    return render(
        request,
        "profile.html",
        {
            "profile": profile,
            "gigs": gigs,
            "ai_models": models,
            "ai_prices": await ai_offer_service.badges(session, gigs),
            "reviews": reviews,
            "track_record": await track_record(session, profile.user_id),
        },
    )


@pages.get("/dashboard/freelancer")
async def freelancer_dashboard(
    request: Request, session: DbSession, user: PageFreelancer
) -> Response:
    return render(request, "freelancer_dashboard.html", await _dashboard_context(session, user))


async def _dashboard_context(session: DbSession, user: User) -> dict[str, Any]:
    months = await monthly_totals(session, user, months=1)
    orders = await order_service.active_for_freelancer(session, user)
    now = utcnow()
    return {
        "profile": await profile_service.for_user(session, user),
        "gigs": await gig_service.mine(session, user),
        "membership": await subscription_service.current(session, user),
        # At a glance: what to do next, what came in, how the model sells.
        "orders": orders,
        "due": {order.id: due_in(order.due_at, now) for order in orders.to_do},
        "this_month": months[-1],
        "earnings": await earnings_service.balances(session, user),
        "models": await creation_service.mine(session, user),
        "model_sales": await generation_service.sales(session, user),
        "ai_tool_groups": AI_TOOL_GROUPS,
        "ai_tool_vocabulary": VOCABULARY,
    }


@pages.get("/dashboard/gigs/new")
async def new_gig_page(request: Request, session: DbSession, user: PageFreelancer) -> Response:
    return render(request, "gig_form.html", await _gig_form_context(session, user, None))


@pages.post("/dashboard/gigs/new")
async def new_gig_submit(request: Request, session: DbSession, user: PageFreelancer) -> Response:
    return await _save_gig_form(request, session, user, None)


@pages.get("/dashboard/gigs/{gig_id}/edit")
async def edit_gig_page(
    gig_id: GigId, request: Request, session: DbSession, user: PageFreelancer
) -> Response:
    gig = await gig_service.owned(session, user, gig_id)
    context = await _gig_form_context(session, user, gig)
    context["saved"] = request.query_params.get("saved") == "1"
    return render(request, "gig_form.html", context)


@pages.post("/dashboard/gigs/{gig_id}/edit")
async def edit_gig_submit(
    gig_id: GigId, request: Request, session: DbSession, user: PageFreelancer
) -> Response:
    gig = await gig_service.owned(session, user, gig_id)
    return await _save_gig_form(request, session, user, gig)


async def _save_gig_form(
    request: Request, session: DbSession, user: User, gig: Gig | None
) -> Response:
    """Create (gig is None) or update a gig from the form; on error show the form again."""
    data = await form_data(request)
    try:
        payload = _gig_payload(data)
        if gig is None:
            gig = await gig_service.create(session, user, validate(GigCreate, payload))
        else:
            gig = await gig_service.update(session, user, gig.id, validate(GigUpdate, payload))
    except (FormErrors, DomainError) as exc:
        errors = exc.errors if isinstance(exc, FormErrors) else domain_errors(exc)
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        context = await _gig_form_context(session, user, gig)
        return form_error(request, session, "gig_form.html", data, errors, status_code, context)
    return RedirectResponse(f"/dashboard/gigs/{gig.public_id}/edit?saved=1", status_code=303)


@pages.post("/dashboard/gigs/{gig_id}/status")
async def change_gig_status(
    gig_id: GigId, request: Request, session: DbSession, user: PageFreelancer
) -> Response:
    data = await form_data(request)
    new_status = str(data.get("status", ""))
    if new_status not in ("published", "paused", "draft"):
        raise ValidationFailed("Choose publish, pause or draft.", field="status")
    await gig_service.set_status(session, user, gig_id, new_status)
    return RedirectResponse("/dashboard/freelancer", status_code=303)


@pages.post("/dashboard/profile")
async def profile_submit(request: Request, session: DbSession, user: PageFreelancer) -> Response:
    data = await form_data(request)
    skills = [s.strip() for s in str(data.get("skills", "")).split(",") if s.strip()]
    # Ticked tools from the vocabulary, then the ones typed in: the schema checks them all.
    ai_tools = as_list(data.get("ai_tools")) + [
        t.strip() for t in str(data.get("ai_tools_other", "")).split(",") if t.strip()
    ]
    payload = {
        "headline": data.get("headline", ""),
        "bio": data.get("bio", ""),
        "skills": skills,
        "ai_tools": ai_tools,
        "country": str(data.get("country", "")).strip().upper(),
    }
    try:
        await profile_service.update(session, user, validate(ProfileUpdate, payload))
    except FormErrors as exc:
        context = await _dashboard_context(session, user)
        return form_error(
            request, session, "freelancer_dashboard.html", data, exc.errors, context=context
        )
    return RedirectResponse("/dashboard/freelancer?profile_saved=1", status_code=303)


async def _gig_form_context(session: DbSession, user: User, gig: Gig | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if gig is not None:
        values = {
            "title": gig.title,
            "description": gig.description,
            "requirements": gig.requirements,
            "category": gig.category.slug,
            "tags": ", ".join(gig.tags),
            "status": gig.status,
        }
        for package in gig.packages:
            values[f"{package.name}_enabled"] = "on"
            values[f"{package.name}_title"] = package.title
            values[f"{package.name}_summary"] = package.summary
            values[f"{package.name}_price"] = format_decimal(package.price_amount)
            values[f"{package.name}_delivery_days"] = str(package.delivery_days)
            values[f"{package.name}_revisions"] = str(package.revisions)
            for way in ("ai", "hybrid"):
                amount = getattr(package, f"{way}_price_amount")
                values[f"{package.name}_{way}_price"] = format_decimal(amount) if amount else ""
    models = await creation_service.active_for_owners(session, [user.id])
    # What a blank AI or hybrid price follows: the active model's own prices.
    defaults = _ai_defaults(models[0] if models else None)
    return {
        "ai_defaults": defaults,
        "gig": gig,
        **(await _gallery_context(session, gig)),
        "categories": await category_service.all(session),
        "values": values,
        "errors": {},
        "package_names": ("basic", "standard", "premium"),
    }


async def _gallery_context(session: DbSession, gig: Gig | None) -> dict[str, Any]:
    """The gallery editor under the gig's form: its pictures, and the owner's portfolio
    designs to choose from (those already in the gallery marked)."""
    if gig is None:
        return {"gallery": [], "portfolio_designs": [], "gallery_max": GALLERY_MAX_IMAGES}
    owner = gig.freelancer.user
    samples, _totals = await portfolio_service.page(session, owner, 1, page_size=1000)
    return {
        "gallery": await gallery_service.images(session, gig.id),
        "portfolio_designs": [s for s in samples.items if s.kind == IMAGE_KIND],
        "in_gallery": await gallery_service.portfolio_sample_ids(session, gig.id),
        "gallery_max": GALLERY_MAX_IMAGES,
    }


def _gig_payload(data: dict[str, Any]) -> dict[str, Any]:
    """Map the flat HTML form onto the API's GigCreate/GigUpdate shape."""
    packages = []
    for name in ("basic", "standard", "premium"):
        if name != "basic" and data.get(f"{name}_enabled") != "on":
            continue
        packages.append(
            {
                "name": name,
                "title": data.get(f"{name}_title") or None,
                "summary": data.get(f"{name}_summary", ""),
                "price_amount": _price_to_cents(name, str(data.get(f"{name}_price", ""))),
                "delivery_days": data.get(f"{name}_delivery_days") or None,
                "revisions": data.get(f"{name}_revisions") or 0,
                # Blank: the model's own price (catalog.offer).
                "ai_price_amount": _optional_price(name, "ai", data),
                "hybrid_price_amount": _optional_price(name, "hybrid", data),
            }
        )
    tags = [t for t in str(data.get("tags", "")).split(",") if t.strip()]
    return {
        "title": data.get("title", ""),
        "description": data.get("description", ""),
        "requirements": data.get("requirements", ""),
        "category": data.get("category", ""),
        "tags": tags,
        "status": data.get("status") or "draft",
        "packages": packages,
    }


def _optional_price(package: str, way: str, data: dict[str, Any]) -> int | None:
    field = f"{package}_{way}_price"
    try:
        return parse_dollars(str(data.get(field, "")))
    except ValueError as exc:
        raise FormErrors({field: str(exc)}) from exc


def _ai_defaults(model: ModelPrices | None) -> dict[str, Any]:
    """The placeholders of the AI and hybrid price fields: the active model's prices."""
    if model is None or model.price_amount is None:
        return {"active": False, "ai": None, "hybrid": None}
    refinement = model.refinement_price_amount
    return {
        "active": True,
        "ai": model.price_amount,
        "hybrid": None if refinement is None else model.price_amount + refinement,
    }


def _price_to_cents(package: str, text: str) -> int:
    """Dollars typed in the form to cents. Unreadable text is a form error here, never passed
    on: pydantic would read "1_000" as 1,000 cents."""
    try:
        return parse_dollars(text) or 0
    except ValueError as exc:
        raise FormErrors({f"{package}_price": str(exc)}) from exc
