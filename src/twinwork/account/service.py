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
from twinwork.kit.errors import Conflict, NotAuthenticated, NotFound, ValidationFailed
from twinwork.kit.ratelimit import check_login_attempt, record_login_failure
from twinwork.kit.security import (
    burn_password_check_off_loop,
    hash_password_off_loop,
    new_token,
    token_digest,
    verify_password_off_loop,
)
from twinwork.kit.text import has_bidi_control, name_key, visible_text

ROLES = ("buyer", "freelancer", "admin")
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)
# Names only staff may go by: a buyer messaged by "Support" would believe it.
RESERVED_NAMES = frozenset(
    {"admin", "administrator", "twinwork", "support", "operations", "moderator", "staff"}
)


class EmailTaken(Conflict):
    """The email has an account. Operators (the CLI) are told so; the public sign-up answers
    with ``public()``, which names no account (see ``EMAIL_UNAVAILABLE``)."""

    def public(self) -> Conflict:
        return Conflict(EMAIL_UNAVAILABLE, field="email")


# The one answer the web gives to a taken email: it names no account. (The API still answers
# 409, as clients need to tell it from a bad field; the password is hashed on this path too,
# so timing does not tell either, and the sign-up rate limit keeps anyone from testing
# addresses in bulk.)
EMAIL_UNAVAILABLE = "This email cannot be used to sign up. If it is yours, sign in."
EMAIL_TAKEN = "An account with this email already exists."


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
        unknown = set(roles) - set(ROLES)
        if unknown or not roles:
            raise ValidationFailed("Roles must be buyer, freelancer or both.", field="roles")
        display_name = await self._check_display_name(session, display_name, staff="admin" in roles)
        check_password(password, email=email, display_name=display_name)
        # Hashed before the lookup, so a taken email answers as slowly as a free one.
        password_hash = await hash_password_off_loop(password)
        if await user_repository.get_by_email(session, email) is not None:
            raise EmailTaken(EMAIL_TAKEN, field="email")
        user = User(
            email=email,
            password_hash=password_hash,
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
            raise EmailTaken(EMAIL_TAKEN, field="email") from exc
        if user.is_freelancer:
            await run_freelancer_joined(session, user)
        return user

    async def _check_display_name(self, session: AsyncSession, name: str, *, staff: bool) -> str:
        """The name as shown (whitespace collapsed), or a ValidationFailed saying what to fix:
        a name must be visible, read in the order it is typed, and not pass for staff."""
        name = " ".join(name.split())
        if has_bidi_control(name):
            raise ValidationFailed(
                "Remove the text-direction control characters from your name.",
                field="display_name",
            )
        if not visible_text(name):
            raise ValidationFailed(
                "Tell buyers what to call you: the name has no visible characters.",
                field="display_name",
            )
        if not staff:
            key = name_key(name)
            admin_names = await user_repository.admin_display_names(session)
            if key in RESERVED_NAMES or key in {name_key(admin) for admin in admin_names}:
                raise ValidationFailed(
                    "This name is kept for twinwork staff. Choose another.",
                    field="display_name",
                )
        return name

    async def get(self, session: AsyncSession, user_id: int) -> User | None:
        return await user_repository.get(session, user_id)

    async def by_email(self, session: AsyncSession, email: str) -> User | None:
        return await user_repository.get_by_email(session, email)

    async def authenticate(self, session: AsyncSession, email: str, password: str) -> User:
        user = await user_repository.get_by_email(session, email.strip())
        if user is None:
            await burn_password_check_off_loop(password)
            raise NotAuthenticated("Email or password is incorrect.")
        if not await verify_password_off_loop(password, user.password_hash) or not user.is_active:
            raise NotAuthenticated("Email or password is incorrect.")
        return user

    async def sign_in(
        self, session: AsyncSession, email: str, password: str, client_ip: str
    ) -> User:
        """``authenticate`` under the sign-in rate limits (see kit.ratelimit): a failure
        counts against the account only for the address it came from."""
        check_login_attempt(client_ip, email)
        try:
            return await self.authenticate(session, email, password)
        except NotAuthenticated:
            record_login_failure(client_ip, email)
            raise

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

    async def end_all_sessions(self, session: AsyncSession, user: User) -> None:
        """Sign out everywhere: every browser session and every API token of ``user``."""
        await session_repository.delete_for_user(session, user.id)
        await api_token_repository.delete_for_user(session, user.id)

    async def issue_api_token(self, session: AsyncSession, user: User, name: str = "api") -> str:
        return (await self.create_api_token(session, user, name))[0]

    async def create_api_token(
        self, session: AsyncSession, user: User, name: str = "api"
    ) -> tuple[str, ApiToken]:
        """A new token (the secret, shown once) and its row."""
        token = new_token("twk")
        now = utcnow()
        row = ApiToken(
            token_digest=token_digest(token),
            user_id=user.id,
            name=name,
            created_at=now,
            expires_at=now + timedelta(days=get_settings().api_token_days),
        )
        await api_token_repository.add(session, row)
        return token, row

    async def list_api_tokens(self, session: AsyncSession, user: User) -> list[ApiToken]:
        return await api_token_repository.live_for_user(session, user.id, utcnow())

    async def revoke_api_token_id(self, session: AsyncSession, user: User, token_id: int) -> None:
        if not await api_token_repository.delete_for_user(session, user.id, token_id):
            # Someone else's token answers as a missing one: ids reveal nothing.
            raise NotFound("You have no API token with this id.")

    async def user_for_api_token(self, session: AsyncSession, token: str) -> User | None:
        digest = token_digest(token)
        found = await api_token_repository.user_for_digest(session, digest, utcnow())
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
