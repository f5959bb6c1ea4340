from __future__ import annotations

import itertools

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.account.service import account_service

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}{next(_counter)}@example.test"


async def create_user(
    session: AsyncSession,
    *,
    roles: tuple[str, ...] = ("buyer",),
    email: str | None = None,
    display_name: str | None = None,
    password: str = PASSWORD,
) -> User:
    # Staff get a name of their own: no one else may sign up under an admin's name.
    default_name = "Test Operator" if "admin" in roles else "Test Person"
    return await account_service.signup(
        session,
        email=email or unique_email(roles[0]),
        password=password,
        display_name=display_name or default_name,
        roles=list(roles),
    )


async def api_signup(
    client: httpx.AsyncClient,
    *,
    roles: tuple[str, ...] = ("buyer",),
    email: str | None = None,
    display_name: str = "Test Person",
) -> tuple[dict[str, object], dict[str, str]]:
    """Sign up through the API; returns the user and ready-to-use auth headers."""
    response = await client.post(
        "/api/v1/auth/signup",
        json={
            "email": email or unique_email(roles[0]),
            "password": PASSWORD,
            "display_name": display_name,
            "roles": list(roles),
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return body["user"], {"Authorization": f"Bearer {body['token']}"}
