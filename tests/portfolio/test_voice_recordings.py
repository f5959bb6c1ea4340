"""Voice recordings in the portfolio: uploaded with their scripts through the API or the page,
checked by decoding, cleaned (mono 22.05 kHz, pauses trimmed, -20 LUFS) and stored as FLAC,
played and pictured for their owner only; every hostile file refused with a 422 that says
why, leaving nothing stored."""

from __future__ import annotations

import hashlib
import io
from collections.abc import AsyncIterator

import httpx
import pytest
import soundfile
from PIL import Image

from tests.account.factories import api_signup
from tests.portfolio.voice_factories import (
    SCRIPT,
    audio_body,
    clipped_wav,
    encoded,
    flac_declaring_hours,
    silent_wav,
    video_named_wav,
)
from tests.web.test_pages import csrf_token, sign_in
from twinwork.config import get_settings
from twinwork.kit.errors import ValidationFailed
from twinwork.kit.public_ids import row_id
from twinwork.kit.storage import ObjectStorage, make_storage
from twinwork.ml.voice.signal import PEAK_CEILING, TARGET_LUFS, loudness, read_audio
from twinwork.portfolio.audio import RECORDING_MAX_BYTES, STORED_RATE, clean_recording


@pytest.fixture
async def storage() -> AsyncIterator[ObjectStorage]:
    storage = make_storage(get_settings())
    await _clear(storage)
    yield storage
    await _clear(storage)


async def _clear(storage: ObjectStorage) -> None:
    for key in await storage.list("portfolio/"):
        await storage.delete(key)


async def freelancer(client: httpx.AsyncClient) -> tuple[dict[str, object], dict[str, str]]:
    return await api_signup(client, roles=("freelancer",), display_name="Vee Oh")


async def stored_keys(storage: ObjectStorage, user: dict[str, object]) -> list[str]:
    return await storage.list(f"portfolio/{row_id('user', user['id'])}/")  # keys keep row ids


async def test_a_wav_recording_is_cleaned_stored_as_flac_and_played_to_its_owner(
    client: httpx.AsyncClient, storage: ObjectStorage
) -> None:
    user, headers = await freelancer(client)
    response = await client.post(
        "/api/v1/portfolio/samples", json=audio_body(encoded("wav")), headers=headers
    )
    assert response.status_code == 201, response.text
    sample = response.json()
    assert sample["kind"] == "audio" and sample["media_type"] == "audio/flac"
    assert sample["transcript"] == SCRIPT
    assert sample["thumbnail_url"] is None
    [key] = await stored_keys(storage, user)
    stored = await storage.get(key)
    assert sample["content_hash"] == hashlib.sha256(stored).hexdigest()
    audio, rate = read_audio(stored)
    assert rate == STORED_RATE
    # At the target loudness, unless the peaks would pass the ceiling first (then quieter).
    level, peak = loudness(audio, rate), float(abs(audio).max())
    assert abs(level - TARGET_LUFS) < 0.5 or (level < TARGET_LUFS and peak > PEAK_CEILING - 0.01)
    # The half second of room tone at each end is trimmed to a short margin.
    assert 2.5 < sample["duration_seconds"] < audio.size / rate + 0.01 < 7.0

    played = await client.get(sample["audio_url"], headers=headers)
    assert played.status_code == 200 and played.headers["content-type"] == "audio/flac"
    assert played.content == stored
    picture = await client.get(sample["waveform_url"], headers=headers)
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(picture.content)) as image:
        assert image.size == (640, 96)

    _, stranger = await freelancer(client)
    assert (await client.get(sample["audio_url"], headers=stranger)).status_code == 404
    assert (await client.get(sample["waveform_url"], headers=stranger)).status_code == 404

    listed = (await client.get("/api/v1/portfolio/samples", headers=headers)).json()
    assert listed["recordings_consented"] == 1
    assert listed["recorded_seconds"] == pytest.approx(sample["duration_seconds"], abs=0.01)
    needed = get_settings().voice_min_seconds - sample["duration_seconds"]
    assert listed["recording_seconds_needed"] == pytest.approx(needed, abs=0.01)

    again = await client.post(
        "/api/v1/portfolio/samples", json=audio_body(encoded("wav")), headers=headers
    )
    assert again.status_code == 409, again.text
    assert len(await stored_keys(storage, user)) == 1


@pytest.mark.parametrize(
    ("fmt", "name"), [("flac", "take.flac"), ("mp3", "take.mp3"), ("ogg", "take.ogg")]
)
async def test_flac_mp3_and_ogg_are_accepted(
    client: httpx.AsyncClient, storage: ObjectStorage, fmt: str, name: str
) -> None:
    _, headers = await freelancer(client)
    response = await client.post(
        "/api/v1/portfolio/samples", json=audio_body(encoded(fmt), filename=name), headers=headers
    )
    assert response.status_code == 201, response.text
    assert response.json()["duration_seconds"] > 2.5


HOSTILE = {
    "video renamed .wav": (video_named_wav(), "clip.wav", SCRIPT, "MP4 or MOV video"),
    "truncated WAV": (encoded("wav")[:60_000], "take.wav", SCRIPT, "truncated"),
    "corrupt FLAC": (encoded("flac")[:9_000], "take.flac", SCRIPT, "could not be decoded"),
    "no script": (encoded("wav"), "take.wav", "", "script"),
    "script that does not match": (
        encoded("wav"),
        "take.wav",
        " ".join([SCRIPT] * 6),
        "does not match",
    ),
    "silent": (silent_wav(), "room.wav", SCRIPT, "silent"),
    "clipped": (clipped_wav(), "loud.wav", SCRIPT, "clipped"),
    "two hours long": (flac_declaring_hours(2.0), "long.flac", SCRIPT, "120 minutes"),
    "telephone quality": (encoded("wav", rate=8_000), "phone.wav", SCRIPT, "8,000 Hz"),
    "wrong extension": (encoded("flac"), "take.wav", SCRIPT, "content is FLAC"),
    "not audio at all": (b"hello " * 500, "notes.wav", SCRIPT, "not audio"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
async def test_hostile_or_broken_recordings_are_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, storage: ObjectStorage, case: str
) -> None:
    data, filename, script, message = HOSTILE[case]
    user, headers = await freelancer(client)
    response = await client.post(
        "/api/v1/portfolio/samples",
        json=audio_body(data, filename=filename, transcript=script),
        headers=headers,
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert message in response.text, response.text
    assert await stored_keys(storage, user) == []
    listed = (await client.get("/api/v1/portfolio/samples", headers=headers)).json()
    assert listed["total"] == 0


def test_a_file_over_the_size_limit_is_refused_before_decoding() -> None:
    with pytest.raises(ValidationFailed, match="MB"):
        clean_recording(b"RIFF" + bytes(RECORDING_MAX_BYTES), "huge.wav", SCRIPT)


async def test_page_upload_shows_player_waveform_and_how_much_more_is_needed(
    client: httpx.AsyncClient, storage: ObjectStorage
) -> None:
    user, headers = await freelancer(client)
    await sign_in(client, str(user["email"]))
    page = await client.get("/dashboard/portfolio")
    assert page.status_code == 200
    minutes = get_settings().voice_min_seconds / 60
    assert f"0.0 of {round(minutes, 1)} minutes of recordings" in page.text
    refused = await client.post(
        "/dashboard/portfolio/samples",
        data={
            "csrf_token": await csrf_token(client),
            "kind": "audio",
            "title": "Bakery",
            "transcript": "",
            "category": "voice-over",
            "ownership_attested": "on",
            "consent_to_train": "on",
        },
        files={"file": ("take.wav", encoded("wav"), "audio/wav")},
    )
    assert refused.status_code == 422
    assert "Add the script of this recording" in refused.text
    response = await client.post(
        "/dashboard/portfolio/samples",
        data={
            "csrf_token": await csrf_token(client),
            "kind": "audio",
            "title": "Bakery spot",
            "transcript": SCRIPT,
            "category": "voice-over",
            "ownership_attested": "on",
            "consent_to_train": "on",
        },
        files={"file": ("take.mp3", encoded("mp3"), "audio/mpeg")},
    )
    assert response.status_code == 303, response.text
    page = await client.get("/dashboard/portfolio")
    [sample] = (await client.get("/api/v1/portfolio/samples", headers=headers)).json()["items"]
    assert "Bakery spot" in page.text
    assert f'src="/dashboard/portfolio/samples/{sample["id"]}/audio"' in page.text
    assert f'src="/dashboard/portfolio/samples/{sample["id"]}/waveform"' in page.text
    assert "add about" in page.text
    played = await client.get(f"/dashboard/portfolio/samples/{sample['id']}/audio")
    assert played.status_code == 200
    info = soundfile.info(io.BytesIO(played.content))
    assert info.samplerate == STORED_RATE and info.channels == 1
