from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.catalog.models import Category, FreelancerProfile, Gig


class CategoryRepository:
    async def list_all(self, session: AsyncSession) -> list[Category]:
        result = await session.execute(select(Category).order_by(Category.position, Category.name))
        return list(result.scalars())

    async def get_by_slug(self, session: AsyncSession, slug: str) -> Category | None:
        result = await session.execute(select(Category).where(Category.slug == slug))
        return result.scalar_one_or_none()

    async def published_counts(self, session: AsyncSession) -> dict[int, int]:
        result = await session.execute(
            select(Gig.category_id, func.count())
            .where(Gig.status == "published")
            .group_by(Gig.category_id)
        )
        return {row[0]: row[1] for row in result}


class ProfileRepository:
    async def get(self, session: AsyncSession, user_id: int) -> FreelancerProfile | None:
        return await session.get(FreelancerProfile, user_id)

    async def get_by_handle(self, session: AsyncSession, handle: str) -> FreelancerProfile | None:
        result = await session.execute(
            select(FreelancerProfile).where(FreelancerProfile.handle == handle)
        )
        return result.scalar_one_or_none()

    async def handles_like(self, session: AsyncSession, stem: str) -> set[str]:
        result = await session.execute(
            select(FreelancerProfile.handle).where(FreelancerProfile.handle.like(f"{stem}%"))
        )
        return set(result.scalars())

    async def add(self, session: AsyncSession, profile: FreelancerProfile) -> None:
        session.add(profile)
        await session.flush()


class GigRepository:
    async def get(self, session: AsyncSession, gig_id: int) -> Gig | None:
        return await session.get(Gig, gig_id)

    async def add(self, session: AsyncSession, gig: Gig) -> None:
        session.add(gig)
        await session.flush()

    async def reload(self, session: AsyncSession, gig: Gig) -> Gig:
        """After a write: fetch the row and its relations again, so nothing is lazy-loaded
        (async sessions cannot lazy-load) when the gig is serialised."""
        await session.flush()
        # One refresh reloads the columns and the eager (joined, selectin) relations together.
        await session.refresh(gig)
        return gig

    async def list_for_freelancer(self, session: AsyncSession, user_id: int) -> list[Gig]:
        result = await session.execute(
            select(Gig).where(Gig.freelancer_id == user_id).order_by(Gig.updated_at.desc())
        )
        return list(result.scalars())

    async def list_published_for_freelancer(self, session: AsyncSession, user_id: int) -> list[Gig]:
        result = await session.execute(
            select(Gig)
            .where(Gig.freelancer_id == user_id, Gig.status == "published")
            .order_by(Gig.published_at.desc())
        )
        return list(result.scalars())

    async def featured(self, session: AsyncSession, limit: int) -> list[Gig]:
        result = await session.execute(
            select(Gig)
            .join(FreelancerProfile, FreelancerProfile.user_id == Gig.freelancer_id)
            .where(Gig.status == "published")
            .order_by(
                FreelancerProfile.rating.desc(),
                FreelancerProfile.review_count.desc(),
                Gig.id,
            )
            .limit(limit)
        )
        return list(result.scalars())

    async def count_by_status(self, session: AsyncSession) -> dict[str, int]:
        result = await session.execute(select(Gig.status, func.count()).group_by(Gig.status))
        return {row[0]: row[1] for row in result}


category_repository = CategoryRepository()
profile_repository = ProfileRepository()
gig_repository = GigRepository()
