"""A personal voice model end to end through the API: recordings with their scripts, the
voice verification that training requires (another voice is refused), a real training run
with its held-out speaker similarities, approval, a watermarked preview, a purchase that
charges once and delivers a 48 kHz WAV and an MP3 carrying trusted content credentials, and
the limits a buyer's script and a switched-off model meet."""

from __future__ import annotations

import base64
import io
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import soundfile
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import api_signup
from tests.billing.test_routes import top_up
from tests.creation.conftest import join_program
from tests.ml.voice.factories import SHORT_SCRIPTS, freelancer_recording
from tests.web.test_pages import sign_in
from twinwork.config import get_settings
from twinwork.creation import artifacts
from twinwork.creation.training import execute_run
from twinwork.kit import content_credentials
from twinwork.kit.public_ids import row_id
from twinwork.kit.storage import ObjectStorage, make_storage
from twinwork.ml.voice.preview import PREVIEW_RATE
from twinwork.ml.voice.signal import Audio, read_audio, resample, to_wav
from twinwork.ml.voice.speech import base_speech

PRICE = 450
SCRIPT = "Spring is here. Come and see the gardens in full bloom this weekend."


@pytest.fixture
async def storage() -> AsyncIterator[ObjectStorage]:
    store = make_storage(get_settings())
    yield store
    for prefix in ("portfolio/", "models/", "generations/"):
        await artifacts.delete_stored(store, prefix)


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Seconds of audio, a few dozen steps."""
    monkeypatch.setattr(get_settings(), "voice_min_seconds", 10)
    monkeypatch.setattr(get_settings(), "training_max_steps", 80)
    yield monkeypatch


def wav(audio: Audio, rate: int) -> bytes:
    return to_wav(resample(audio, rate, 44_100), 44_100)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def add_recordings(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    for index, script in enumerate(SHORT_SCRIPTS[:5], start=1):
        audio, rate = freelancer_recording(script)
        response = await client.post(
            "/api/v1/portfolio/samples",
            json={
                "kind": "audio",
                "title": f"Take {index}",
                "transcript": script,
                "filename": f"take-{index}.wav",
                "content_base64": b64(wav(audio, rate)),
                "category": "voice-over",
                "ownership_attested": True,
                "consent_to_train": True,
            },
            headers=headers,
        )
        assert response.status_code == 201, response.text


async def test_a_voice_model_from_recordings_to_a_purchased_credentialed_narration(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    quick: pytest.MonkeyPatch,
) -> None:
    user, owner = await api_signup(client, roles=("freelancer",), display_name="Vera Voice")
    await join_program(client, owner)
    await add_recordings(client, owner)
    created = await client.post(
        "/api/v1/models", json={"modality": "voice", "name": "Vera's voice"}, headers=owner
    )
    assert created.status_code == 201, created.text
    model_id = created.json()["id"]

    # Training is refused, with the reason, until there is enough audio and the voice is proved.
    quick.setattr(get_settings(), "voice_min_seconds", 600)
    short = await client.post(f"/api/v1/models/{model_id}/training-runs", headers=owner)
    assert short.status_code == 422 and "a voice model needs 10.0 minutes" in short.text
    quick.setattr(get_settings(), "voice_min_seconds", 10)
    unverified = await client.post(f"/api/v1/models/{model_id}/training-runs", headers=owner)
    assert unverified.status_code == 409 and "Verify your voice" in unverified.text

    # Another voice reading the phrase (the base voice itself) is refused.
    phrase = (
        await client.get(f"/api/v1/models/{model_id}/voice-verification", headers=owner)
    ).json()
    assert phrase["verified"] is False and phrase["phrase"].endswith(".")
    again = (
        await client.get(f"/api/v1/models/{model_id}/voice-verification", headers=owner)
    ).json()
    assert again["phrase"] == phrase["phrase"]  # the same sentence until it is answered
    impostor, rate = base_speech(phrase["phrase"])
    refused = await client.post(
        f"/api/v1/models/{model_id}/voice-verification",
        json={"content_base64": b64(wav(impostor, rate)), "filename": "take.wav"},
        headers=owner,
    )
    assert refused.status_code == 200, refused.text
    assert refused.json()["verified"] is False
    assert refused.json()["similarity"] < refused.json()["threshold"]
    assert "does not sound like the same speaker" in refused.json()["reason"]
    replay = await client.post(
        f"/api/v1/models/{model_id}/voice-verification",
        json={"content_base64": b64(wav(impostor, rate))},
        headers=owner,
    )
    assert replay.status_code == 409  # each phrase is answered once
    still = await client.post(f"/api/v1/models/{model_id}/training-runs", headers=owner)
    assert still.status_code == 409

    # The freelancer reads a new phrase.
    phrase = (
        await client.get(f"/api/v1/models/{model_id}/voice-verification", headers=owner)
    ).json()
    take, rate = freelancer_recording(phrase["phrase"])
    verified = await client.post(
        f"/api/v1/models/{model_id}/voice-verification",
        json={"content_base64": b64(wav(take, rate)), "filename": "take.wav"},
        headers=owner,
    )
    assert verified.status_code == 200 and verified.json()["verified"] is True, verified.text
    assert verified.json()["compared_samples"] == 5

    started = await client.post(f"/api/v1/models/{model_id}/training-runs", headers=owner)
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    assert await execute_run(sessionmaker, row_id("run", run_id), storage) == "succeeded"
    run = (await client.get(f"/api/v1/training-runs/{run_id}", headers=owner)).json()
    metrics = run["metrics"]
    assert metrics["personal_speaker_similarity"] > metrics["base_speaker_similarity"] + 0.05
    assert metrics["ceiling_speaker_similarity"] > metrics["base_speaker_similarity"]
    assert metrics["closer_than_base"] == 1.0
    version_id = run["version_id"]

    # The voice page shows the evidence and the held-out takes, to the owner.
    await sign_in(client, str(user["email"]))
    page = await client.get(f"/dashboard/models/{model_id}/voice")
    assert page.status_code == 200
    assert "Trained on a verified voice" in page.text
    take_url = f"/dashboard/models/{model_id}/versions/{version_id}/takes/take-1-personal.mp3"
    assert take_url in page.text
    heard = await client.get(take_url)
    assert heard.status_code == 200 and heard.headers["content-type"] == "audio/mpeg"
    assert (await client.get(take_url.replace("take-1", "../x"))).status_code == 404
    # The shared model page shows the voice version like any other: its metrics, its pictures.
    model_page = await client.get(f"/dashboard/models/{model_id}")
    assert model_page.status_code == 200
    assert "Speaker similarity" in model_page.text

    approved = await client.post(
        f"/api/v1/models/{model_id}/versions/{version_id}/approve", headers=owner
    )
    assert approved.status_code == 200, approved.text
    priced = await client.patch(
        f"/api/v1/models/{model_id}",
        json={"price_amount": PRICE, "license": {"scope": "commercial"}},
        headers=owner,
    )
    assert priced.status_code == 200, priced.text
    assert (
        await client.post(f"/api/v1/models/{model_id}/activate", headers=owner)
    ).status_code == 200

    # A buyer previews (watermarked, reduced), then buys once.
    _, buyer = await api_signup(client, display_name="Bo Buyer")
    assert (await top_up(client, buyer, 2_000)).status_code == 201
    before = int((await client.get("/api/v1/wallet", headers=buyer)).json()["balance_amount"])
    too_long = await client.post(
        f"/api/v1/models/{model_id}/generations", json={"brief": "word " * 50_000}, headers=buyer
    )
    assert too_long.status_code == 422
    made = await client.post(
        f"/api/v1/models/{model_id}/generations", json={"brief": SCRIPT}, headers=buyer
    )
    assert made.status_code == 201, made.text
    generation = made.json()
    [preview] = generation["preview_files"]
    assert preview["name"] == "preview-narration.mp3"
    heard = await client.get(preview["url"], headers=buyer)
    assert heard.status_code == 200
    audio, preview_rate = read_audio(heard.content)
    assert preview_rate == PREVIEW_RATE and audio.size > 2 * PREVIEW_RATE

    key = "voice-buy-1"
    bought = await client.post(
        f"/api/v1/generations/{generation['id']}/purchase",
        headers={**buyer, "Idempotency-Key": key},
    )
    assert bought.status_code == 200, bought.text
    retried = await client.post(
        f"/api/v1/generations/{generation['id']}/purchase",
        headers={**buyer, "Idempotency-Key": key},
    )
    assert retried.json() == bought.json()
    after = int((await client.get("/api/v1/wallet", headers=buyer)).json()["balance_amount"])
    assert before - after == PRICE

    files = {f["name"]: f for f in bought.json()["files"]}
    assert list(files) == ["narration.wav", "narration.mp3"]
    for name, mime in (("narration.wav", "audio/wav"), ("narration.mp3", "audio/mpeg")):
        download = await client.get(files[name]["url"], headers=buyer)
        assert download.status_code == 200, download.text
        report = content_credentials.read(download.content, mime)
        assert report.state is content_credentials.ValidationState.TRUSTED
        assert report.creator_name == "Vera Voice"
        assert report.digital_source_type == "trainedAlgorithmicMedia"
        for label in content_credentials.TRAINING_MINING_LABELS:
            uses = report.training_mining(label)
            assert uses and set(uses.values()) == {"notAllowed"}
        if name == "narration.wav":
            info = soundfile.info(io.BytesIO(download.content))
            assert info.samplerate == 48_000 and info.channels == 1
    certificate = bought.json()["certificate"]
    listed = {f["name"]: f for f in certificate["payload"]["files"]}
    assert listed["narration.wav"]["manifest_hash"] and listed["narration.mp3"]["manifest_hash"]

    # Switched off: no new narration, nothing charged.
    assert (
        await client.post(f"/api/v1/models/{model_id}/deactivate", headers=owner)
    ).status_code == 200
    off = await client.post(
        f"/api/v1/models/{model_id}/generations", json={"brief": SCRIPT}, headers=buyer
    )
    assert off.status_code in (403, 404, 409, 410), off.text
    assert (
        int((await client.get("/api/v1/wallet", headers=buyer)).json()["balance_amount"]) == after
    )
