"""Sign-up, sign-in, browser sessions and API tokens."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.hooks import run_freelancer_joined
from twinwork.account.models import ApiToken, User, UserSession
from twinwork.account.password_policy import check_password
from twinwork.account.repository import (
    api_token_repository,
    session_repository,
    user_repository,
)
from twinwork.config import get_settings
from twinwork.kit.db import utcnow
from twinwork.kit.errors import Conflict, NotAuthenticated, ValidationFailed
from twinwork.kit.security import (
    burn_password_check,
    hash_password,
    new_token,
    token_digest,
    verify_password,
)

ROLES = ("buyer", "freelancer", "admin")
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


class AccountService:
    async def signup(
        self,
        session: AsyncSession,
        *,
        email: str,
        password: str,
        display_name: str,
        roles: list[str],
    ) -> User:
        email = email.strip().lower()
        display_name = " ".join(display_name.split())
        if not display_name:
            raise ValidationFailed("Tell buyers what to call you.", field="display_name")
        unknown = set(roles) - set(ROLES)
        if unknown or not roles:
            raise ValidationFailed("Roles must be buyer, freelancer or both.", field="roles")
        check_password(password, email=email, display_name=display_name)
        if await user_repository.get_by_email(session, email) is not None:
            raise Conflict(
                "An account with this email already exists. Sign in instead.", field="email"
            )
        user = User(
            email=email,
            password_hash=hash_password(password),
            display_name=display_name,
            is_buyer="buyer" in roles,
            is_freelancer="freelancer" in roles,
            is_admin="admin" in roles,
        )
        try:
            async with session.begin_nested():
                await user_repository.add(session, user)
        except IntegrityError as exc:
            # Two sign-ups with one email raced past the check above.
            raise Conflict(
                "An account with this email already exists. Sign in instead.", field="email"
            ) from exc
        if user.is_freelancer:
            await run_freelancer_joined(session, user)
        return user

    async def get(self, session: AsyncSession, user_id: int) -> User | None:
        return await user_repository.get(session, user_id)

    async def by_email(self, session: AsyncSession, email: str) -> User | None:
        return await user_repository.get_by_email(session, email)

    async def authenticate(self, session: AsyncSession, email: str, password: str) -> User:
        user = await user_repository.get_by_email(session, email.strip())
        if user is None:
            burn_password_check(password)
            raise NotAuthenticated("Email or password is incorrect.")
        if not verify_password(password, user.password_hash) or not user.is_active:
            raise NotAuthenticated("Email or password is incorrect.")
        return user

    async def become_freelancer(self, session: AsyncSession, user: User) -> User:
        user.is_freelancer = True
        await run_freelancer_joined(session, user)
        await session.flush()
        return user

    async def start_session(self, session: AsyncSession, user: User) -> str:
        token = new_token("tws")
        expires = utcnow() + timedelta(days=get_settings().session_days)
        await session_repository.add(
            session,
            UserSession(token_digest=token_digest(token), user_id=user.id, expires_at=expires),
        )
        return token

    async def user_for_session(self, session: AsyncSession, token: str) -> User | None:
        user = await session_repository.user_for_digest(session, token_digest(token), utcnow())
        return user if user is not None and user.is_active else None

    async def end_session(self, session: AsyncSession, token: str) -> None:
        await session_repository.delete_digest(session, token_digest(token))

    async def issue_api_token(self, session: AsyncSession, user: User, name: str = "api") -> str:
        token = new_token("twk")
        await api_token_repository.add(
            session, ApiToken(token_digest=token_digest(token), user_id=user.id, name=name)
        )
        return token

    async def user_for_api_token(self, session: AsyncSession, token: str) -> User | None:
        digest = token_digest(token)
        found = await api_token_repository.user_for_digest(session, digest)
        if found is None or not found[0].is_active:
            return None
        user, last_used_at = found
        now = utcnow()
        # Record use at most every few minutes: a write on every read would serialise SQLite.
        if last_used_at is None or now - last_used_at > TOKEN_TOUCH_INTERVAL:
            await api_token_repository.touch(session, digest, now)
        return user

    async def revoke_api_token(self, session: AsyncSession, token: str) -> None:
        await api_token_repository.delete_digest(session, token_digest(token))


account_service = AccountService()
