from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import PASSWORD, api_signup, unique_email
from twinwork.account.models import User
from twinwork.kit import public_ids

PROBLEM = "application/problem+json"


async def user_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(User)) or 0)


async def test_signup_returns_user_and_a_working_token(client: httpx.AsyncClient) -> None:
    email = unique_email()
    response = await client.post(
        "/api/v1/auth/signup",
        json={
            "email": email.upper(),
            "password": PASSWORD,
            "display_name": "  Ada   Writer ",
            "roles": ["buyer", "freelancer"],
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["email"] == email
    assert body["user"]["display_name"] == "Ada Writer"
    assert body["user"]["roles"] == ["buyer", "freelancer"]
    assert "password" not in str(body["user"]).lower()

    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.json()["id"] == body["user"]["id"]
    assert re.fullmatch(public_ids.PATTERN, body["user"]["id"]), body["user"]["id"]


async def test_password_is_stored_as_an_argon2_hash(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user, _ = await api_signup(client)
    stored = await session.get(User, public_ids.row_id("user", user["id"]))
    assert stored is not None
    assert stored.password_hash.startswith("$argon2")
    assert PASSWORD not in stored.password_hash


async def test_duplicate_email_is_refused_and_nothing_is_written(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """The API keeps its 409 (clients must tell a taken email from a bad field), but the words
    name no account, the password is hashed on this path too (same timing), and sign-up is
    rate-limited per address: checking addresses in bulk is slow and looks like sign-ups."""
    email = unique_email()
    await api_signup(client, email=email)
    before = await user_count(session)
    response = await client.post(
        "/api/v1/auth/signup",
        json={"email": email, "password": PASSWORD, "display_name": "Again", "roles": ["buyer"]},
    )
    assert response.status_code == 409
    assert response.headers["content-type"].startswith(PROBLEM)
    detail = response.json()["detail"]
    assert detail == "This email cannot be used to sign up. If it is yours, sign in."
    assert "exists" not in detail
    assert await user_count(session) == before


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "at least 10"),
        ("password123", "too easy"),
        ("aaaaaaaaaaaa", "too easy"),
        ("x" * 129, "128"),
    ],
)
async def test_weak_password_is_refused_with_a_reason(
    client: httpx.AsyncClient, session: AsyncSession, password: str, message: str
) -> None:
    before = await user_count(session)
    response = await client.post(
        "/api/v1/auth/signup",
        json={
            "email": unique_email(),
            "password": password,
            "display_name": "Weak",
            "roles": ["buyer"],
        },
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    assert message in response.json()["detail"]
    assert await user_count(session) == before


async def test_password_containing_the_email_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/signup",
        json={
            "email": "lyricist@example.test",
            "password": "lyricist-2026-rocks",
            "display_name": "Someone",
            "roles": ["buyer"],
        },
    )
    assert response.status_code == 422
    assert "email" in response.json()["detail"]


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "not-an-email", "password": PASSWORD, "display_name": "X", "roles": ["buyer"]},
        {"email": "a@example.test", "password": PASSWORD, "display_name": "", "roles": ["buyer"]},
        {"email": "a@example.test", "password": PASSWORD, "display_name": "x" * 61},
        {"email": "a@example.test", "password": PASSWORD, "display_name": "X", "roles": ["admin"]},
        {"email": "a@example.test", "password": PASSWORD, "display_name": "X", "roles": []},
        {"email": "a@example.test", "password": PASSWORD, "display_name": "X", "extra": 1},
    ],
)
async def test_invalid_signup_fields_get_problem_details(
    client: httpx.AsyncClient, session: AsyncSession, payload: dict[str, object]
) -> None:
    before = await user_count(session)
    response = await client.post("/api/v1/auth/signup", json=payload)
    assert response.status_code == 422
    body = response.json()
    assert response.headers["content-type"].startswith(PROBLEM)
    assert body["status"] == 422 and body["errors"]
    assert await user_count(session) == before


async def test_token_with_right_password_and_refusal_with_wrong_one(
    client: httpx.AsyncClient,
) -> None:
    email = unique_email()
    await api_signup(client, email=email)
    good = await client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert good.status_code == 200
    assert good.json()["token"].startswith("twk_")

    wrong = await client.post("/api/v1/auth/token", json={"email": email, "password": "nope" * 3})
    unknown = await client.post(
        "/api/v1/auth/token", json={"email": unique_email(), "password": PASSWORD}
    )
    for response in (wrong, unknown):
        assert response.status_code == 401
        # The same answer for a wrong password and an unknown email: no account probing.
        assert response.json()["detail"] == "Email or password is incorrect."


async def test_revoked_token_no_longer_works(client: httpx.AsyncClient) -> None:
    _, headers = await api_signup(client)
    assert (await client.delete("/api/v1/auth/token", headers=headers)).status_code == 204
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_me_requires_a_valid_token(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/v1/me")
    bogus = await client.get("/api/v1/me", headers={"Authorization": "Bearer twk_forged"})
    assert missing.status_code == 401 and bogus.status_code == 401
    assert missing.headers["content-type"].startswith(PROBLEM)


async def test_login_attempts_are_rate_limited(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from twinwork.config import get_settings
    from twinwork.kit import ratelimit

    monkeypatch.setattr(get_settings(), "login_rate_limit", "3/minute")
    ratelimit.reset_limits()
    email = unique_email()
    statuses = [
        (
            await client.post("/api/v1/auth/token", json={"email": email, "password": "wrong" * 3})
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    limited = await client.post("/api/v1/auth/token", json={"email": email, "password": "x" * 12})
    assert limited.headers["retry-after"] == "60"


async def test_buyer_can_become_a_freelancer(client: httpx.AsyncClient) -> None:
    _, headers = await api_signup(client, roles=("buyer",))
    response = await client.post("/api/v1/me/freelancer", headers=headers)
    assert response.status_code == 200
    assert response.json()["roles"] == ["buyer", "freelancer"]
