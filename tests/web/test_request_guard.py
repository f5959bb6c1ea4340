"""The request guard and the headers every answer carries: a body too large is a 413 even
when it streams in without a Content-Length, NUL is refused with a message that says so,
every answer has the security headers, and nothing about a signed-in person is cached."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup
from tests.web.test_pages import signed_in_user
from twinwork.kit.csrf import CSRF_COOKIE
from twinwork.web.middleware import SECURITY_HEADERS

PROBLEM = "application/problem+json"


def assert_security_headers(response: httpx.Response) -> None:
    for name in SECURITY_HEADERS:
        assert name in response.headers, (name, response.status_code)


async def chunks(total: int, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    yield b'{"email": "'
    sent = 0
    while sent < total:
        yield b"a" * size
        sent += size
    yield b'"}'


async def test_a_chunked_body_over_the_limit_is_a_413_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/signup",
        content=chunks(1_200_000),
        headers={"content-type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "limited to" in response.json()["detail"]
    assert_security_headers(response)
    assert response.headers["cache-control"] == "no-store"


async def test_a_body_over_the_limit_with_its_length_is_a_413_with_security_headers(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/v1/auth/signup",
        content=b"{" + b" " * 1_100_000 + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert_security_headers(response)


async def test_nul_in_a_json_body_is_refused_with_a_message_that_says_so(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/v1/auth/signup",
        content=(
            '{"email": "nul@example.test", "password": "correct horse battery", '
            '"display_name": "a\\u0000b"}'
        ),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "NUL" in response.json()["detail"]
    assert_security_headers(response)


async def test_nul_in_a_chunked_json_body_is_refused_with_a_message_that_says_so(
    client: httpx.AsyncClient,
) -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b'{"email": "nul@example.test", "display_name": "a\\u00'
        yield b'00b"}'

    response = await client.post(
        "/api/v1/auth/signup", content=body(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert "NUL" in response.json()["detail"]


async def test_nul_in_a_form_field_is_refused_with_a_message_that_says_so(
    client: httpx.AsyncClient,
) -> None:
    await client.get("/login")
    response = await client.post(
        "/login",
        content=f"csrf_token={client.cookies.get(CSRF_COOKIE)}&email=a%00b%40example.test",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


async def test_error_pages_and_unexpected_errors_carry_the_security_headers(
    client: httpx.AsyncClient,
) -> None:
    missing = await client.get("/no/such/page")
    assert missing.status_code == 404
    assert_security_headers(missing)

    from twinwork.web.app import create_app

    app = create_app()
    broken = APIRouter()

    @broken.get("/api/v1/broken-for-test")
    async def broken_route() -> None:
        raise RuntimeError("boom")

    app.include_router(broken)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        response = await other.get("/api/v1/broken-for-test")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith(PROBLEM)
    assert_security_headers(response)
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/me"])
async def test_every_api_answer_is_no_store(client: httpx.AsyncClient, path: str) -> None:
    _, headers = await api_signup(client)
    response = await client.get(path, headers=headers)
    assert response.headers["cache-control"] == "no-store"
    anonymous = await client.get("/api/v1/search")
    assert anonymous.headers["cache-control"] == "no-store"


async def test_pages_for_a_signed_in_person_are_no_store_public_ones_may_be_cached(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    anonymous = await client.get("/")
    assert "no-store" not in anonymous.headers.get("cache-control", "")
    await signed_in_user(client, session)
    for path in ("/", "/dashboard/freelancer", "/dashboard/wallet"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path
        assert_security_headers(response)
    static = await client.get("/static/app.css")
    assert "no-store" not in static.headers.get("cache-control", "")
