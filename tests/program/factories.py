"""Getting freelancers into the creation program the way an operator would: an invitation,
which bypasses the eligibility rules and holds a seat for them."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import create_user
from twinwork.account.models import User
from twinwork.account.service import account_service
from twinwork.kit.db import unit_of_work
from twinwork.program.admission import admission_service
from twinwork.program.models import ProgramApplication


async def invite(session: AsyncSession, user: User) -> ProgramApplication:
    admin = await create_user(session, roles=("admin",))
    return await admission_service.invite(session, admin, user.email)


async def admit(sessionmaker: async_sessionmaker[AsyncSession], email: str) -> None:
    async with unit_of_work(sessionmaker) as session:
        user = await account_service.by_email(session, email)
        assert user is not None
        await invite(session, user)


async def admit_api_user(client: httpx.AsyncClient, user: dict[str, Any]) -> None:
    """Admit a user signed up through ``client``, in the database the client's app uses."""
    transport = client._transport
    assert isinstance(transport, httpx.ASGITransport)
    await admit(transport.app.state.sessionmaker, str(user["email"]))  # type: ignore[attr-defined]
