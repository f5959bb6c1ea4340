"""A synthetic voice-over artist, for the demo, the tests and the benchmark: the packaged base
voice turned into another voice with WORLD (higher and wider pitch, every formant moved up,
slower), so that training and evaluation run offline on real speech. Scripts are drawn from
parts, as many as a portfolio of several minutes needs."""

from __future__ import annotations

import itertools

import numpy as np

from twinwork.ml.voice.signal import Audio, normalise_loudness
from twinwork.ml.voice.speech import base_speech
from twinwork.ml.voice.world import F0_FLOOR, FRAME_PERIOD_MS, _pyworld

PITCH_FACTOR = 1.45
PITCH_RANGE = 1.3
FORMANT_WARP = 1.18
RATE_FACTOR = 1.15

_OPENINGS = (
    "This spring",
    "Every morning",
    "Right now",
    "For one week only",
    "In our new studio",
    "Across the city",
    "At the harbour market",
    "Since nineteen ninety",
    "Along the coast road",
    "Before the holidays",
)
_MIDDLES = (
    "our bakers shape every loaf by hand",
    "the museum opens its doors late into the evening",
    "families come together around a warm table",
    "the new electric bikes are half price",
    "you can learn to paint with friendly teachers",
    "the orchestra plays music from famous films",
    "local farmers bring fresh vegetables and flowers",
    "our team answers your questions day and night",
    "quiet rooms look out over the sea",
    "young engineers build the bridges of tomorrow",
)
_ENDINGS = (
    "and everyone is welcome.",
    "so book your place today.",
    "and the first coffee is on us.",
    "because small things matter.",
    "just ten minutes from the station.",
    "with free parking for all visitors.",
    "and children go free on Sundays.",
    "so come and see it for yourself.",
)


def scripts(count: int) -> list[str]:
    """``count`` different sentences of ten to eighteen words, read in three to five seconds."""
    combos = itertools.product(_OPENINGS, _MIDDLES, _ENDINGS)
    picked = []
    for index, (opening, middle, ending) in enumerate(combos):
        # A stride through the combinations, so neighbours share few words.
        if index % 7 == 0:
            picked.append(f"{opening}, {middle}, {ending}")
        if len(picked) == count:
            break
    return picked


def transform(audio: Audio, rate: int) -> Audio:
    """The artist's voice: pitch 1.45 times higher with a 1.3 times wider range, every formant
    18 % higher, and 15 % slower, by WORLD analysis and synthesis of the base voice."""
    world = _pyworld()
    x = audio.astype(np.float64)
    f0, times = world.dio(x, rate, f0_floor=F0_FLOOR, frame_period=FRAME_PERIOD_MS)
    f0 = world.stonemask(x, f0, times, rate)
    envelope = world.cheaptrick(x, f0, times, rate)
    aperiodicity = world.d4c(x, f0, times, rate)
    bins = np.arange(envelope.shape[1], dtype=np.float64)
    warped = np.stack([np.interp(bins / FORMANT_WARP, bins, frame) for frame in envelope])
    voiced = f0 > 0
    mean = np.log(f0[voiced]).mean() if voiced.any() else 0.0
    logs = np.log(np.maximum(f0, 1e-3))
    f0 = np.where(voiced, np.exp((logs - mean) * PITCH_RANGE + mean) * PITCH_FACTOR, 0.0)
    frames = envelope.shape[0]
    index = np.round(np.linspace(0, frames - 1, int(frames * RATE_FACTOR))).astype(int)
    out = world.synthesize(
        np.ascontiguousarray(f0[index]),
        np.ascontiguousarray(warped[index]),
        np.ascontiguousarray(aperiodicity[index]),
        rate,
        FRAME_PERIOD_MS,
    )
    return normalise_loudness(np.asarray(out, dtype=np.float32), rate)


def artist_recording(script: str) -> tuple[Audio, int]:
    """The synthetic artist reading ``script``."""
    audio, rate = base_speech(script)
    return transform(audio, rate), rate
