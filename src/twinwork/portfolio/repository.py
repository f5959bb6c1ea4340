from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.portfolio.models import DataUseRecord, PortfolioSample


class SampleRepository:
    async def get(self, session: AsyncSession, sample_id: int) -> PortfolioSample | None:
        return await session.get(PortfolioSample, sample_id)

    async def add(self, session: AsyncSession, sample: PortfolioSample) -> None:
        session.add(sample)
        await session.flush()

    async def delete(self, session: AsyncSession, sample: PortfolioSample) -> None:
        await session.delete(sample)
        await session.flush()

    async def by_hash(
        self, session: AsyncSession, owner_id: int, content_hash: str
    ) -> PortfolioSample | None:
        return await session.scalar(
            select(PortfolioSample).where(
                PortfolioSample.owner_user_id == owner_id,
                PortfolioSample.content_hash == content_hash,
            )
        )

    async def totals(
        self, session: AsyncSession, owner_id: int
    ) -> tuple[int, int, int, int, int, int, int]:
        """(count, total bytes, consented count, bytes of text, designs with consent,
        recordings with consent, their milliseconds) of the owner's samples."""
        is_text = PortfolioSample.kind == "text"
        audio_consented = (PortfolioSample.consent_to_train, PortfolioSample.kind == "audio")
        row = (
            await session.execute(
                select(
                    func.count(PortfolioSample.id),
                    func.coalesce(func.sum(PortfolioSample.byte_size), 0),
                    func.count(PortfolioSample.id).filter(PortfolioSample.consent_to_train),
                    func.coalesce(func.sum(PortfolioSample.byte_size).filter(is_text), 0),
                    func.count(PortfolioSample.id).filter(
                        PortfolioSample.consent_to_train, PortfolioSample.kind == "image"
                    ),
                    func.count(PortfolioSample.id).filter(*audio_consented),
                    func.coalesce(
                        func.sum(PortfolioSample.duration_ms).filter(*audio_consented), 0
                    ),
                ).where(PortfolioSample.owner_user_id == owner_id)
            )
        ).one()
        return (
            int(row[0]),
            int(row[1]),
            int(row[2]),
            int(row[3]),
            int(row[4]),
            int(row[5]),
            int(row[6] or 0),
        )

    async def page_for_owner(
        self, session: AsyncSession, owner_id: int, offset: int, limit: int
    ) -> list[PortfolioSample]:
        result = await session.scalars(
            select(PortfolioSample)
            .where(PortfolioSample.owner_user_id == owner_id)
            .order_by(PortfolioSample.created_at.desc(), PortfolioSample.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return list(result)

    async def hashes_for_owner(self, session: AsyncSession, owner_id: int) -> set[str]:
        result = await session.scalars(
            select(PortfolioSample.content_hash).where(PortfolioSample.owner_user_id == owner_id)
        )
        return set(result)

    async def consented_for_owner(
        self, session: AsyncSession, owner_id: int
    ) -> list[PortfolioSample]:
        result = await session.scalars(
            select(PortfolioSample)
            .where(PortfolioSample.owner_user_id == owner_id, PortfolioSample.consent_to_train)
            .order_by(PortfolioSample.id)
        )
        return list(result)

    async def by_ids(self, session: AsyncSession, ids: Sequence[int]) -> list[PortfolioSample]:
        if not ids:
            return []
        result = await session.scalars(
            select(PortfolioSample).where(PortfolioSample.id.in_(ids)).order_by(PortfolioSample.id)
        )
        return list(result)


class DataUseRepository:
    async def last(self, session: AsyncSession, owner_id: int) -> DataUseRecord | None:
        return await session.scalar(
            select(DataUseRecord)
            .where(DataUseRecord.owner_user_id == owner_id)
            .order_by(DataUseRecord.sequence.desc())
            .limit(1)
        )

    async def chain(self, session: AsyncSession, owner_id: int) -> list[DataUseRecord]:
        result = await session.scalars(
            select(DataUseRecord)
            .where(DataUseRecord.owner_user_id == owner_id)
            .order_by(DataUseRecord.sequence)
        )
        return list(result)

    async def add_all(self, session: AsyncSession, records: Sequence[DataUseRecord]) -> None:
        session.add_all(records)
        await session.flush()


sample_repository = SampleRepository()
data_use_repository = DataUseRepository()
