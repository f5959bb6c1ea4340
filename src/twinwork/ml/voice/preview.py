"""The free preview of a narration: audibly watermarked and reduced.

A short tone every few seconds, over the voice, and the whole at 16 kHz in a low-bit-rate MP3:
enough to judge the voice and the reading, not to use the file.
"""

from __future__ import annotations

import numpy as np

from twinwork.ml.voice.signal import Audio, resample, to_mp3

PREVIEW_RATE = 16_000
PREVIEW_KBPS = 32
TONE_EVERY_SECONDS = 4.0
TONE_SECONDS = 0.35
TONE_HZ = 1000.0
TONE_LEVEL = 0.25
"""About -12 dBFS: plainly audible over speech normalised to -20 LUFS."""


def watermark(audio: Audio, rate: int) -> Audio:
    """A tone at the start and every ``TONE_EVERY_SECONDS`` after, faded in and out."""
    out = audio.astype(np.float32, copy=True)
    length = int(TONE_SECONDS * rate)
    t = np.arange(length) / rate
    fade = np.minimum(1.0, np.minimum(t, TONE_SECONDS - t) / 0.02)
    tone = (TONE_LEVEL * np.sin(2 * np.pi * TONE_HZ * t) * fade).astype(np.float32)
    step = int(TONE_EVERY_SECONDS * rate)
    for start in range(0, max(out.size, 1), step):
        end = min(start + length, out.size)
        if end <= start:
            break
        out[start:end] = np.clip(out[start:end] * 0.6 + tone[: end - start], -1.0, 1.0)
    return out


def tone_starts(seconds: float) -> list[float]:
    """Where the tones fall in a preview of ``seconds``."""
    return [float(s) for s in np.arange(0.0, max(seconds, 1e-9), TONE_EVERY_SECONDS)]


def preview_mp3(audio: Audio, rate: int) -> bytes:
    reduced = resample(watermark(audio, rate), rate, PREVIEW_RATE)
    return to_mp3(reduced, PREVIEW_RATE, kbps=PREVIEW_KBPS)
