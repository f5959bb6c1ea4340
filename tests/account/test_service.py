from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import PASSWORD, create_user
from twinwork.account.service import account_service
from twinwork.catalog.repository import profile_repository


async def test_freelancer_signup_creates_a_profile_with_a_unique_handle(
    session: AsyncSession,
) -> None:
    first = await create_user(session, roles=("freelancer",), display_name="Mira Stone")
    second = await create_user(session, roles=("freelancer",), display_name="Mira Stone")
    first_profile = await profile_repository.get(session, first.id)
    second_profile = await profile_repository.get(session, second.id)
    assert first_profile is not None and second_profile is not None
    assert first_profile.handle.startswith("mira-stone")
    assert first_profile.handle != second_profile.handle


async def test_buyer_signup_creates_no_profile(session: AsyncSession) -> None:
    buyer = await create_user(session, roles=("buyer",))
    assert await profile_repository.get(session, buyer.id) is None


async def test_browser_session_resolves_until_ended(session: AsyncSession) -> None:
    user = await create_user(session)
    token = await account_service.start_session(session, user)
    assert (await account_service.user_for_session(session, token)) == user
    await account_service.end_session(session, token)
    assert await account_service.user_for_session(session, token) is None


async def test_authenticate_is_case_insensitive_on_email(session: AsyncSession) -> None:
    user = await create_user(session, email="Case.Person@Example.test")
    assert user.email == "case.person@example.test"
    found = await account_service.authenticate(session, "CASE.person@example.TEST", PASSWORD)
    assert found.id == user.id
