from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.generation.models import Certificate, Generation, GenerationFile, Licence


class GenerationRepository:
    async def get(self, session: AsyncSession, generation_id: int) -> Generation | None:
        return await session.get(Generation, generation_id, populate_existing=True)

    async def add(self, session: AsyncSession, generation: Generation) -> None:
        session.add(generation)
        await session.flush()

    async def previews_since(self, session: AsyncSession, buyer_id: int, since: datetime) -> int:
        return int(
            await session.scalar(
                select(func.count(Generation.id)).where(
                    Generation.buyer_user_id == buyer_id,
                    Generation.created_at >= since,
                    # Bought previews and work made for orders are paid for, not free.
                    Generation.purchased.is_(False),
                    Generation.for_order.is_(False),
                )
            )
            or 0
        )

    async def delete_unpurchased(self, session: AsyncSession, model_id: int) -> int:
        result = await session.execute(
            delete(Generation).where(
                Generation.model_id == model_id, Generation.purchased.is_(False)
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def for_buyer(
        self, session: AsyncSession, buyer_id: int, offset: int, limit: int
    ) -> tuple[list[Generation], int]:
        where = Generation.buyer_user_id == buyer_id
        total = int(await session.scalar(select(func.count(Generation.id)).where(where)) or 0)
        result = await session.scalars(
            select(Generation)
            .where(where)
            .order_by(Generation.created_at.desc(), Generation.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return list(result), total


class FileRepository:
    async def add_all(self, session: AsyncSession, files: list[GenerationFile]) -> None:
        session.add_all(files)
        await session.flush()

    async def for_generation(
        self, session: AsyncSession, generation_id: int, *, preview: bool
    ) -> list[GenerationFile]:
        result = await session.scalars(
            select(GenerationFile)
            .where(
                GenerationFile.generation_id == generation_id,
                GenerationFile.is_preview.is_(preview),
            )
            .order_by(GenerationFile.position, GenerationFile.id)
        )
        return list(result)

    async def named(
        self, session: AsyncSession, generation_id: int, name: str, *, preview: bool
    ) -> GenerationFile | None:
        return await session.scalar(
            select(GenerationFile).where(
                GenerationFile.generation_id == generation_id,
                GenerationFile.is_preview.is_(preview),
                GenerationFile.name == name,
            )
        )

    async def delete_unpurchased(self, session: AsyncSession, model_id: int) -> list[str]:
        """Delete the file rows of the model's unpurchased generations; their storage keys."""
        unpurchased = select(Generation.id).where(
            Generation.model_id == model_id, Generation.purchased.is_(False)
        )
        keys = list(
            await session.scalars(
                select(GenerationFile.storage_key).where(
                    GenerationFile.generation_id.in_(unpurchased)
                )
            )
        )
        await session.execute(
            delete(GenerationFile).where(GenerationFile.generation_id.in_(unpurchased))
        )
        return sorted(keys)


class LicenceRepository:
    async def by_key(self, session: AsyncSession, buyer_id: int, key: str) -> Licence | None:
        return await session.scalar(
            select(Licence).where(Licence.buyer_user_id == buyer_id, Licence.idempotency_key == key)
        )

    async def for_generation(self, session: AsyncSession, generation_id: int) -> Licence | None:
        return await session.scalar(select(Licence).where(Licence.generation_id == generation_id))

    async def add(self, session: AsyncSession, licence: Licence) -> None:
        session.add(licence)
        await session.flush()

    async def count_for_model(self, session: AsyncSession, model_id: int) -> tuple[int, int]:
        """(licences, certificates) issued for outputs of this model."""
        licences = await session.scalar(
            select(func.count(Licence.id)).where(Licence.model_id == model_id)
        )
        certificates = await session.scalar(
            select(func.count(Certificate.id))
            .join(Licence, Licence.id == Certificate.licence_id)
            .where(Licence.model_id == model_id)
        )
        return int(licences or 0), int(certificates or 0)

    async def sales_for_owner(
        self, session: AsyncSession, owner_id: int, limit: int = 20
    ) -> list[Licence]:
        result = await session.scalars(
            select(Licence)
            .where(Licence.owner_user_id == owner_id)
            .order_by(Licence.issued_at.desc())
            .limit(limit)
        )
        return list(result)


class CertificateRepository:
    async def get(self, session: AsyncSession, certificate_id: str) -> Certificate | None:
        return await session.get(Certificate, certificate_id)

    async def for_licence(self, session: AsyncSession, licence_id: int) -> Certificate | None:
        return await session.scalar(select(Certificate).where(Certificate.licence_id == licence_id))

    async def add(self, session: AsyncSession, certificate: Certificate) -> None:
        session.add(certificate)
        await session.flush()


generation_repository = GenerationRepository()
file_repository = FileRepository()
licence_repository = LicenceRepository()
certificate_repository = CertificateRepository()
