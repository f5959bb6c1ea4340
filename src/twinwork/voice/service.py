"""Voice verification: proof, before a voice model trains, that the voice in the portfolio is
the freelancer's own.

The freelancer is shown a random sentence and records it (browser microphone or an upload);
the speaker encoder compares the take with the portfolio's recordings, and the model trains
only once a take matched above the threshold (``TWINWORK_VOICE_VERIFICATION_THRESHOLD``). A
random sentence cannot have been recorded in advance, so someone holding another person's
recordings cannot pass with them. Each attempt is kept (the phrase, the take's hash, the
score, the threshold), and each training run names the verification it started on, so a
version's evidence is on record. The take itself is not kept.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.config import get_settings
from twinwork.creation.model_pages import ModelLink, register_model_page_section
from twinwork.creation.models import PersonalModel, TrainingRun
from twinwork.creation.service import creation_service
from twinwork.creation.training_gates import register_training_gate
from twinwork.kit.db import utcnow
from twinwork.kit.errors import Conflict, ValidationFailed
from twinwork.kit.signing import sha256_hex
from twinwork.kit.storage import ObjectStorage
from twinwork.ml.threads import in_passing_thread
from twinwork.ml.voice import SAMPLE_KINDS
from twinwork.ml.voice.encoder import Embedding, centroid, similarity, speaker_encoder
from twinwork.ml.voice.signal import read_audio
from twinwork.portfolio.audio import clean_recording
from twinwork.portfolio.models import PortfolioSample
from twinwork.portfolio.service import portfolio_service
from twinwork.voice.models import VoiceRunEvidence, VoiceVerification

VOICE_MODALITY = "voice"
PHRASE_VALID = timedelta(minutes=30)
"""A phrase must be recorded within this time of being shown."""
COMPARED_RECORDINGS = 8
"""The longest consented recordings the take is compared with (their mean voice)."""

_SUBJECTS = (
    "The patient gardener",
    "A quiet engineer",
    "My neighbour's cousin",
    "The orange delivery van",
    "An old lighthouse keeper",
    "The school choir",
    "A curious fox",
    "The late night baker",
)
_ACTIONS = (
    "carried seven blue umbrellas",
    "painted the wooden bridge",
    "counted twelve silver coins",
    "followed the river north",
    "whistled a gentle tune",
    "opened the heavy green door",
    "planted tulips by the fence",
    "read the letter twice",
)
_ENDINGS = (
    "before the rain started on Tuesday",
    "while the kettle boiled in the kitchen",
    "just after the market closed at noon",
    "under a bright and windy sky",
    "as the clock struck half past four",
    "without saying a single word",
    "near the harbour in early spring",
    "on the first cold morning of autumn",
)


def random_phrase() -> str:
    """A sentence of fifteen to twenty words, one of 512 with a random number in it: unguessable
    ahead of time, natural to read aloud."""
    number = secrets.randbelow(90) + 10
    return (
        f"{secrets.choice(_SUBJECTS)} {secrets.choice(_ACTIONS)} "
        f"{secrets.choice(_ENDINGS)}, and then counted to {number}."
    )


@dataclass(frozen=True)
class VerificationOutcome:
    verification: VoiceVerification

    @property
    def verified(self) -> bool:
        return self.verification.verified


class VoiceVerificationService:
    async def _voice_model(self, session: AsyncSession, user: User, model_id: int) -> PersonalModel:
        model = await creation_service.owned(session, user, model_id)
        if model.modality != VOICE_MODALITY:
            raise Conflict("This is not a voice model: it needs no voice check.")
        return model

    async def phrase(self, session: AsyncSession, user: User, model_id: int) -> VoiceVerification:
        """The phrase to record now: the one shown last, while it is fresh and unanswered,
        so that reloading the page does not change it; otherwise a new one."""
        model = await self._voice_model(session, user, model_id)
        latest = await self.latest(session, model.id)
        if latest is not None and latest.checked_at is None and _fresh(latest):
            return latest
        verification = VoiceVerification(
            model_id=model.id,
            owner_user_id=user.id,
            phrase=random_phrase(),
            issued_at=utcnow(),
            verified=False,
        )
        session.add(verification)
        await session.flush()
        return verification

    async def verify(
        self,
        session: AsyncSession,
        storage: ObjectStorage,
        user: User,
        model_id: int,
        raw: bytes,
        filename: str | None = None,
    ) -> VerificationOutcome:
        """Check a take of the phrase shown last against the portfolio's voice."""
        model = await self._voice_model(session, user, model_id)
        pending = await self.latest(session, model.id)
        if pending is None or pending.checked_at is not None or not _fresh(pending):
            raise Conflict(
                "Ask for a phrase first (GET this address) and record it within "
                f"{int(PHRASE_VALID.total_seconds() // 60)} minutes."
            )
        samples = await self._recordings(session, user)
        if not samples:
            raise Conflict(
                "Add recordings of your voice to your portfolio, with consent to train, before "
                "verifying: the check compares this take with them.",
                field="file",
            )
        take = await asyncio.to_thread(clean_recording, raw, filename, pending.phrase)
        stored = [await portfolio_service.fetch_file(storage, s) for s in samples]
        # The speaker encoder is torch work: in a passing thread, so that the server's worker
        # thread keeps no OpenMP pool that would slow the text engine's decoding for good.
        score = await asyncio.to_thread(in_passing_thread, lambda: _match(take.data, stored))
        threshold = get_settings().voice_verification_threshold
        pending.recording_hash = sha256_hex(raw)
        pending.similarity = round(score, 4)
        pending.threshold = threshold
        pending.compared_samples = len(samples)
        pending.verified = score >= threshold
        pending.checked_at = utcnow()
        pending.reason = (
            None
            if pending.verified
            else (
                f"The take matched your portfolio's voice at {score:.2f}, under the "
                f"{threshold:.2f} required: it does not sound like the same speaker. Record "
                "the phrase yourself, in the same setting as your portfolio recordings."
            )
        )
        await session.flush()
        return VerificationOutcome(pending)

    async def latest(self, session: AsyncSession, model_id: int) -> VoiceVerification | None:
        return await session.scalar(
            select(VoiceVerification)
            .where(VoiceVerification.model_id == model_id)
            .order_by(VoiceVerification.id.desc())
            .limit(1)
        )

    async def passed(self, session: AsyncSession, model_id: int) -> VoiceVerification | None:
        """The latest verification that matched."""
        return await session.scalar(
            select(VoiceVerification)
            .where(VoiceVerification.model_id == model_id, VoiceVerification.verified)
            .order_by(VoiceVerification.id.desc())
            .limit(1)
        )

    async def history(
        self, session: AsyncSession, model_id: int, limit: int = 10
    ) -> list[VoiceVerification]:
        result = await session.scalars(
            select(VoiceVerification)
            .where(
                VoiceVerification.model_id == model_id,
                VoiceVerification.checked_at.is_not(None),
            )
            .order_by(VoiceVerification.id.desc())
            .limit(limit)
        )
        return list(result)

    async def evidence_for_runs(
        self, session: AsyncSession, run_ids: list[int]
    ) -> dict[int, VoiceVerification]:
        """run id -> the verification it started on."""
        if not run_ids:
            return {}
        rows = await session.execute(
            select(VoiceRunEvidence.run_id, VoiceVerification)
            .join(VoiceVerification, VoiceVerification.id == VoiceRunEvidence.verification_id)
            .where(VoiceRunEvidence.run_id.in_(run_ids))
        )
        return {row[0]: row[1] for row in rows.all()}

    async def _recordings(self, session: AsyncSession, user: User) -> list[PortfolioSample]:
        consented = [
            s for s in await portfolio_service.consented(session, user.id) if s.kind in SAMPLE_KINDS
        ]
        consented.sort(key=lambda s: s.duration_ms or 0, reverse=True)
        return consented[:COMPARED_RECORDINGS]


def _fresh(verification: VoiceVerification) -> bool:
    return utcnow() - verification.issued_at <= PHRASE_VALID


def _match(take: bytes, portfolio: list[bytes]) -> float:
    """Cosine similarity of the take's speaker embedding to the portfolio's mean one."""
    encoder = speaker_encoder()
    audio, rate = read_audio(take)
    mine = encoder.embed(audio, rate)
    references: list[Embedding] = []
    for data in portfolio:
        recording, recording_rate = read_audio(data)
        references.append(encoder.embed(recording, recording_rate))
    return float(np.clip(similarity(mine, centroid(references)), -1.0, 1.0))


class VoiceTrainingGate:
    """Before a voice model trains: enough recording time, and a verification that matched."""

    name = "voice-verification"

    async def before_training(
        self, session: AsyncSession, model: PersonalModel, run: TrainingRun
    ) -> None:
        if model.modality != VOICE_MODALITY:
            return
        samples = await session.scalars(
            select(PortfolioSample).where(PortfolioSample.id.in_(run.sample_ids))
        )
        seconds = sum((s.duration_ms or 0) for s in samples) / 1000
        needed = get_settings().voice_min_seconds
        if seconds < needed:
            raise ValidationFailed(
                f"Your recordings with consent to train last {_minutes(seconds)}; a voice "
                f"model needs {_minutes(needed)}. Add about {_minutes(needed - seconds)} more "
                "recordings with their scripts to your portfolio.",
                field="samples",
            )
        verification = await voice_verification.passed(session, model.id)
        if verification is None:
            raise Conflict(
                "Verify your voice before training: record the sentence shown on the voice "
                f"model's page (/dashboard/models/{model.public_id}/voice). Training on a voice "
                "needs proof that it is yours.",
                field="verification",
            )
        session.add(
            VoiceRunEvidence(
                run_id=run.id, verification_id=verification.id, recorded_seconds=seconds
            )
        )
        await session.flush()


def _minutes(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} seconds"
    return f"{seconds / 60:.1f} minutes"


class VoiceModelPages:
    """A voice model's own pieces, linked from its pages: the verification and held-out takes
    and the recordings for its owner; for buyers, the verification its version trained on."""

    name = "voice"

    async def owner_links(self, session: AsyncSession, model: PersonalModel) -> Sequence[ModelLink]:
        if model.modality != VOICE_MODALITY or model.erased_at is not None:
            return []
        passed = await voice_verification.passed(session, model.id)
        owner = await session.get(User, model.owner_user_id)
        totals = await portfolio_service.totals(session, owner) if owner is not None else None
        recordings = ""
        if totals is not None:
            minutes = totals.recorded_seconds / 60
            recordings = f"{totals.recordings_consented} with consent, {minutes:.1f} minutes"
        return [
            ModelLink(
                "Voice verification and held-out takes",
                f"/dashboard/models/{model.public_id}/voice",
                "Verified" if passed else "Not verified yet: training needs it",
            ),
            ModelLink("Your recordings", "/dashboard/portfolio#samples", recordings),
        ]

    async def public_notes(self, session: AsyncSession, model: PersonalModel) -> Sequence[str]:
        if model.modality != VOICE_MODALITY or model.approved_version_id is None:
            return []
        version = await creation_service.version(session, model.approved_version_id)
        if version is None:
            return []
        proof = (await self.evidence(session, version.run_id)) if version.run_id else None
        if proof is None or proof.checked_at is None:
            return []
        return [
            "Voice verified: before this version trained, its owner read aloud a random "
            "sentence that matched the recordings it learned from "
            f"({proof.checked_at:%Y-%m-%d}, match {proof.similarity or 0:.2f})."
        ]

    async def evidence(self, session: AsyncSession, run_id: int) -> VoiceVerification | None:
        return (await voice_verification.evidence_for_runs(session, [run_id])).get(run_id)


voice_verification = VoiceVerificationService()
register_training_gate(VoiceTrainingGate())
register_model_page_section(VoiceModelPages())
