from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.creation.models import (
    ACTIVE_RUN_STATUSES,
    ErasureReceipt,
    ModelVersion,
    PersonalModel,
    RunStatus,
    TrainingRun,
)
from twinwork.kit.db import utcnow


class ModelRepository:
    async def get(self, session: AsyncSession, model_id: int) -> PersonalModel | None:
        return await session.get(PersonalModel, model_id)

    async def lock(self, session: AsyncSession, model_id: int) -> PersonalModel | None:
        """The model row, locked until commit (PostgreSQL; SQLite writers are serialised)."""
        return await session.scalar(
            select(PersonalModel)
            .where(PersonalModel.id == model_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def add(self, session: AsyncSession, model: PersonalModel) -> None:
        session.add(model)
        await session.flush()

    async def for_owner(self, session: AsyncSession, owner_id: int) -> list[PersonalModel]:
        result = await session.scalars(
            select(PersonalModel)
            .where(PersonalModel.owner_user_id == owner_id)
            .order_by(PersonalModel.erased_at.is_not(None), PersonalModel.id)
        )
        return list(result)

    async def active_for_owners(
        self, session: AsyncSession, owner_ids: list[int]
    ) -> list[PersonalModel]:
        if not owner_ids:
            return []
        result = await session.scalars(
            select(PersonalModel)
            .where(
                PersonalModel.owner_user_id.in_(owner_ids),
                PersonalModel.is_active,
                PersonalModel.erased_at.is_(None),
            )
            .order_by(PersonalModel.id)
        )
        return list(result)

    async def count_live(self, session: AsyncSession, owner_id: int) -> int:
        return int(
            await session.scalar(
                select(func.count(PersonalModel.id)).where(
                    PersonalModel.owner_user_id == owner_id, PersonalModel.erased_at.is_(None)
                )
            )
            or 0
        )


class VersionRepository:
    async def get(self, session: AsyncSession, version_id: int) -> ModelVersion | None:
        return await session.get(ModelVersion, version_id)

    async def for_model(self, session: AsyncSession, model_id: int) -> list[ModelVersion]:
        result = await session.scalars(
            select(ModelVersion)
            .where(ModelVersion.model_id == model_id)
            .order_by(ModelVersion.number.desc())
        )
        return list(result)

    async def next_number(self, session: AsyncSession, model_id: int) -> int:
        current = await session.scalar(
            select(func.max(ModelVersion.number)).where(ModelVersion.model_id == model_id)
        )
        return int(current or 0) + 1

    async def add(self, session: AsyncSession, version: ModelVersion) -> None:
        session.add(version)
        await session.flush()

    async def mark_erased(self, session: AsyncSession, version_ids: list[int]) -> None:
        """Record that these versions' files are deleted (the first time only)."""
        if not version_ids:
            return
        await session.execute(
            update(ModelVersion)
            .where(ModelVersion.id.in_(version_ids), ModelVersion.erased_at.is_(None))
            .values(erased_at=utcnow())
        )

    async def erased_models_with_files(self, session: AsyncSession, limit: int) -> list[int]:
        """Erased models that still have versions whose files were not deleted."""
        result = await session.scalars(
            select(ModelVersion.model_id)
            .join(PersonalModel, PersonalModel.id == ModelVersion.model_id)
            .where(PersonalModel.erased_at.is_not(None), ModelVersion.erased_at.is_(None))
            .group_by(ModelVersion.model_id)
            .order_by(ModelVersion.model_id)
            .limit(limit)
        )
        return list(result)


class RunRepository:
    async def get(self, session: AsyncSession, run_id: int) -> TrainingRun | None:
        return await session.get(TrainingRun, run_id, populate_existing=True)

    async def add(self, session: AsyncSession, run: TrainingRun) -> None:
        session.add(run)
        await session.flush()

    async def active_for_owner(self, session: AsyncSession, owner_id: int) -> TrainingRun | None:
        return await session.scalar(
            select(TrainingRun)
            .where(
                TrainingRun.owner_user_id == owner_id,
                TrainingRun.status.in_(ACTIVE_RUN_STATUSES),
            )
            .limit(1)
        )

    async def for_model(
        self, session: AsyncSession, model_id: int, limit: int = 20
    ) -> list[TrainingRun]:
        result = await session.scalars(
            select(TrainingRun)
            .where(TrainingRun.model_id == model_id)
            .order_by(TrainingRun.id.desc())
            .limit(limit)
        )
        return list(result)

    async def all_for_model(self, session: AsyncSession, model_id: int) -> list[TrainingRun]:
        result = await session.scalars(select(TrainingRun).where(TrainingRun.model_id == model_id))
        return list(result)

    async def claim(self, session: AsyncSession, run_id: int, now: datetime) -> bool:
        """Queued -> running, atomically: of two workers handed the same run, one wins."""
        result = await session.execute(
            update(TrainingRun)
            .where(TrainingRun.id == run_id, TrainingRun.status == RunStatus.QUEUED)
            .values(
                status=RunStatus.RUNNING,
                phase="loading",
                attempts=TrainingRun.attempts + 1,
                started_at=func.coalesce(TrainingRun.started_at, now),
                heartbeat_at=now,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def stale(self, session: AsyncSession, heartbeat_before: datetime) -> list[TrainingRun]:
        """Running runs whose worker went silent, and queued runs whose job never started."""
        result = await session.scalars(
            select(TrainingRun).where(
                TrainingRun.status.in_(ACTIVE_RUN_STATUSES),
                func.coalesce(TrainingRun.heartbeat_at, TrainingRun.created_at) < heartbeat_before,
            )
        )
        return list(result)


class ReceiptRepository:
    async def for_model(self, session: AsyncSession, model_id: int) -> ErasureReceipt | None:
        return await session.scalar(
            select(ErasureReceipt).where(ErasureReceipt.model_id == model_id)
        )

    async def add(self, session: AsyncSession, receipt: ErasureReceipt) -> None:
        session.add(receipt)
        await session.flush()


model_repository = ModelRepository()
version_repository = VersionRepository()
run_repository = RunRepository()
receipt_repository = ReceiptRepository()
