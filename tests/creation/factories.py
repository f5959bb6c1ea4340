"""Personal models written straight into the database, for tests that need a model in a
given state (approved, unpriced, erased) without paying for a real training run."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.creation.models import (
    ErasureReceipt,
    ModelVersion,
    PersonalModel,
    RunStatus,
    TrainingRun,
)
from twinwork.kit.db import utcnow

METRICS = {
    "base_perplexity": 30.0,
    "personal_perplexity": 20.0,
    "base_style_similarity": 0.5,
    "personal_style_similarity": 0.7,
}


@dataclass
class StoredModel:
    model: PersonalModel
    run: TrainingRun
    version: ModelVersion


async def stored_model(
    session: AsyncSession,
    owner: User,
    *,
    approved: bool = False,
    price_amount: int | None = None,
    erased: bool = False,
) -> StoredModel:
    """A model with one succeeded run and its version; approved, priced and erased as asked."""
    model = PersonalModel(
        owner_user_id=owner.id, modality="text", name="Stored model", price_amount=price_amount
    )
    session.add(model)
    await session.flush()
    run = TrainingRun(
        model_id=model.id,
        owner_user_id=owner.id,
        status=RunStatus.SUCCEEDED,
        sample_ids=[],
        phase="succeeded",
        finished_at=utcnow(),
    )
    session.add(run)
    await session.flush()
    version = ModelVersion(
        model_id=model.id,
        number=1,
        run_id=run.id,
        base_model_id="test-base",
        artifact_key=f"models/{model.id}/v1",
        artifact_hash="0" * 64,
        artifact_bytes=0,
        training_samples=[],
        heldout_samples=[],
        hyperparameters={},
        metrics=METRICS,
        evaluation_outputs=[],
        train_seconds=1.0,
    )
    session.add(version)
    await session.flush()
    run.version_id = version.id
    if approved:
        model.approved_version_id = version.id
    if erased:
        model.erased_at = utcnow()
        session.add(
            ErasureReceipt(
                id=str(uuid.uuid4()),
                model_id=model.id,
                owner_user_id=owner.id,
                payload={},
                signature="test",
                key_id="test",
            )
        )
    await session.flush()
    return StoredModel(model, run, version)
