"""Personal voice models: training time, real-time factor of generation, and the speaker
similarity of base voice, personal voice and the artist's own held-out takes.

A synthetic voice-over artist (``ml/voice/demo.py``: the packaged base voice made into another
voice with WORLD) reads scripts until the portfolio holds ``--minutes`` of speech; the voice
model is trained on them through the modality table, as the training job does (a fifth held
out), evaluated on the held-out takes, then asked for a narration of a 60-word script.
Usage: `python -m bench.voice_bench [--minutes M] [--steps S] [--rounds R]`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import tempfile
import time
from pathlib import Path

from twinwork.ml import (
    EvaluateRequest,
    GenerateRequest,
    ModelEnvironment,
    TrainingSample,
    TrainRequest,
    get_modality,
)
from twinwork.ml.voice import VoicePlan
from twinwork.ml.voice.base import base_voice
from twinwork.ml.voice.demo import artist_recording, scripts
from twinwork.ml.voice.entry import narration
from twinwork.ml.voice.signal import normalise_loudness, to_flac, trim_silence

NARRATION = (
    "Welcome to the harbour museum. Over the next hour you will walk through three hundred "
    "years of ships, storms and the families who built this town. Take your time in each "
    "room, listen to the stories of the sailors, and when you reach the top floor, look out "
    "over the water: the view has hardly changed since the first lighthouse was lit."
)


def portfolio(directory: Path, minutes: float) -> tuple[list[TrainingSample], float]:
    """Recordings (FLAC, cleaned as the portfolio stores them) until ``minutes`` of audio."""
    directory.mkdir(parents=True, exist_ok=True)
    samples: list[TrainingSample] = []
    total = 0.0
    for index, script in enumerate(scripts(400), start=1):
        audio, rate = artist_recording(script)
        audio = normalise_loudness(trim_silence(audio, rate), rate)
        data = to_flac(audio, rate)
        path = directory / f"take-{index}.flac"
        path.write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        samples.append(TrainingSample(index, digest, "audio", script, path))
        total += audio.size / rate
        if total >= minutes * 60:
            break
    return samples, total


def run(minutes: float = 5.0, steps: int | None = None, rounds: int = 3) -> dict[str, object]:
    modality = get_modality("voice")
    work = Path(tempfile.mkdtemp(prefix="voice-bench-"))
    base_voice()  # loaded once per process, as a worker keeps it
    prepared = time.perf_counter()
    samples, seconds = portfolio(work / "samples", minutes)
    prepare_seconds = time.perf_counter() - prepared
    environment = ModelEnvironment(cache_dir=work / "cache")
    plan = VoicePlan() if steps is None else VoicePlan(steps=steps)

    started, cpu = time.perf_counter(), time.process_time()
    outcome = modality.train(
        TrainRequest(
            config=plan,
            samples=samples,
            environment=environment,
            out_dir=work / "adapter",
            checkpoint_dir=work / "checkpoint",
        )
    )
    train_seconds = time.perf_counter() - started
    train_cpu = time.process_time() - cpu
    started = time.perf_counter()
    evaluation = modality.evaluate(
        EvaluateRequest(
            config=plan, environment=environment, trained=outcome, portfolio=samples, briefs=3
        )
    )
    evaluate_seconds = time.perf_counter() - started

    request = GenerateRequest(
        environment=environment, brief=NARRATION, adapter_dir=outcome.adapter_dir, adapter_key="b"
    )
    speech_times, speech_cpu, file_times, lengths = [], [], [], []
    for _ in range(rounds):
        began, cpu = time.perf_counter(), time.process_time()
        audio, rate = narration(request)
        speech_times.append(time.perf_counter() - began)
        speech_cpu.append(time.process_time() - cpu)
        lengths.append(audio.size / rate)
        began = time.perf_counter()
        modality.generate_files(request)  # type: ignore[misc]
        file_times.append(time.perf_counter() - began)
    length = statistics.median(lengths)
    metrics = evaluation.metrics
    return {
        "recordings": len(samples),
        "recorded_minutes": round(seconds / 60, 2),
        "trained_on": len(outcome.trained),
        "heldout": len(outcome.heldout),
        "steps": outcome.steps,
        "prepare_seconds": round(prepare_seconds, 1),
        "train_seconds": round(train_seconds, 1),
        "train_cpu_seconds": round(train_cpu, 1),
        "evaluate_seconds": round(evaluate_seconds, 1),
        "narration_seconds": round(length, 2),
        "rtf_speech": round(statistics.median(speech_times) / length, 3),
        "rtf_speech_cpu": round(statistics.median(speech_cpu) / length, 3),
        "rtf_files": round(statistics.median(file_times) / length, 3),
        "base_speaker_similarity": metrics["base_speaker_similarity"],
        "personal_speaker_similarity": metrics["personal_speaker_similarity"],
        "ceiling_speaker_similarity": metrics["ceiling_speaker_similarity"],
        "speaker_similarity_gap": metrics["speaker_similarity_gap"],
        "personal_duration_ratio": metrics["personal_duration_ratio"],
        "closer_than_base": metrics["closer_than_base"],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    result = run(args.minutes, args.steps, args.rounds)
    print("## Personal voice model")
    print(
        f"{result['recordings']} recordings, {result['recorded_minutes']} min "
        f"({result['trained_on']} trained on, {result['heldout']} held out), "
        f"{result['steps']} steps"
    )
    print(
        f"training: {result['train_seconds']} s ({result['train_cpu_seconds']} CPU-s), "
        f"evaluation: {result['evaluate_seconds']} s"
    )
    print(
        f"generation of {result['narration_seconds']} s of narration: real-time factor "
        f"{result['rtf_speech']} (speech; {result['rtf_speech_cpu']} in CPU time), "
        f"{result['rtf_files']} (WAV 48 kHz + MP3)"
    )
    print(
        "speaker similarity to held-out takes: "
        f"base {result['base_speaker_similarity']:.3f}, "
        f"personal {result['personal_speaker_similarity']:.3f}, "
        f"ceiling {result['ceiling_speaker_similarity']:.3f} "
        f"(gap {result['speaker_similarity_gap']:+.3f})"
    )
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
