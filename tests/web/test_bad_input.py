"""Odd input anywhere gets a clear 4xx, never a 500, and changes nothing."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import PASSWORD, api_signup, create_user, unique_email
from tests.catalog.factories import gig_payload
from tests.web.test_pages import csrf_token, signed_in_user
from twinwork.kit.csrf import CSRF_COOKIE


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/search?q=%00",
        "/search?q=logo%00",
        "/api/v1/search?category=%00",
        "/freelancers/a%00b",
    ],
)
async def test_nul_characters_in_the_address_are_refused(
    client: httpx.AsyncClient, url: str
) -> None:
    response = await client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


async def test_nul_characters_in_json_bodies_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/signup",
        content=(
            '{"email": "nul@example.test", "password": "correct horse battery", '
            '"display_name": "a\\u0000b"}'
        ),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "gig_id",
    ["99999999999999999999999", "2147483648", "0", "-1", "a" * 26, "A" * 26, "a" * 27],
)
async def test_ids_that_name_no_gig_are_a_404(client: httpx.AsyncClient, gig_id: str) -> None:
    # Neither a database overflow nor a hint about which ids exist: no such gig.
    response = await client.get(f"/api/v1/gigs/{gig_id}")
    assert response.status_code == 404
    assert (await client.get(f"/gigs/{gig_id}")).status_code == 404


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"min_price": "inf"}, "minimum price"),
        ({"max_price": "1e308"}, "maximum price"),
        ({"min_price": "abc"}, "minimum price"),
        ({"min_price": "-5"}, "minimum price"),
        ({"min_price": "100", "max_price": "5"}, "above the maximum"),
    ],
)
async def test_search_page_explains_bad_filters(
    client: httpx.AsyncClient, params: dict[str, str], message: str
) -> None:
    page = await client.get("/search", params={"q": "logo", **params})
    assert page.status_code == 422 and message in page.text
    # With htmx the fragment must arrive with a 2xx, or htmx would not show it.
    fragment = await client.get(
        "/search", params={"q": "logo", **params}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200 and message in fragment.text
    assert "<html" not in fragment.text


async def test_unknown_delivery_choice_is_ignored_not_an_error(client: httpx.AsyncClient) -> None:
    assert (await client.get("/search", params={"delivery": "²"})).status_code == 200


async def test_non_ascii_csrf_token_is_refused_not_an_error(client: httpx.AsyncClient) -> None:
    await client.get("/login")
    response = await client.post(
        "/login", data={"email": "a@example.test", "password": "x", "csrf_token": "é"}
    )
    assert response.status_code == 403
    header = await client.post(
        "/login",
        data={"email": "a@example.test", "password": "x"},
        headers={"X-CSRF-Token": "é".encode()},
    )
    assert header.status_code == 403


async def test_form_price_in_odd_digits_is_a_form_error(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await signed_in_user(client, session)
    response = await client.post(
        "/dashboard/gigs/new",
        data={
            "csrf_token": client.cookies.get(CSRF_COOKIE),
            "title": "I will write punchy taglines for your launch",
            "category": "copywriting",
            "description": "Ten tagline options in your voice, with a note on each choice.",
            "basic_price": "5.²",
            "basic_delivery_days": "2",
        },
    )
    assert response.status_code == 422 and "Please fix" in response.text


async def test_line_endings_are_unified_and_markers_stripped(client: httpx.AsyncClient) -> None:
    _, headers = await api_signup(client, roles=("freelancer",))
    description = "First paragraph about the work.\r\n\r\nSecond \ue000paragraph\ue001 here."
    gig = (
        await client.post(
            "/api/v1/gigs", json=gig_payload(description=description), headers=headers
        )
    ).json()
    assert gig["description"] == "First paragraph about the work.\n\nSecond paragraph here."


async def test_expired_session_on_a_form_post_returns_to_the_dashboard(
    client: httpx.AsyncClient,
) -> None:
    token = await csrf_token(client)
    response = await client.post("/dashboard/profile", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fdashboard"


async def test_failed_sign_in_keeps_the_return_address(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session, email=unique_email())
    await session.commit()
    token = await csrf_token(client)
    failed = await client.post(
        "/login",
        data={"email": user.email, "password": "wrong", "next": "/search", "csrf_token": token},
    )
    assert 'name="next" value="/search"' in failed.text
    ok = await client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "next": "/search", "csrf_token": token},
    )
    assert ok.headers["location"] == "/search"


async def test_profile_form_errors_keep_what_was_typed(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await signed_in_user(client, session)
    response = await client.post(
        "/dashboard/profile",
        data={
            "csrf_token": client.cookies.get(CSRF_COOKIE),
            "headline": "Narrator",
            "bio": "I keep my bio when the country is wrong.",
            "country": "USA",
            "skills": "Narration, " + "x" * 41,
        },
    )
    assert response.status_code == 422
    assert "two-letter country code" in response.text
    assert "I keep my bio when the country is wrong." in response.text
    assert "skills #2" in response.text
