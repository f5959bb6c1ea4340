"""A freelancer's personal models: training, approval, listing for sale, switching off, erasure."""

from __future__ import annotations

import dataclasses
import json
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.config import Settings, get_settings
from twinwork.creation import artifacts, runtime
from twinwork.creation.erasure_hooks import erase_dependents
from twinwork.creation.errors import ModelGone
from twinwork.creation.models import (
    ErasureReceipt,
    ModelVersion,
    PersonalModel,
    RunStatus,
    TrainingRun,
)
from twinwork.creation.repository import (
    model_repository,
    receipt_repository,
    run_repository,
    version_repository,
)
from twinwork.creation.schemas import CorrectionsIn, ModelIn, ModelPatch
from twinwork.creation.training_gates import check_training_gates
from twinwork.kit.db import after_commit, utcnow
from twinwork.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from twinwork.kit.public_ids import public_id
from twinwork.kit.signing import platform_key
from twinwork.kit.storage import ObjectStorage
from twinwork.ml import Modality, PlanRequest, TrainingSample, get_modality
from twinwork.portfolio.service import portfolio_service
from twinwork.program.membership import membership, on_membership_ended

log = logging.getLogger(__name__)

MAX_MODELS_PER_FREELANCER = 5
WALLET_CURRENCIES = ("USD",)

CLOSER_THAN_BASE = "closer_than_base"
"""A metric a modality's evaluation may report (1 or 0): whether the personal model is
measurably closer to the owner's held-out work than the base. A version at 0 learned nothing of
the owner's own style and cannot be approved."""
STYLE_FILE = "style.json"
STYLE_PICTURE = "style.png"
"""A modality whose personal model is a readable style (not weights) puts it in its artifact
under these names: the owner can read and correct it."""
CORRECTION_FIELDS = ("locked_colors", "excluded_designs")
"""Plan fields an owner may set by hand; a modality's plan takes those it has."""


def min_samples(settings: Settings, modality: Modality[Any]) -> int:
    """Consented samples a modality needs before it trains: the operator's
    ``TWINWORK_<MODALITY>_MIN_SAMPLES`` where the settings have one, never below the
    modality's own minimum."""
    configured = getattr(settings, f"{modality.name}_min_samples", None)
    floor = modality.min_samples
    return max(floor, configured) if isinstance(configured, int) else floor


def correctable_fields(modality: Modality[Any]) -> tuple[str, ...]:
    names = {f.name for f in dataclasses.fields(modality.config_cls)}
    return tuple(f for f in CORRECTION_FIELDS if f in names)


def with_overrides(modality: Modality[Any], config: Any, overrides: dict[str, Any]) -> Any:
    """The plan with the owner's corrections applied; the modality's plan checks them."""
    if not overrides:
        return config
    merged = {**modality.config_as_dict(config), **overrides}
    try:
        return modality.config_from_dict(merged)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(f"These corrections cannot be used: {exc}.") from exc


@dataclass(frozen=True)
class LearnedStyle:
    """What a version learned, as the modality wrote it (``style.json``), and its picture."""

    version: ModelVersion
    style: dict[str, Any]
    picture: bytes | None


@dataclass(frozen=True)
class ErasedVersion:
    version_id: int
    artifact_key: str
    artifact_hash: str


@dataclass(frozen=True)
class ErasedFiles:
    """What an erasure deletes once it is committed: each version's stored adapter, with
    this machine's cached copies of it, and the checkpoints of runs that ended."""

    model_id: int
    versions: tuple[ErasedVersion, ...]
    run_ids: tuple[int, ...]


@dataclass(frozen=True)
class Erasure:
    receipt: ErasureReceipt
    files: ErasedFiles


@dataclass(frozen=True)
class ModelDetail:
    model: PersonalModel
    owner: User
    versions: list[ModelVersion]


class CreationService:
    async def create(self, session: AsyncSession, user: User, data: ModelIn) -> PersonalModel:
        if not user.is_freelancer:
            raise Forbidden("Become a freelancer to create a personal model.")
        get_modality(data.modality)
        if await model_repository.count_live(session, user.id) >= MAX_MODELS_PER_FREELANCER:
            raise Conflict(
                f"You have {MAX_MODELS_PER_FREELANCER} models already; erase one to make another."
            )
        model = PersonalModel(owner_user_id=user.id, modality=data.modality, name=data.name)
        await model_repository.add(session, model)
        return model

    async def owned(
        self,
        session: AsyncSession,
        user: User,
        model_id: int,
        *,
        allow_erased: bool = False,
        lock: bool = False,
    ) -> PersonalModel:
        find = model_repository.lock if lock else model_repository.get
        model = await find(session, model_id)
        if model is None:
            raise NotFound("There is no such model.")
        if model.owner_user_id != user.id:
            # The same answer as a missing id: a stranger learns nothing about drafts.
            raise NotFound("There is no such model.")
        if model.erased_at is not None and not allow_erased:
            raise ModelGone("This model was erased; start a new one to train again.")
        return model

    async def visible(
        self, session: AsyncSession, model_id: int, viewer: User | None
    ) -> PersonalModel:
        """Owners see their models in any state; everyone else once a version was approved
        (a switched-off model says so rather than vanishing), never a draft."""
        model = await model_repository.get(session, model_id)
        if model is None:
            raise NotFound("There is no such model.")
        if viewer is not None and model.owner_user_id == viewer.id:
            return model
        if model.erased_at is not None:
            raise ModelGone("Its owner erased this model.")
        if model.approved_version_id is None:
            raise NotFound("There is no such model.")
        return model

    async def mine(self, session: AsyncSession, user: User) -> list[PersonalModel]:
        return await model_repository.for_owner(session, user.id)

    async def active_for_owners(
        self, session: AsyncSession, owner_ids: list[int]
    ) -> list[PersonalModel]:
        return await model_repository.active_for_owners(session, owner_ids)

    async def versions(self, session: AsyncSession, model: PersonalModel) -> list[ModelVersion]:
        return await version_repository.for_model(session, model.id)

    async def run(self, session: AsyncSession, run_id: int) -> TrainingRun | None:
        """Any run, for operators' tools (the API goes through ``run_for_owner``)."""
        return await run_repository.get(session, run_id)

    async def model_by_id(self, session: AsyncSession, model_id: int) -> PersonalModel | None:
        return await model_repository.get(session, model_id)

    async def version(self, session: AsyncSession, version_id: int) -> ModelVersion | None:
        return await version_repository.get(session, version_id)

    async def approved_version(
        self, session: AsyncSession, model: PersonalModel
    ) -> ModelVersion | None:
        if model.approved_version_id is None:
            return None
        return await version_repository.get(session, model.approved_version_id)

    # ---- training ------------------------------------------------------------------------

    async def start_training(self, session: AsyncSession, user: User, model_id: int) -> TrainingRun:
        model = await self.owned(session, user, model_id)
        await membership.require_member(session, user, "train your personal model")
        busy = await run_repository.active_for_owner(session, user.id)
        if busy is not None:
            raise Conflict(
                f"Training run {busy.reference} is still {busy.status}; wait for it or cancel it.",
                run_id=busy.public_id,
            )
        modality = get_modality(model.modality)
        samples = [
            s
            for s in await portfolio_service.consented(session, user.id)
            if s.kind in modality.sample_kinds
        ]
        totals = await portfolio_service.totals(session, user)
        if totals.count == 0:
            raise ValidationFailed(
                "Your portfolio is empty: add samples of your own work, with consent to train, "
                "before training.",
                field="samples",
            )
        settings = get_settings()
        needed = min_samples(settings, modality)
        if len(samples) < needed:
            raise ValidationFailed(
                f"{len(samples)} of your {totals.count} samples are {modality.label.lower()} "
                f"samples with consent to train; at least {needed} are needed. Turn consent "
                "on for more samples or add new ones.",
                field="samples",
            )
        plan = with_overrides(
            modality,
            modality.plan(
                PlanRequest(
                    samples=[
                        TrainingSample(s.id, s.content_hash, s.kind, s.content) for s in samples
                    ],
                    max_steps=settings.training_max_steps,
                )
            ),
            model.plan_overrides or {},
        )
        run = TrainingRun(
            model_id=model.id,
            owner_user_id=user.id,
            status="queued",
            sample_ids=[s.id for s in samples],
            plan=modality.config_as_dict(plan),
        )
        await run_repository.add(session, run)
        # Steps other domains require first (a voice model's verification); a refusal rolls
        # the queued run back with the request.
        await check_training_gates(session, model, run)
        return run

    async def run_for_owner(self, session: AsyncSession, user: User, run_id: int) -> TrainingRun:
        run = await run_repository.get(session, run_id)
        if run is None:
            raise NotFound("There is no such training run.")
        if run.owner_user_id != user.id:
            raise NotFound("There is no such training run.")
        return run

    async def cancel_run(self, session: AsyncSession, user: User, run_id: int) -> TrainingRun:
        run = await self.run_for_owner(session, user, run_id)
        if run.status == "queued":
            run.status = RunStatus.CANCELLED
            run.phase = "cancelled"
            run.finished_at = utcnow()
            # A run the reaper requeued has a checkpoint it would have resumed from.
            checkpoint = artifacts.run_dir(get_settings(), run.id)
            after_commit(session, lambda: _delete_local(checkpoint))
        elif run.status == "running":
            # The worker checks this flag every second and stops at the next step.
            run.cancel_requested = True
        else:
            raise Conflict(f"This run has already {run.status}; there is nothing to cancel.")
        await session.flush()
        return run

    async def runs(self, session: AsyncSession, model: PersonalModel) -> list[TrainingRun]:
        return await run_repository.for_model(session, model.id)

    # ---- approval and sale ---------------------------------------------------------------

    async def approve(
        self, session: AsyncSession, user: User, model_id: int, version_id: int
    ) -> PersonalModel:
        """Approve a version for buyers; approving an earlier one rolls back to it."""
        model = await self.owned(session, user, model_id)
        version = await version_repository.get(session, version_id)
        if version is None or version.model_id != model.id:
            raise NotFound("This model has no such version.")
        if version.metrics.get(CLOSER_THAN_BASE) == 0.0:
            raise Conflict(
                f"Version {version.number} is not measurably closer to your own work than the "
                "default it started from (see its held-out evaluation): buyers would get "
                "nothing of your style. Add more of your work with consent, or correct what it "
                "learned, and train a new version.",
                version_id=version.id,
            )
        model.approved_version_id = version.id
        await session.flush()
        return model

    async def update(
        self, session: AsyncSession, user: User, model_id: int, data: ModelPatch
    ) -> PersonalModel:
        model = await self.owned(session, user, model_id)
        if data.currency is not None:
            currency = data.currency.upper()
            if currency not in WALLET_CURRENCIES:
                raise ValidationFailed(
                    f"Currency {data.currency!r} is not supported: buyers pay from USD "
                    "wallets, so prices are in USD.",
                    field="currency",
                )
            model.currency = currency
        if data.name is not None:
            model.name = data.name
        if data.price_amount is not None:
            model.price_amount = data.price_amount
        if data.refinement_price_amount is not None:
            model.refinement_price_amount = data.refinement_price_amount
        if data.license is not None:
            model.license_scope = data.license.scope
            model.license_exclusive = data.license.exclusive
        await session.flush()
        return model

    async def activate(self, session: AsyncSession, user: User, model_id: int) -> PersonalModel:
        model = await self.owned(session, user, model_id)
        if model.approved_version_id is None:
            raise Conflict(
                "Approve a trained version before activating: buyers only ever get a "
                "version you approved."
            )
        if model.price_amount is None:
            raise Conflict("Set a price per use before activating.", field="price_amount")
        await membership.require_member(session, user, "sell your model's work")
        model.is_active = True
        await session.flush()
        return model

    async def deactivate(self, session: AsyncSession, user: User, model_id: int) -> PersonalModel:
        model = await self.owned(session, user, model_id)
        model.is_active = False
        await session.flush()
        await self._evict_after_commit(session, [model.id])
        return model

    async def _evict_after_commit(self, session: AsyncSession, model_ids: list[int]) -> None:
        """A model switched off sells nothing: once that is committed, every process drops
        its adapters from memory (requests already waiting for them fail cleanly)."""
        hashes = [
            v.artifact_hash
            for model_id in model_ids
            for v in await version_repository.for_model(session, model_id)
            if v.erased_at is None
        ]
        if not hashes:
            return
        settings = get_settings()

        def evict_all() -> None:
            for artifact_hash in hashes:
                runtime.evict_everywhere(settings, artifact_hash)

        after_commit(session, evict_all)

    async def deactivate_all_for_owner(self, session: AsyncSession, owner_id: int) -> int:
        """Switch off every model of a freelancer whose membership ended; nothing is erased."""
        models = [m for m in await model_repository.for_owner(session, owner_id) if m.is_active]
        for model in models:
            model.is_active = False
        await session.flush()
        await self._evict_after_commit(session, [m.id for m in models])
        return len(models)

    # ---- what a model learned, and the owner's corrections --------------------------------

    async def set_corrections(
        self, session: AsyncSession, user: User, model_id: int, data: CorrectionsIn
    ) -> PersonalModel:
        """Store the owner's corrections (a colour locked per role, designs left out); every
        later run's plan takes them. Checked against the modality's plan now, not at the
        next run."""
        model = await self.owned(session, user, model_id)
        modality = get_modality(model.modality)
        allowed = correctable_fields(modality)
        overrides: dict[str, Any] = {}
        if data.locked_colors:
            overrides["locked_colors"] = dict(data.locked_colors)
        if data.excluded_designs:
            overrides["excluded_designs"] = sorted(set(data.excluded_designs))
        refused = sorted(set(overrides) - set(allowed))
        if refused:
            raise ValidationFailed(
                f"A {modality.label.lower()} model takes no corrections of "
                f"{', '.join(refused).replace('_', ' ')}.",
                field=refused[0],
            )
        if "excluded_designs" in overrides:
            owned_hashes = await portfolio_service.content_hashes(session, user.id)
            unknown = [h for h in overrides["excluded_designs"] if h not in owned_hashes]
            if unknown:
                raise ValidationFailed(
                    f"No sample of yours has the hash {unknown[0]}; exclude designs from your "
                    "own portfolio.",
                    field="excluded_designs",
                )
        if overrides:
            with_overrides(modality, modality.config_cls(), overrides)
        model.plan_overrides = overrides
        await session.flush()
        return model

    async def learned_style(
        self, session: AsyncSession, user: User, model_id: int, storage: ObjectStorage
    ) -> LearnedStyle:
        """The style the latest trained version learned, for its owner (a stranger gets the
        404 of a missing model)."""
        model = await self.owned(session, user, model_id)
        versions = await version_repository.for_model(session, model.id)
        live = [v for v in versions if v.erased_at is None]
        if not live:
            raise NotFound("No trained version yet: train the model to see what it learned.")
        latest = max(live, key=lambda v: v.number)
        # Asked first, so a model whose artifact is weights is never downloaded for nothing.
        if not await storage.exists(latest.artifact_key + STYLE_FILE):
            label = get_modality(model.modality).label.lower()
            raise NotFound(
                f"A {label} model learns weights, not a style that can be shown; its "
                "evaluation says what it learned."
            )
        # The whole artifact, checked against its recorded hash (and cached by it).
        local = await artifacts.fetch_adapter(
            storage, get_settings(), latest.artifact_key, latest.artifact_hash
        )
        style_file = local / STYLE_FILE
        picture_file = local / STYLE_PICTURE
        return LearnedStyle(
            version=latest,
            style=json.loads(style_file.read_text(encoding="utf-8")),
            picture=picture_file.read_bytes() if picture_file.is_file() else None,
        )

    # ---- erasure -------------------------------------------------------------------------

    async def erase(
        self, session: AsyncSession, user: User, model_id: int, storage: ObjectStorage
    ) -> Erasure:
        """Erase the model: it stops at once, unpurchased previews go, licences and
        certificates already issued stay; a signed receipt lists every file to be deleted.

        Nothing is deleted here: the caller commits the erasure first and then calls
        ``delete_erased_files``, so a failed commit leaves a model that is whole, not one that
        is not erased but has lost its adapters. Should deletion not finish (a crash, storage
        down), ``finish_erasures`` completes it."""
        # Locked: a second erase (a double click) waits for this one and finds its receipt,
        # instead of racing it into the receipt's unique constraint.
        model = await self.owned(session, user, model_id, allow_erased=True, lock=True)
        existing = await receipt_repository.for_model(session, model.id)
        if existing is not None:
            # Erasing twice is not an error: the first receipt stands, and whatever the first
            # erasure has not deleted yet is deleted now.
            return Erasure(existing, await self._files_left(session, model.id))
        settings = get_settings()
        now = utcnow()
        model.is_active = False  # refuse new generations before anything is deleted
        model.erased_at = now
        runs = await run_repository.all_for_model(session, model.id)
        for run in runs:
            if run.status == "queued":
                run.status, run.phase, run.finished_at = RunStatus.CANCELLED, "cancelled", now
            elif run.status == "running":
                run.cancel_requested = True
        await session.flush()

        # The inventory is taken before anything is deleted, under the model's lock: what the
        # receipt signs is exactly what deletion will remove.
        versions = await version_repository.for_model(session, model.id)
        adapters = []
        for version in versions:
            for item in await artifacts.list_stored(storage, version.artifact_key):
                adapters.append(
                    {
                        "version_id": version.public_id,
                        "version": version.number,
                        "key": item.key,
                        "sha256": item.sha256,
                        "bytes": item.bytes,
                    }
                )
        cached = sum(
            artifacts.adapter_cache_dir(settings, v.artifact_hash).exists() for v in versions
        )
        checkpoints = sum(artifacts.run_dir(settings, r.id).exists() for r in runs)
        # What the domains built on this one made with the model: unpurchased previews go,
        # issued licences and certificates stay (see erasure_hooks).
        dependents = await erase_dependents(session, model.id)

        key = platform_key()
        receipt_id = str(uuid.uuid4())
        payload = {
            "type": "twinwork.erasure-receipt/v1",
            "receipt_id": receipt_id,
            # Public ids, as pages show them (receipts signed before them carry row ids).
            "model_id": model.public_id,
            "model_name": model.name,
            "owner_user_id": public_id("user", model.owner_user_id),
            "erased_at": now.isoformat(),
            "deleted": {
                "adapters": adapters,
                "adapter_files": len(adapters),
                "versions": len({a["version_id"] for a in adapters}),
                "checkpoints": checkpoints,
                "cached_copies": cached,
                **dependents.deleted,
            },
            "kept": dict(dependents.kept),
            "issuer": "twinwork",
            "key_id": key.key_id,
        }
        receipt = ErasureReceipt(
            id=receipt_id,
            model_id=model.id,
            owner_user_id=model.owner_user_id,
            payload=payload,
            signature=key.sign(payload),
            key_id=key.key_id,
            created_at=now,
        )
        await receipt_repository.add(session, receipt)
        return Erasure(receipt, _erased_files(model.id, versions, runs))

    async def delete_erased_files(
        self, session: AsyncSession, storage: ObjectStorage, files: ErasedFiles
    ) -> bool:
        """Delete the files of a committed erasure, then mark its versions erased (the mark
        that tells ``unfinished_erasures`` it is done). Safe to run twice, and at once.

        Call it with no transaction open: the files go before the session is used. Returns
        False, logged, when something could not be deleted now; it is tried again later."""
        settings = get_settings()
        try:
            runtime.configure_engine(settings)  # so a remote engine forgets them too
            for run_id in files.run_ids:
                artifacts.delete_local(artifacts.run_dir(settings, run_id))
            for version in files.versions:
                artifacts.delete_cached_adapter(settings, version.artifact_hash)
                runtime.evict(version.artifact_hash)
                await artifacts.delete_stored(storage, version.artifact_key)
            # Every other process drops it too, now that no copy is left to load again (this
            # one has: the signal does not come back to its sender).
            for version in files.versions:
                runtime.broadcast_eviction(settings, version.artifact_hash)
        except Exception:  # the erasure stands; finish_erasures deletes the rest
            log.exception("erased model %s: files not all deleted yet", files.model_id)
            return False
        await version_repository.mark_erased(session, [v.version_id for v in files.versions])
        return True

    async def unfinished_erasures(
        self, session: AsyncSession, limit: int = 50
    ) -> list[ErasedFiles]:
        """Erased models with versions whose files were not deleted yet: the process died
        between the erasure's commit and the deletion, or storage was down."""
        return [
            await self._files_left(session, model_id)
            for model_id in await version_repository.erased_models_with_files(session, limit)
        ]

    async def _files_left(self, session: AsyncSession, model_id: int) -> ErasedFiles:
        versions = [
            v for v in await version_repository.for_model(session, model_id) if v.erased_at is None
        ]
        return _erased_files(
            model_id, versions, await run_repository.all_for_model(session, model_id)
        )

    async def receipt(self, session: AsyncSession, user: User, model_id: int) -> ErasureReceipt:
        model = await self.owned(session, user, model_id, allow_erased=True)
        receipt = await receipt_repository.for_model(session, model.id)
        if receipt is None:
            raise NotFound("This model has not been erased.")
        return receipt


def _erased_files(
    model_id: int, versions: list[ModelVersion], runs: list[TrainingRun]
) -> ErasedFiles:
    return ErasedFiles(
        model_id=model_id,
        versions=tuple(ErasedVersion(v.id, v.artifact_key, v.artifact_hash) for v in versions),
        # A running run's worker is still writing its checkpoint; it removes it once it has
        # stopped, which it does within a second of seeing the erasure.
        run_ids=tuple(r.id for r in runs if r.status != "running"),
    )


def _delete_local(path: Path) -> None:
    artifacts.delete_local(path)


creation_service = CreationService()
# A membership that ends switches the owner's models off in the same unit of work.
on_membership_ended(creation_service.deactivate_all_for_owner)
