from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import create_user
from tests.catalog.factories import create_gig, row_id_links
from twinwork.account.models import User
from twinwork.kit import public_ids
from twinwork.kit.public_ids import row_id
from twinwork.search.models import SearchEvent
from twinwork.search.query import normalise, parse
from twinwork.search.service import pseudonymous_session

PKG = {"name": "basic", "delivery_days": 3, "revisions": 1}


@pytest.fixture
async def catalog(session: AsyncSession) -> dict[str, str]:
    """A small catalog with distinct words, prices and delivery times."""
    seller = await create_user(session, roles=("freelancer",), display_name="Search Seller")
    gigs = {
        "logo": await create_gig(
            session,
            seller,
            title="Zephyrine minimalist logo for coffee roasters",
            tags=["logo", "coffee"],
            packages=[{**PKG, "price_amount": 3000, "delivery_days": 2}],
        ),
        "logo_premium": await create_gig(
            session,
            seller,
            title="Zephyrine luxury logo and brand identity",
            category="graphic-design",
            tags=["logo", "luxury"],
            packages=[{**PKG, "price_amount": 60000, "delivery_days": 14}],
        ),
        "voice": await create_gig(
            session,
            seller,
            title="Zephyrine warm narration for audiobooks",
            category="voice-over",
            tags=["audiobook"],
            description=(
                "Warm, unhurried narration recorded in a treated booth; delivered as WAV "
                "with chapter markers and a retake included."
            ),
            packages=[{**PKG, "price_amount": 12000, "delivery_days": 5}],
        ),
        "draft": await create_gig(
            session,
            seller,
            title="Zephyrine draft logo nobody should find",
            status="draft",
        ),
    }
    await session.commit()
    return {name: gig.public_id for name, gig in gigs.items()}


def ids(body: dict[str, object]) -> list[str]:
    return [r["gig"]["id"] for r in body["results"]]  # type: ignore[index, union-attr]


def test_queries_are_normalised_and_made_safe() -> None:
    assert normalise("  Logo   DESIGN!! ") == "logo design"
    assert parse('logo" OR x*').fts5() == '"logo" "or" "x"*'
    assert parse("logo design").tsquery() == "logo & design:*"
    assert parse("!!!").empty


async def test_full_text_finds_published_gigs_only(
    client: httpx.AsyncClient, catalog: dict[str, str]
) -> None:
    body = (await client.get("/api/v1/search", params={"q": "zephyrine logo"})).json()
    assert set(ids(body)) == {catalog["logo"], catalog["logo_premium"]}
    assert body["total"] == 2


async def test_results_name_gigs_by_public_ids_only(
    client: httpx.AsyncClient, catalog: dict[str, str]
) -> None:
    body = (await client.get("/api/v1/search", params={"q": "zephyrine"})).json()
    assert ids(body) and all(re.fullmatch(public_ids.PATTERN, gig_id) for gig_id in ids(body))
    page = await client.get("/search", params={"q": "zephyrine"})
    assert f'href="/gigs/{catalog["logo"]}"' in page.text
    assert row_id_links(page.text) == []


async def test_prefix_and_stemmed_words_match(
    client: httpx.AsyncClient, catalog: dict[str, str]
) -> None:
    body = (await client.get("/api/v1/search", params={"q": "zephyrine narrat"})).json()
    assert ids(body) == [catalog["voice"]]
    body = (await client.get("/api/v1/search", params={"q": "zephyrine audiobook"})).json()
    assert ids(body) == [catalog["voice"]]


async def test_snippets_highlight_matches_and_escape_html(
    client: httpx.AsyncClient, catalog: dict[str, str]
) -> None:
    body = (await client.get("/api/v1/search", params={"q": "zephyrine treated booth"})).json()
    snippet = body["results"][0]["snippet"]
    assert "<mark>" in snippet and "booth" in snippet.lower()
    assert "<script" not in snippet


async def test_filters_category_price_and_delivery(
    client: httpx.AsyncClient, catalog: dict[str, str]
) -> None:
    by_category = await client.get(
        "/api/v1/search", params={"q": "zephyrine", "category": "graphic-design"}
    )
    assert ids(by_category.json()) == [catalog["logo_premium"]]
    by_price = await client.get(
        "/api/v1/search",
        params={"q": "zephyrine", "min_price_amount": 5000, "max_price_amount": 20000},
    )
    assert ids(by_price.json()) == [catalog["voice"]]
    by_delivery = await client.get(
        "/api/v1/search", params={"q": "zephyrine", "max_delivery_days": 3}
    )
    assert ids(by_delivery.json()) == [catalog["logo"]]


async def test_sorting_by_price(client: httpx.AsyncClient, catalog: dict[str, str]) -> None:
    up = (await client.get("/api/v1/search", params={"q": "zephyrine", "sort": "price_asc"})).json()
    down = (
        await client.get("/api/v1/search", params={"q": "zephyrine", "sort": "price_desc"})
    ).json()
    assert ids(up) == [catalog["logo"], catalog["voice"], catalog["logo_premium"]]
    assert ids(down) == list(reversed(ids(up)))


async def test_pagination_and_page_out_of_range(
    client: httpx.AsyncClient, catalog: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from twinwork.config import get_settings

    monkeypatch.setattr(get_settings(), "search_page_size", 2)
    first = (await client.get("/api/v1/search", params={"q": "zephyrine"})).json()
    second = (await client.get("/api/v1/search", params={"q": "zephyrine", "page": 2})).json()
    assert first["pages"] == 2 and len(first["results"]) == 2 and len(second["results"]) == 1
    assert not set(ids(first)) & set(ids(second))
    beyond = await client.get("/api/v1/search", params={"q": "zephyrine", "page": 3})
    assert beyond.status_code == 404
    assert "page" in beyond.json()["detail"].lower()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 201},
        {"category": "no-such-category"},
        {"sort": "cheapest"},
        {"page": 0},
        {"min_price_amount": 5000, "max_price_amount": 100},
        {"min_price_amount": -1},
    ],
)
async def test_bad_search_parameters_get_a_clear_4xx_and_log_nothing(
    client: httpx.AsyncClient, session: AsyncSession, params: dict[str, object]
) -> None:
    before = len((await session.scalars(select(SearchEvent.id))).all())
    response = await client.get("/api/v1/search", params=params)
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert len((await session.scalars(select(SearchEvent.id))).all()) == before


async def test_every_search_writes_one_event_without_the_user(
    client: httpx.AsyncClient, session: AsyncSession, catalog: dict[str, str]
) -> None:
    signup = await client.post(
        "/api/v1/auth/signup",
        json={
            "email": "searcher@example.test",
            "password": "correct horse battery",
            "display_name": "Searcher",
        },
    )
    token = signup.json()["token"]
    user_id = signup.json()["user"]["id"]
    response = await client.get(
        "/api/v1/search",
        params={"q": "  Zephyrine LOGO ", "category": "logo-design"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    event = (
        await session.scalars(select(SearchEvent).order_by(SearchEvent.id.desc()).limit(1))
    ).one()
    assert event.raw_query == "Zephyrine LOGO"
    assert event.term == "zephyrine logo"
    assert event.category_slug == "logo-design"
    assert event.result_count == 1
    assert len(event.session_hash) == 32
    # Nothing in the event leads back to the account.
    assert not {"user_id", "email", "ip"} & {c.name for c in SearchEvent.__table__.columns}
    user = await session.get(User, row_id("user", user_id))
    assert user is not None
    for identity in (str(user.id), user_id, user.email):
        assert event.session_hash != pseudonymous_session(identity)

    # The same visitor searching again gets the same pseudonym; page 2 is not a new search.
    await client.get(
        "/api/v1/search", params={"q": "voice"}, headers={"Authorization": f"Bearer {token}"}
    )
    events = (await session.scalars(select(SearchEvent).order_by(SearchEvent.id))).all()
    assert events[-1].session_hash == event.session_hash


async def test_browsing_without_a_query_is_not_logged(
    client: httpx.AsyncClient, session: AsyncSession, catalog: dict[str, str]
) -> None:
    before = len((await session.scalars(select(SearchEvent.id))).all())
    assert (await client.get("/api/v1/search")).status_code == 200
    assert (await client.get("/api/v1/gigs", params={"q": "zephyrine"})).status_code == 200
    assert len((await session.scalars(select(SearchEvent.id))).all()) == before


@pytest.mark.parametrize("path", ["/api/v1/search", "/search"])
async def test_a_search_queries_in_a_read_only_unit_and_still_logs_its_event(
    client: httpx.AsyncClient,
    session: AsyncSession,
    catalog: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    path: str,
) -> None:
    # On SQLite a unit of work that writes holds the one write lock from its first statement:
    # a search run that way queued behind every purchase and top-up, and they behind it. The
    # query runs read-only; only the event's insert at the end takes the lock.
    from twinwork.kit import db
    from twinwork.search.repository import search_repository

    writing_during_query: list[bool] = []
    search = search_repository.search

    async def watched(*args: object, **kwargs: object) -> object:
        writing_during_query.append(db._writes.get())
        return await search(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(search_repository, "search", watched)
    before = len((await session.scalars(select(SearchEvent.id))).all())
    response = await client.get(path, params={"q": "zephyrine"})
    assert response.status_code == 200
    assert writing_during_query == [False]
    assert len((await session.scalars(select(SearchEvent.id))).all()) == before + 1
