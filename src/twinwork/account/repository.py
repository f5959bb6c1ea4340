from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import ApiToken, User, UserSession


class UserRepository:
    async def get(self, session: AsyncSession, user_id: int) -> User | None:
        return await session.get(User, user_id)

    async def get_by_email(self, session: AsyncSession, email: str) -> User | None:
        result = await session.execute(select(User).where(User.email == email.lower()))
        return result.scalar_one_or_none()

    async def add(self, session: AsyncSession, user: User) -> User:
        session.add(user)
        await session.flush()
        return user

    async def count(self, session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)

    async def count_by_role(self, session: AsyncSession) -> dict[str, int]:
        row = (
            await session.execute(
                select(
                    func.count().filter(User.is_buyer),
                    func.count().filter(User.is_freelancer),
                    func.count().filter(User.is_admin),
                )
            )
        ).one()
        return {"buyer": row[0], "freelancer": row[1], "admin": row[2]}

    async def admin_display_names(self, session: AsyncSession) -> list[str]:
        result = await session.execute(select(User.display_name).where(User.is_admin))
        return list(result.scalars())

    async def list_page(self, session: AsyncSession, offset: int, limit: int) -> list[User]:
        result = await session.execute(
            select(User)
            .order_by(User.created_at.desc(), User.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return list(result.scalars())


class SessionRepository:
    async def add(self, session: AsyncSession, user_session: UserSession) -> None:
        session.add(user_session)
        await session.flush()

    async def user_for_digest(
        self, session: AsyncSession, digest: str, now: datetime
    ) -> User | None:
        result = await session.execute(
            select(User)
            .join(UserSession, UserSession.user_id == User.id)
            .where(UserSession.token_digest == digest, UserSession.expires_at > now)
        )
        return result.scalar_one_or_none()

    async def delete_digest(self, session: AsyncSession, digest: str) -> None:
        await session.execute(delete(UserSession).where(UserSession.token_digest == digest))

    async def delete_for_user(self, session: AsyncSession, user_id: int) -> None:
        await session.execute(delete(UserSession).where(UserSession.user_id == user_id))


class ApiTokenRepository:
    async def add(self, session: AsyncSession, token: ApiToken) -> None:
        session.add(token)
        await session.flush()

    async def user_for_digest(
        self, session: AsyncSession, digest: str, now: datetime
    ) -> tuple[User, datetime | None] | None:
        result = await session.execute(
            select(User, ApiToken.last_used_at)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_digest == digest, ApiToken.expires_at > now)
        )
        row = result.one_or_none()
        return None if row is None else (row[0], row[1])

    async def touch(self, session: AsyncSession, digest: str, now: datetime) -> None:
        await session.execute(
            update(ApiToken).where(ApiToken.token_digest == digest).values(last_used_at=now)
        )

    async def delete_digest(self, session: AsyncSession, digest: str) -> None:
        await session.execute(delete(ApiToken).where(ApiToken.token_digest == digest))

    async def live_for_user(
        self, session: AsyncSession, user_id: int, now: datetime
    ) -> list[ApiToken]:
        result = await session.execute(
            select(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.expires_at > now)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
        return list(result.scalars())

    async def delete_for_user(
        self, session: AsyncSession, user_id: int, token_id: int | None = None
    ) -> int:
        """Delete one of the user's tokens (or all of them); how many were deleted."""
        statement = delete(ApiToken).where(ApiToken.user_id == user_id)
        if token_id is not None:
            statement = statement.where(ApiToken.id == token_id)
        result = await session.execute(statement)
        return int(getattr(result, "rowcount", 0) or 0)


user_repository = UserRepository()
session_repository = SessionRepository()
api_token_repository = ApiTokenRepository()
