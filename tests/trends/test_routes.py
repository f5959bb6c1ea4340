"""The API contract, the public pages and their exports, the operators' page and the import."""

from __future__ import annotations

import csv
import io
from datetime import date

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import create_user
from tests.trends.factories import add_day, add_days
from tests.web.test_pages import signed_in_user
from twinwork.account.service import account_service
from twinwork.kit.csrf import CSRF_COOKIE
from twinwork.search.models import SearchEvent
from twinwork.trends.service import IMPORT_SESSION

CURRENT = (date(2026, 6, 1), date(2026, 6, 30))
PREVIOUS = (date(2026, 5, 1), date(2026, 5, 31))
ITEM_FIELDS = {
    "term",
    "current_count",
    "previous_count",
    "growth_pct",
    "ci_low_pct",
    "ci_high_pct",
    "status",
}


async def admin_headers(session: AsyncSession) -> dict[str, str]:
    admin = await create_user(session, roles=("admin",))
    await session.commit()
    token = await account_service.issue_api_token(session, admin)
    await session.commit()
    return {"Authorization": f"Bearer {token}"}


async def demand(session: AsyncSession) -> None:
    await add_days(session, *PREVIOUS, {"ai agent": 4, "logo design": 5})
    await add_days(session, *CURRENT, {"ai agents": 12, "logo design": 5, "comfyui": 2})
    # Three searches for a client's name: under the public threshold, for operators only.
    await add_day(
        session,
        date(2026, 6, 10),
        {"ai agents": 12, "logo design": 5, "comfyui": 2, "secret client": 3},
    )
    await session.commit()


async def test_index_api_answers_the_contract(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await demand(session)
    response = await client.get("/api/v1/trends", params={"window_months": 1, "limit": 20})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["window"]["months"] == 1
    assert body["window"]["current_start"] == "2026-06-01"
    items = {i["term"]: i for i in body["items"]}
    assert ITEM_FIELDS <= set(items["ai agent"])
    agent = items["ai agent"]
    assert (agent["current_count"], agent["previous_count"], agent["status"]) == (
        360,
        124,
        "rising",
    )
    assert agent["ci_low_pct"] < agent["growth_pct"] < agent["ci_high_pct"]
    comfy = items["comfyui"]
    assert comfy["status"] == "new" and comfy["growth_pct"] is None and comfy["ci_high_pct"] is None
    assert body["items"][0]["term"] == "ai agent"
    limited = (await client.get("/api/v1/trends", params={"window_months": 1, "limit": 1})).json()
    assert len(limited["items"]) == 1


async def test_bad_input_is_a_clear_422(client: httpx.AsyncClient) -> None:
    for months in (0, 100):
        response = await client.get("/api/v1/trends", params={"window_months": months})
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "window_months" in response.text
    long_term = await client.get("/api/v1/trends/terms/" + "x" * 10_000)
    assert long_term.status_code == 422
    assert (await client.get("/trends/terms/" + "x" * 10_000)).status_code == 422


async def test_term_api_gives_the_weekly_series(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await demand(session)
    response = await client.get("/api/v1/trends/terms/AI-Agents", params={"window_months": 1})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["term"] == "ai agent" and body["trend"]["current_count"] == 360
    assert sum(w["searches"] or 0 for w in body["weeks"]) == 360 + 124
    missing = await client.get("/api/v1/trends/terms/never%20searched")
    assert missing.status_code == 404


async def test_public_page_links_terms_to_gigs_and_charts(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await demand(session)
    page = await client.get("/trends", params={"window_months": 1})
    assert page.status_code == 200
    assert 'href="/search?q=ai+agent"' in page.text
    assert 'href="/trends/terms/ai%20agent"' in page.text
    assert 'role="img"' in page.text and '<title id="rising-chart-title">' in page.text
    assert "secret client" not in page.text
    term = await client.get("/trends/terms/ai%20agent", params={"window_months": 1})
    assert term.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="term-chart"' in term.text
    assert 'id="weekly-table"' in term.text and 'href="/search?q=ai+agent"' in term.text


async def test_csv_export_has_the_same_figures_as_the_api(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await demand(session)
    exported = await client.get("/trends.csv", params={"window_months": 1})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    api = (await client.get("/api/v1/trends", params={"window_months": 1, "limit": 100})).json()
    terms = [r for r in rows if r["kind"] == "term"]
    assert [r["term"] for r in terms] == [i["term"] for i in api["items"]]
    assert int(terms[0]["current_count"]) == api["items"][0]["current_count"]


async def test_operators_see_everything_and_edit_synonyms(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await demand(session)
    await signed_in_user(client, session, roles=("admin",))
    page = await client.get("/admin/trends", params={"window_months": 1})
    assert page.status_code == 200 and "secret client" in page.text
    csrf = {"csrf_token": client.cookies.get(CSRF_COOKIE) or ""}
    added = await client.post(
        "/admin/trends/synonyms", data={**csrf, "variant": "ComfyUI", "canonical": "AI agent"}
    )
    assert added.status_code == 303
    after = (await client.get("/api/v1/trends", params={"window_months": 1})).json()
    assert "comfyui" not in {i["term"] for i in after["items"]}
    same = await client.post(
        "/admin/trends/synonyms",
        data={**csrf, "variant": "logo designs", "canonical": "Logo-Design"},
    )
    assert same.status_code == 422 and "already the same term" in same.text
    removed = await client.post(
        "/admin/trends/synonyms/remove", data={**csrf, "variant": "comfyui"}
    )
    assert removed.status_code == 303


async def imported(session: AsyncSession) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(SearchEvent)
            .where(SearchEvent.session_hash == IMPORT_SESSION)
        )
        or 0
    )


async def test_import_takes_every_row_or_none(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await admin_headers(session)
    bad = (
        "ts,query,category\n"
        "2026-01-05T10:00:00Z,ai agents,ai-agent-development\n"
        "yesterday,logo,\n"
        "2026-01-05T11:00:00Z,,\n"
        "2026-01-06,comfyui,no-such-category\n"
        "2026-01-06,too,many,fields\n"
    )
    response = await client.post(
        "/api/v1/admin/search-events:import",
        content=bad,
        headers={**admin, "Content-Type": "text/csv"},
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert "nothing was imported" in problem["detail"]
    assert [(e["line"], e["field"]) for e in problem["errors"]] == [
        (3, "ts"),
        (4, "query"),
        (5, "category"),
        (6, "row"),
    ]
    assert await imported(session) == 0

    good = (
        "ts,query,category\n2026-01-05T10:00:00Z,AI Agents,ai-agent-development\n2026-01-06,logo,\n"
    )
    response = await client.post(
        "/api/v1/admin/search-events:import",
        files={"file": ("history.csv", good.encode(), "text/csv")},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    assert response.json() == {"imported": 2, "days": ["2026-01-05", "2026-01-06"]}
    assert await imported(session) == 2


async def test_import_refuses_a_wrong_header_and_non_admins(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await admin_headers(session)
    response = await client.post(
        "/api/v1/admin/search-events:import",
        content="when,what\n2026-01-05,logo\n",
        headers={**admin, "Content-Type": "text/csv"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["line"] == 1
    buyer = await create_user(session, roles=("buyer",))
    await session.commit()
    token = await account_service.issue_api_token(session, buyer)
    await session.commit()
    refused = await client.post(
        "/api/v1/admin/search-events:import",
        content="ts,query,category\n2026-01-05,logo,\n",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
    )
    assert refused.status_code == 403
