from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.catalog.models import Category, FreelancerProfile, Gig, SellerLevelChange


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

    async def lock(self, session: AsyncSession, user_id: int) -> FreelancerProfile | None:
        """The profile, read fresh under a row lock held to the end of the transaction."""
        return await session.scalar(
            select(FreelancerProfile)
            .where(FreelancerProfile.user_id == user_id)
            # Only the profile's row: PostgreSQL refuses to lock the outer-joined user.
            .with_for_update(of=FreelancerProfile)
            .execution_options(populate_existing=True)
        )

    async def add_level_change(self, session: AsyncSession, change: SellerLevelChange) -> None:
        session.add(change)
        await session.flush()

    async def level_history(
        self, session: AsyncSession, user_ids: Sequence[int]
    ) -> dict[int, list[SellerLevelChange]]:
        """Each user's level changes, oldest first."""
        history: dict[int, list[SellerLevelChange]] = {user_id: [] for user_id in user_ids}
        if not user_ids:
            return history
        result = await session.scalars(
            select(SellerLevelChange)
            .where(SellerLevelChange.user_id.in_(list(user_ids)))
            .order_by(SellerLevelChange.user_id, SellerLevelChange.changed_at, SellerLevelChange.id)
        )
        for change in result:
            history[change.user_id].append(change)
        return history

    async def by_ids(
        self, session: AsyncSession, user_ids: Sequence[int]
    ) -> dict[int, FreelancerProfile]:
        if not user_ids:
            return {}
        result = await session.scalars(
            select(FreelancerProfile).where(FreelancerProfile.user_id.in_(list(user_ids)))
        )
        return {profile.user_id: profile for profile in result}


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
