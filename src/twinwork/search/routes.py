from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from twinwork.catalog.schemas import GigOut
from twinwork.catalog.service import category_service
from twinwork.kit.errors import DomainError, ValidationFailed
from twinwork.kit.money import parse_dollars
from twinwork.kit.pagination import MAX_PAGE
from twinwork.search.schemas import SearchHitOut, SearchOut
from twinwork.search.service import SearchParams, render_snippet, search_service
from twinwork.web.deps import PAGE_DEPENDENCIES, DbSession, visitor_key
from twinwork.web.templating import render

api = APIRouter(prefix="/api/v1", tags=["search"])
pages = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)

Sort = Literal["relevance", "price_asc", "price_desc", "rating", "newest"]
DELIVERY_CHOICES = (1, 3, 7, 14)
DELIVERY_VALUES = {str(days) for days in DELIVERY_CHOICES}


# The searches are read-only units of work although each logs one search event: the query
# runs without the write lock, and the event's insert takes it only at the end (kit.db swaps
# the transaction at its first write). Holding SQLite's one write lock through the whole
# search queued every search behind purchases and top-ups, and them behind it.
@api.get("/search", response_model=SearchOut)
async def search_api(
    request: Request,
    session: DbSession,
    q: Annotated[str, Query(max_length=200)] = "",
    category: Annotated[str | None, Query(max_length=60)] = None,
    min_price_amount: Annotated[int | None, Query(ge=0, le=100_000_000)] = None,
    max_price_amount: Annotated[int | None, Query(ge=0, le=100_000_000)] = None,
    max_delivery_days: Annotated[int | None, Query(ge=1, le=365)] = None,
    ai_available: Annotated[
        bool, Query(description="Only gigs that can be had as AI or hybrid work.")
    ] = False,
    works_with_ai: Annotated[
        bool, Query(description="Only freelancers who list the AI tools they work with.")
    ] = False,
    sort: Sort = "relevance",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> SearchOut:
    """Search published gigs. Prices are in cents. Each search is logged, without the user."""
    params = SearchParams(
        q=q,
        category=category or None,
        min_price_amount=min_price_amount,
        max_price_amount=max_price_amount,
        max_delivery_days=max_delivery_days,
        ai_available=ai_available,
        works_with_ai=works_with_ai,
        sort=sort,
        page=page,
    )
    results = await search_service.search(session, params, visitor_key(request))
    return SearchOut(
        q=q,
        term=results.term,
        category=results.category.slug if results.category else None,
        ai_available=ai_available,
        works_with_ai=works_with_ai,
        sort=sort,
        page=results.page.page,
        page_size=results.page.page_size,
        total=results.page.total,
        pages=results.page.pages,
        results=[
            SearchHitOut(
                gig=GigOut.model_validate(hit.gig),
                snippet=str(render_snippet(hit.snippet, hit.highlighted)),
                ai_price_amount=results.ai_prices.get(hit.gig.id),
            )
            for hit in results.page.items
        ],
    )


@pages.get("/search")
async def search_page(
    request: Request,
    session: DbSession,
    q: Annotated[str, Query(max_length=200)] = "",
    category: Annotated[str, Query(max_length=60)] = "",
    min_price: Annotated[str, Query(max_length=12)] = "",
    max_price: Annotated[str, Query(max_length=12)] = "",
    delivery: Annotated[str, Query(max_length=4)] = "",
    ai: Annotated[str, Query(max_length=4)] = "",
    works_with_ai: Annotated[str, Query(max_length=4)] = "",
    sort: Annotated[str, Query(max_length=20)] = "relevance",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    categories = await category_service.all(session)
    # Checkboxes: sent as "1" when ticked, absent otherwise; anything else reads as unticked.
    form = {
        "q": q,
        "category": category,
        "min_price": min_price,
        "max_price": max_price,
        "delivery": delivery,
        "ai": "1" if ai == "1" else "",
        "works_with_ai": "1" if works_with_ai == "1" else "",
        "sort": sort,
    }
    context = {
        "categories": categories,
        "delivery_choices": DELIVERY_CHOICES,
        "form": form,
        "page_base_url": "/search?"
        + "".join(f"{urlencode({k: v})}&" for k, v in form.items() if v),
        "render_snippet": render_snippet,
    }
    htmx = bool(request.headers.get("hx-request"))
    template = "search_results.html" if htmx else "search.html"
    try:
        params = SearchParams(
            q=q,
            category=category or None,
            min_price_amount=_form_price(min_price, "minimum"),
            max_price_amount=_form_price(max_price, "maximum"),
            max_delivery_days=int(delivery) if delivery in DELIVERY_VALUES else None,
            ai_available=bool(form["ai"]),
            works_with_ai=bool(form["works_with_ai"]),
            sort=sort,
            page=page,
        )
        context["results"] = await search_service.search(session, params, visitor_key(request))
    except DomainError as exc:
        context["error"] = exc.detail
        # htmx swaps only 2xx answers into the page; the message must reach the person.
        return render(request, template, context, status_code=200 if htmx else exc.status_code)
    return render(request, template, context)


def _form_price(text: str, which: str) -> int | None:
    try:
        return parse_dollars(text)
    except ValueError as exc:
        raise ValidationFailed(
            f"Enter the {which} price in dollars, like 25 or 25.50.", field=f"{which}_price"
        ) from exc
