"""Recordings for portfolio tests: real speech from the packaged base voice, in each format a
freelancer may upload, and hostile variants of it."""

from __future__ import annotations

import base64
import io
from functools import lru_cache

import numpy as np
import soundfile

from twinwork.ml.voice.signal import Audio, resample, to_mp3
from twinwork.ml.voice.speech import base_speech

SCRIPT = "Fresh bread every morning at the corner bakery, baked by hand since nineteen fifty."


@lru_cache(maxsize=8)
def speech(script: str = SCRIPT) -> tuple[Audio, int]:
    audio, rate = base_speech(script)
    return audio, rate


def encoded(fmt: str, script: str = SCRIPT, rate: int = 44_100, gain: float = 1.0) -> bytes:
    audio, source = speech(script)
    audio = resample(audio, source, rate) * np.float32(gain)
    # A breath of room tone before and after, as a real take has.
    pad = np.zeros(int(0.5 * rate), dtype=np.float32)
    audio = np.concatenate([pad, audio, pad])
    if fmt == "mp3":
        return to_mp3(audio, rate, 128)
    buffer = io.BytesIO()
    subtype = {"wav": "PCM_16", "flac": "PCM_16", "ogg": "VORBIS"}[fmt]
    soundfile.write(buffer, np.clip(audio, -1, 1), rate, format=fmt.upper(), subtype=subtype)
    return buffer.getvalue()


def clipped_wav() -> bytes:
    audio, rate = speech()
    buffer = io.BytesIO()
    soundfile.write(buffer, np.clip(audio * 40.0, -1, 1), rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def silent_wav(seconds: float = 5.0, rate: int = 44_100) -> bytes:
    buffer = io.BytesIO()
    noise = np.random.default_rng(0).normal(0, 1e-5, int(seconds * rate)).astype(np.float32)
    soundfile.write(buffer, noise, rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def flac_declaring_hours(hours: float = 2.0) -> bytes:
    """A short FLAC whose header (STREAMINFO) says it is ``hours`` long."""
    data = bytearray(encoded("flac"))
    assert data[:4] == b"fLaC"
    info = 8  # after "fLaC" and the metadata block header
    rate = 44_100
    total = int(hours * 3600 * rate)
    field = int.from_bytes(data[info + 13 : info + 18], "big")
    field = (field >> 36 << 36) | total
    data[info + 13 : info + 18] = field.to_bytes(5, "big")
    # The MD5 of the audio no longer matches what the header claims: zero means "unknown".
    data[info + 18 : info + 34] = bytes(16)
    return bytes(data)


def video_named_wav() -> bytes:
    """The start of an MP4 file (an ``ftyp`` box), as a phone's screen recording begins."""
    return b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + bytes(4000)


def audio_body(data: bytes, filename: str = "take.wav", **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "kind": "audio",
        "title": "Bakery radio spot",
        "transcript": SCRIPT,
        "filename": filename,
        "content_base64": base64.b64encode(data).decode(),
        "category": "voice-over",
        "ownership_attested": True,
        "consent_to_train": True,
    }
    body.update(overrides)
    return body
