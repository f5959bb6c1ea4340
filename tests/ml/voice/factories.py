"""A synthetic "freelancer" (``ml/voice/demo.py``: the base voice made into another voice with
WORLD), so tests train and evaluate on real speech offline."""

from __future__ import annotations

import hashlib
from pathlib import Path

from twinwork.ml.registry import TrainingSample
from twinwork.ml.voice.demo import artist_recording
from twinwork.ml.voice.signal import Audio, to_flac


def freelancer_recording(script: str) -> tuple[Audio, int]:
    return artist_recording(script)


SHORT_SCRIPTS = (
    "The morning train leaves the station at seven.",
    "Our new kitchen range heats evenly and cleans in minutes.",
    "Welcome back to the show about rivers and bridges.",
    "Please hold the line, an adviser will answer shortly.",
    "Every great story begins with a single voice.",
    "Fresh bread and warm coffee by the window on Sunday.",
)


def recording_samples(
    directory: Path, scripts: tuple[str, ...] = SHORT_SCRIPTS
) -> list[TrainingSample]:
    """The freelancer's recordings as the training job hands them over: FLAC files with
    their scripts."""
    directory.mkdir(parents=True, exist_ok=True)
    samples = []
    for index, script in enumerate(scripts, start=1):
        audio, rate = freelancer_recording(script)
        data = to_flac(audio, rate)
        path = directory / f"sample-{index}.flac"
        path.write_bytes(data)
        samples.append(
            TrainingSample(index, hashlib.sha256(data).hexdigest(), "audio", script, path)
        )
    return samples
