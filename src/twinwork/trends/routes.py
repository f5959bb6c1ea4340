"""The Business Trends Index: the public index and term pages, their exports, the operators'
raw view and synonym editor, and the import of search history."""

from __future__ import annotations

import csv
import io
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from twinwork.config import get_settings
from twinwork.kit.charts import bar_chart, line_chart
from twinwork.kit.errors import DomainError, PayloadTooLarge, ValidationFailed
from twinwork.kit.jobs import enqueue_after_commit
from twinwork.trends.schemas import (
    ImportOut,
    TermTrendOut,
    TrendItemOut,
    TrendsOut,
    WeekOut,
    WindowOut,
)
from twinwork.trends.service import TermTrend, TrendIndex, TrendRow, trend_service
from twinwork.trends.stats import TrendStatus
from twinwork.trends.tasks import export_and_roll_up
from twinwork.trends.terms import MAX_TERM_LENGTH
from twinwork.trends.window import MAX_MONTHS, MIN_MONTHS, Windows
from twinwork.web.deps import PAGE_DEPENDENCIES, ApiAdmin, DbSession, PageAdmin
from twinwork.web.forms import domain_errors, form_data, form_error
from twinwork.web.templating import render

api = APIRouter(prefix="/api/v1", tags=["trends"])
pages = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)

WindowMonths = Annotated[
    int | None,
    Query(ge=MIN_MONTHS, le=MAX_MONTHS, description="Length of each window, in months."),
]
Limit = Annotated[int, Query(ge=1, le=100)]
TermPath = Annotated[str, Path(min_length=1, max_length=MAX_TERM_LENGTH)]
CSV_COLUMNS = (
    "kind",
    "term",
    "label",
    "current_count",
    "previous_count",
    "growth_pct",
    "ci_low_pct",
    "ci_high_pct",
    "status",
    "current_share_pct",
    "previous_share_pct",
    "share_growth_pct",
)


def _months(window_months: int | None) -> int:
    return window_months or get_settings().trends_window_months


def item_out(row: TrendRow) -> TrendItemOut:
    return TrendItemOut(
        term=row.key,
        current_count=row.current_count,
        previous_count=row.previous_count,
        growth_pct=row.growth_pct,
        ci_low_pct=row.ci_low_pct,
        ci_high_pct=row.ci_high_pct,
        status=row.status,
        current_share_pct=row.current_share_pct,
        previous_share_pct=row.previous_share_pct,
        share_growth_pct=row.share_growth_pct,
    )


def window_out(w: Windows | None, months: int, totals: tuple[int, int]) -> WindowOut:
    settings = get_settings()
    return WindowOut(
        months=months,
        current_start=w.current_start if w else None,
        current_end=w.current_end if w else None,
        previous_start=w.previous_start if w else None,
        previous_end=w.previous_end if w else None,
        current_total=totals[0],
        previous_total=totals[1],
        min_volume=settings.trends_min_volume,
        k_anonymity=settings.trends_k_anonymity,
    )


@api.get("/trends", response_model=TrendsOut)
async def trends_api(
    session: DbSession, window_months: WindowMonths = None, limit: Limit = 20
) -> TrendsOut:
    """Search terms (``items``) and categories ranked by growth: searches in the trailing
    ``window_months`` against the same length before, with both counts, shares of all
    searches and an exact 95% interval. Rising terms come first, most surely rising first
    (by the interval's lower end); then new ones, falling ones and those with too few
    searches. Only counts of at least the k-anonymity threshold are published."""
    months = _months(window_months)
    index = await trend_service.index(session, months, limit)
    return TrendsOut(
        items=[item_out(r) for r in index.terms],
        categories=[item_out(r) for r in index.categories],
        window=window_out(index.windows, months, (index.current_total, index.previous_total)),
    )


def term_out(trend: TermTrend) -> TermTrendOut:
    return TermTrendOut(
        term=trend.term,
        variants=list(trend.variants),
        trend=item_out(trend.row),
        weeks=[
            WeekOut(
                week_start=w.week_start, searches=w.searches, share_pct=w.share_pct, days=w.days
            )
            for w in trend.weeks
        ],
        window=window_out(
            trend.windows, trend.windows.months, (trend.current_total, trend.previous_total)
        ),
    )


@api.get("/trends/terms/{term}", response_model=TermTrendOut)
async def term_api(
    session: DbSession, term: TermPath, window_months: WindowMonths = None
) -> TermTrendOut:
    """One term's searches per week (Monday to Sunday) over both windows, with its growth.
    The term is normalised first: "AI Agents" and "ai-agent" are the same term."""
    trend = await trend_service.term(session, term, _months(window_months))
    return term_out(trend)


@api.post(
    "/admin/search-events:import", response_model=ImportOut, status_code=status.HTTP_201_CREATED
)
async def import_search_events(request: Request, _admin: ApiAdmin, session: DbSession) -> ImportOut:
    """Import search history: a CSV (``text/csv`` body, or a ``file`` field of a multipart
    upload) whose first line is ``ts,query,category``; ``ts`` in ISO 8601 (UTC unless it
    carries an offset), ``category`` a category slug or empty. Every row is checked first:
    one bad row imports nothing and the answer lists the bad lines by number. The imported
    days are then exported and rolled up into the index in the background."""
    result = await trend_service.import_events(session, await _csv_text(request))
    enqueue_after_commit(session, export_and_roll_up, [d.isoformat() for d in result.days])
    return ImportOut(imported=result.imported, days=list(result.days))


async def _csv_text(request: Request) -> str:
    limit = get_settings().max_request_bytes
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        upload = (await request.form()).get("file")
        if not isinstance(upload, UploadFile):
            raise ValidationFailed("Send the CSV as the form field 'file'.", field="file")
        data = await upload.read(limit + 1)
    else:
        data = await request.body()
    if len(data) > limit:
        raise PayloadTooLarge(f"Send at most {limit:,} bytes per import; split the file.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationFailed("The CSV must be UTF-8 text.", field="file") from exc


# ---- pages -------------------------------------------------------------------------------


def search_link(term: str) -> str:
    return "/search?" + urlencode({"q": term})


def term_link(term: str) -> str:
    return "/trends/terms/" + quote(term, safe="")


def growth_text(row: TrendRow) -> str:
    if row.status == TrendStatus.NEW:
        return "new"
    if row.status == TrendStatus.TOO_FEW:
        return "too few searches"
    return f"{row.growth_pct:+,.0f}%" if row.growth_pct is not None else ""


def interval_text(row: TrendRow) -> str:
    if row.ci_low_pct is None:
        return ""
    high = "no upper bound" if row.ci_high_pct is None else f"{row.ci_high_pct:+,.0f}%"
    return f"{row.ci_low_pct:+,.0f}% to {high}"


def _page_helpers() -> dict[str, object]:
    return {
        "search_link": search_link,
        "term_link": term_link,
        "growth_text": growth_text,
        "interval_text": interval_text,
        "month_choices": (3, 6, 12),
    }


def _rising_chart(index: TrendIndex) -> object:
    rising = [r for r in index.terms if r.status == TrendStatus.RISING][:8]
    if not rising:
        return None
    return bar_chart(
        [r.key for r in rising],
        [r.growth_pct or 0.0 for r in rising],
        title="Fastest rising search terms",
        description="Growth in percent of each term's searches, trailing window against the "
        "one before: " + "; ".join(f"{r.key} {growth_text(r)}" for r in rising) + ".",
        chart_id="rising-chart",
        value_format=lambda v: f"{v:+,.0f}%",
    )


@pages.get("/trends")
async def trends_page(
    request: Request, session: DbSession, window_months: WindowMonths = None
) -> Response:
    months = _months(window_months)
    index = await trend_service.index(session, months, 100)
    return render(
        request,
        "trends.html",
        {
            "index": index,
            "months": months,
            "rising": [r for r in index.terms if r.status == TrendStatus.RISING][:15],
            "new_terms": [r for r in index.terms if r.status == TrendStatus.NEW][:15],
            "falling": [r for r in index.terms if r.status == TrendStatus.FALLING][:10],
            "chart": _rising_chart(index),
            **_page_helpers(),
        },
    )


@pages.get("/trends.csv")
async def trends_csv(session: DbSession, window_months: WindowMonths = None) -> Response:
    """The public index as CSV: terms then categories, the same figures as the JSON API."""
    months = _months(window_months)
    index = await trend_service.index(session, months, 1000)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for kind, rows in (("term", index.terms), ("category", index.categories)):
        for r in rows:
            writer.writerow(
                [
                    kind,
                    r.key,
                    r.label,
                    r.current_count,
                    r.previous_count,
                    _cell(r.growth_pct),
                    _cell(r.ci_low_pct),
                    _cell(r.ci_high_pct),
                    r.status.value,
                    _cell(r.current_share_pct),
                    _cell(r.previous_share_pct),
                    _cell(r.share_growth_pct),
                ]
            )
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="twinwork-trends-{months}m.csv"'},
    )


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


@pages.get("/trends/terms/{term}")
async def term_page(
    request: Request, session: DbSession, term: TermPath, window_months: WindowMonths = None
) -> Response:
    trend = await trend_service.term(session, term, _months(window_months))
    # Whole weeks only: a week cut by the window's edge would read as a fall in demand.
    weeks = [w for w in trend.weeks if w.days == 7]
    k = get_settings().trends_k_anonymity
    chart = line_chart(
        [w.week_start.strftime("%b %-d") for w in weeks],
        [None if w.searches is None else float(w.searches) for w in weeks],
        title=f"Weekly searches for “{trend.term}”",
        description=(
            f"Searches per week from {weeks[0].week_start:%B %-d, %Y} to "
            f"{weeks[-1].week_start:%B %-d, %Y}. "
            if weeks
            else ""
        )
        + f"{growth_text(trend.row)} over the last {trend.windows.months} months. "
        f"Gaps are weeks with fewer than {k} searches. The table below lists every week.",
        chart_id="term-chart",
    )
    return render(
        request,
        "trend_term.html",
        {"trend": trend, "row": trend.row, "chart": chart, "k": k, **_page_helpers()},
    )


# ---- operators ---------------------------------------------------------------------------


async def _admin_context(session: DbSession, months: int) -> dict[str, object]:
    index = await trend_service.index(session, months, 500, public=False)
    return {
        "index": index,
        "months": months,
        "synonyms": await trend_service.synonyms(session),
        "values": {},
        "errors": {},
        **_page_helpers(),
    }


@pages.get("/admin/trends")
async def admin_trends_page(
    request: Request, session: DbSession, _admin: PageAdmin, window_months: WindowMonths = None
) -> Response:
    return render(
        request, "trends_admin.html", await _admin_context(session, _months(window_months))
    )


async def _synonym_action(request: Request, session: DbSession, action: str) -> Response:
    data = await form_data(request)
    try:
        if action == "add":
            await trend_service.add_synonym(
                session, str(data.get("variant", ""))[:200], str(data.get("canonical", ""))[:200]
            )
        else:
            await trend_service.remove_synonym(session, str(data.get("variant", ""))[:200])
    except DomainError as exc:
        context = await _admin_context(session, get_settings().trends_window_months)
        return form_error(
            request,
            session,
            "trends_admin.html",
            data,
            domain_errors(exc),
            exc.status_code,
            context,
        )
    return RedirectResponse(f"/admin/trends?done=synonym-{action}#synonyms", status_code=303)


@pages.post("/admin/trends/synonyms")
async def add_synonym_page(request: Request, session: DbSession, _admin: PageAdmin) -> Response:
    return await _synonym_action(request, session, "add")


@pages.post("/admin/trends/synonyms/remove")
async def remove_synonym_page(request: Request, session: DbSession, _admin: PageAdmin) -> Response:
    return await _synonym_action(request, session, "remove")
