from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import PASSWORD, create_user, unique_email
from tests.catalog.factories import create_gig, row_id_links
from twinwork.account.models import User
from twinwork.catalog.models import Gig
from twinwork.kit.csrf import CSRF_COOKIE


async def csrf_token(client: httpx.AsyncClient) -> str:
    await client.get("/login")
    token = client.cookies.get(CSRF_COOKIE)
    assert token
    return token


async def sign_in(client: httpx.AsyncClient, email: str) -> None:
    token = await csrf_token(client)
    response = await client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303, response.text


async def signed_in_user(
    client: httpx.AsyncClient, session: AsyncSession, roles: tuple[str, ...] = ("freelancer",)
) -> User:
    """A committed account of these roles, signed in on ``client``'s browser session."""
    user = await create_user(session, roles=roles)
    await session.commit()
    await sign_in(client, user.email)
    return user


async def count(session: AsyncSession, model: type) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_home_lists_categories_and_sets_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert "AI agent development" in response.text and "Voice-over" in response.text
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert CSRF_COOKIE in response.cookies


async def test_search_gig_and_profile_pages_render(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller = await create_user(session, roles=("freelancer",), display_name="Page Seller")
    gig = await create_gig(session, seller, title="Quillbright copy for product pages")
    await session.commit()
    results = await client.get("/search", params={"q": "quillbright printer", "sort": "rating"})
    assert results.status_code == 200
    assert f'href="/gigs/{gig.public_id}"' in results.text and "<mark>" in results.text
    page = await client.get(f"/gigs/{gig.public_id}")
    assert page.status_code == 200 and "Quillbright copy for product pages" in page.text
    assert "$45" in page.text
    profile = await client.get(f"/freelancers/{gig.freelancer.handle}")
    assert profile.status_code == 200 and "Page Seller" in profile.text
    home = await client.get("/")
    for shown in (results, page, profile, home):
        assert row_id_links(shown.text) == [], shown.url


async def test_search_page_shows_an_empty_state_and_errors_readably(
    client: httpx.AsyncClient,
) -> None:
    empty = await client.get("/search", params={"q": "qqqzzzxxx nothing"})
    assert empty.status_code == 200 and "No services match" in empty.text
    bad = await client.get("/search", params={"q": "logo", "category": "nope"})
    assert bad.status_code == 422 and "There is no category" in bad.text
    htmx = await client.get("/search", params={"q": "logo"}, headers={"HX-Request": "true"})
    assert "<html" not in htmx.text  # a fragment for htmx to swap in


async def test_unknown_page_is_a_friendly_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/page", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Back to the home page" in response.text


async def test_signup_form_without_csrf_token_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await client.get("/signup")
    before = await count(session, User)
    response = await client.post(
        "/signup",
        data={"email": unique_email(), "password": PASSWORD, "display_name": "No Token"},
    )
    assert response.status_code == 403
    assert "expired" in response.text
    forged = await client.post(
        "/signup",
        data={
            "email": unique_email(),
            "password": PASSWORD,
            "display_name": "Forged",
            "csrf_token": "forged-token",
        },
    )
    assert forged.status_code == 403
    assert await count(session, User) == before


async def test_signup_form_creates_an_account_and_signs_in(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await csrf_token(client)
    email = unique_email()
    response = await client.post(
        "/signup",
        data={
            "email": email,
            "password": PASSWORD,
            "display_name": "Form Person",
            "roles": ["buyer", "freelancer"],
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard"
    dashboard = await client.get("/dashboard/freelancer")
    assert dashboard.status_code == 200 and "Seller dashboard" in dashboard.text
    user = (await session.scalars(select(User).where(User.email == email))).one()
    assert user.roles == ["buyer", "freelancer"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "short"}, "at least 10"),
        ({"email": "not an email"}, "email address"),
        ({"display_name": ""}, "display_name"),
    ],
)
async def test_signup_form_errors_are_shown_and_nothing_is_saved(
    client: httpx.AsyncClient, session: AsyncSession, fields: dict[str, str], message: str
) -> None:
    token = await csrf_token(client)
    before = await count(session, User)
    data = {"email": unique_email(), "password": PASSWORD, "display_name": "Someone"}
    data.update(fields)
    response = await client.post("/signup", data={**data, "csrf_token": token})
    assert response.status_code == 422
    assert message in response.text or "field-error" in response.text
    assert PASSWORD not in response.text  # the password is never echoed back
    assert await count(session, User) == before


async def test_login_with_wrong_password_shows_an_error(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session)
    await session.commit()
    token = await csrf_token(client)
    response = await client.post(
        "/login", data={"email": user.email, "password": "wrong-password", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "Email or password is incorrect." in response.text


async def test_pages_that_need_an_account_redirect_to_sign_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/dashboard/freelancer")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fdashboard%2Ffreelancer"


async def test_sign_out_ends_the_session(client: httpx.AsyncClient, session: AsyncSession) -> None:
    user = await create_user(session)
    await session.commit()
    await sign_in(client, user.email)
    assert (await client.get("/dashboard/buyer")).status_code == 200
    token = client.cookies.get(CSRF_COOKIE)
    assert (await client.post("/logout", data={"csrf_token": token})).status_code == 303
    assert (await client.get("/dashboard/buyer")).status_code == 303


async def test_admin_page_is_for_admins_only(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    buyer = await create_user(session)
    admin = await create_user(session, roles=("admin",))
    await session.commit()
    await sign_in(client, buyer.email)
    assert (await client.get("/admin")).status_code == 403
    client.cookies.clear()
    await sign_in(client, admin.email)
    page = await client.get("/admin")
    assert page.status_code == 200 and "Most searched terms" in page.text
    assert (await client.get("/admin", params={"page": 999})).status_code == 404


async def test_freelancer_creates_a_gig_with_the_form(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller = await signed_in_user(client, session)
    token = client.cookies.get(CSRF_COOKIE)
    form = {
        "csrf_token": token,
        "title": "I will write punchy taglines for your launch",
        "category": "copywriting",
        "description": "Ten tagline options in your voice, with a short note on each choice.",
        "tags": "taglines, launch",
        "basic_price": "35",
        "basic_delivery_days": "2",
        "basic_revisions": "1",
        "premium_enabled": "on",
        "premium_price": "120.50",
        "premium_delivery_days": "4",
        "premium_revisions": "3",
        "status": "published",
    }
    response = await client.post("/dashboard/gigs/new", data=form)
    assert response.status_code == 303, response.text
    gig = (await session.scalars(select(Gig).where(Gig.freelancer_id == seller.id))).one()
    await session.refresh(gig, ["packages"])
    assert gig.status == "published"
    assert [(p.name, p.price_amount) for p in gig.packages] == [
        ("basic", 3500),
        ("premium", 12050),
    ]

    before = await count(session, Gig)
    bad = await client.post("/dashboard/gigs/new", data={**form, "basic_price": "-5"})
    assert bad.status_code == 422 and "Please fix" in bad.text
    assert await count(session, Gig) == before


async def test_oversized_request_bodies_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/signup",
        content=b"{" + b" " * 1_100_000 + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_healthz_and_openapi(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json()["status"] == "ok"
    spec = (await client.get("/openapi.json")).json()
    for path in ("/api/v1/auth/signup", "/api/v1/search", "/api/v1/gigs/{gig_id}"):
        assert path in spec["paths"]


async def test_api_reference_page_lists_the_endpoints(client: httpx.AsyncClient) -> None:
    page = await client.get("/api")
    assert page.status_code == 200
    for path in ("/api/v1/auth/signup", "/api/v1/search", "/api/v1/gigs/{gig_id}"):
        assert path in page.text
    # Nothing is loaded from elsewhere (a CDN): every script and stylesheet is our own. (A
    # plain "cdn" substring check failed now and then on the page's random CSRF token.)
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page.text)
