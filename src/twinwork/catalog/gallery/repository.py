from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.catalog.models import GigImage


class GalleryRepository:
    async def for_gig(self, session: AsyncSession, gig_id: int) -> list[GigImage]:
        result = await session.scalars(
            select(GigImage)
            .where(GigImage.gig_id == gig_id)
            .order_by(GigImage.position, GigImage.id)
        )
        return list(result)

    async def get(self, session: AsyncSession, image_id: int) -> GigImage | None:
        return await session.get(GigImage, image_id)

    async def count(self, session: AsyncSession, gig_id: int) -> int:
        count = await session.scalar(
            select(func.count()).select_from(GigImage).where(GigImage.gig_id == gig_id)
        )
        return int(count or 0)

    async def by_hash(self, session: AsyncSession, gig_id: int, digest: str) -> GigImage | None:
        return await session.scalar(
            select(GigImage).where(GigImage.gig_id == gig_id, GigImage.content_hash == digest)
        )

    async def add(self, session: AsyncSession, image: GigImage) -> None:
        session.add(image)
        await session.flush()

    async def delete(self, session: AsyncSession, image: GigImage) -> None:
        await session.delete(image)
        await session.flush()

    async def sample_ids(self, session: AsyncSession, gig_id: int) -> set[int]:
        result = await session.scalars(
            select(GigImage.portfolio_sample_id).where(
                GigImage.gig_id == gig_id, GigImage.portfolio_sample_id.is_not(None)
            )
        )
        return {sample_id for sample_id in result if sample_id is not None}

    async def keys_of(self, session: AsyncSession, gig_ids: Sequence[int]) -> list[str]:
        if not gig_ids:
            return []
        result = await session.execute(
            select(GigImage.large_key, GigImage.card_key).where(GigImage.gig_id.in_(gig_ids))
        )
        return [key for row in result for key in row]


gallery_repository = GalleryRepository()
