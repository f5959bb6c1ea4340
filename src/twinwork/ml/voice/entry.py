"""The voice modality's entry points in the registry's shapes: requests in, files out."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from twinwork.ml.registry import (
    EvaluateRequest,
    EvaluationResult,
    GeneratedFile,
    GenerateRequest,
    ModelEnvironment,
    PlanRequest,
    TrainingCancelled,
    TrainingProgress,
    TrainingSample,
    TrainOutcome,
    TrainRequest,
)
from twinwork.ml.voice.base import BASE_VOICE_ID, base_voice
from twinwork.ml.voice.config import SAMPLE_KINDS, VoicePlan, plan_voice, split_heldout
from twinwork.ml.voice.encoder import speaker_encoder
from twinwork.ml.voice.evaluation import Take, speaker_metrics
from twinwork.ml.voice.learn import Stop, Utterance, learn_mapping
from twinwork.ml.voice.mapping import VoiceMapping
from twinwork.ml.voice.pictures import as_svg, speech_png
from twinwork.ml.voice.preview import preview_mp3
from twinwork.ml.voice.signal import (
    Audio,
    normalise_loudness,
    read_audio,
    resample,
    speech_seconds,
    to_mp3,
    to_wav,
    trim_silence,
)
from twinwork.ml.voice.speech import base_speech, convert
from twinwork.ml.voice.world import analyse

DELIVERY_RATE = 48_000
DELIVERY_MP3_KBPS = 192
EVALUATION_DIR = "evaluation"
MAX_SCRIPT_WORDS = 5_000
"""A guard for callers that send more than the generation form allows."""


class UnreadableRecording(ValueError):
    pass


def plan(request: PlanRequest) -> VoicePlan:
    return plan_voice(
        len([s for s in request.samples if s.kind in SAMPLE_KINDS]), max_steps=request.max_steps
    )


def read_recording(sample: TrainingSample, rate: int) -> Audio:
    """A portfolio recording at ``rate``, pauses trimmed."""
    if sample.path is None:
        raise UnreadableRecording(f"recording {sample.sample_id} has no file")
    if not sample.content.strip():
        raise UnreadableRecording(f"recording {sample.sample_id} has no script")
    try:
        audio, source_rate = read_audio(sample.path)
    except Exception as exc:
        raise UnreadableRecording(f"recording {sample.sample_id}: {exc}") from exc
    return trim_silence(resample(audio, source_rate, rate), rate)


def _utterance(sample: TrainingSample) -> Utterance:
    voice = base_voice()
    rate = voice.rate
    target = read_recording(sample, rate)
    source = trim_silence(normalise_loudness(voice.synthesise(sample.content), rate), rate)
    return Utterance(
        source=analyse(source, rate),
        target=analyse(target, rate),
        source_seconds=speech_seconds(source, rate),
        target_seconds=speech_seconds(target, rate),
    )


def train(request: TrainRequest[VoicePlan]) -> TrainOutcome:
    """Hold out a few recordings, say every other script with the base voice, pair the frames
    and learn the mapping; writes ``mapping.npz`` and ``voice.json`` as the artifact."""
    import torch

    config = request.config
    usable = [s for s in request.samples if s.kind in SAMPLE_KINDS]
    if not usable:
        raise ValueError("no recordings to learn a voice from")
    learn_set, heldout = split_heldout(usable, config)
    total = len(learn_set) + config.steps
    started = time.monotonic()

    def report(step: int, loss: float | None, phase: str = "training") -> None:
        elapsed = time.monotonic() - started
        eta = elapsed / step * (total - step) if step else None
        request.on_progress(TrainingProgress(step, total, loss, elapsed, eta, phase))

    utterances = []
    for index, sample in enumerate(learn_set, start=1):
        if request.should_stop():
            raise TrainingCancelled(index - 1)
        utterances.append(_utterance(sample))
        report(index, None)
    offset = len(learn_set)
    threads = torch.get_num_threads()
    # One thread: the network is small, and on a shared CPU more threads spin against each
    # other (measured: 300 steps took 2 s on one thread, over a minute on two, under load).
    torch.set_num_threads(1)
    try:
        mapping = learn_mapping(
            utterances,
            steps=config.steps,
            seed=config.seed,
            checkpoint_dir=request.checkpoint_dir,
            on_step=lambda step, _total, loss: report(offset + step, loss),
            should_stop=request.should_stop,
        )
    except Stop as exc:
        raise TrainingCancelled(offset + exc.step) from exc
    finally:
        torch.set_num_threads(threads)
    report(total, mapping.summary.get("final_loss"), "saving")
    save_mapping(mapping, request.out_dir)
    return TrainOutcome(
        adapter_dir=request.out_dir,
        base_model_id=BASE_VOICE_ID,
        trained=tuple(learn_set),
        heldout=tuple(heldout),
        steps=config.steps,
        final_loss=mapping.summary.get("final_loss"),
    )


def save_mapping(mapping: VoiceMapping, out_dir: Path) -> None:
    """Written beside its final place and swapped in whole: a reader never sees half."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    mapping.save(staging)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    staging.rename(out_dir)


# ---- evaluation ----------------------------------------------------------------------------


def evaluate(request: EvaluateRequest[VoicePlan]) -> EvaluationResult:
    """Speaker similarity of base and personal output to the held-out recordings, and the
    ceiling; each take's audio (MP3) and a spectrogram with pitch contours are written under
    ``evaluation/`` in the artifact for the freelancer to hear and see."""
    trained = request.trained
    mapping = VoiceMapping.load(trained.adapter_dir)
    samples = list(trained.heldout) or list(trained.trained[:2])
    encoder = speaker_encoder()
    rate = base_voice().rate
    takes: list[Take] = []
    outputs: list[dict[str, str]] = []
    folder = trained.adapter_dir / EVALUATION_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for index, sample in enumerate(samples, start=1):
        reference = normalise_loudness(read_recording(sample, rate), rate)
        base_audio, _ = base_speech(sample.content)
        personal_audio = convert(
            mapping, base_voice().synthesise(sample.content, mapping.length_scale), rate
        )
        take = Take(
            script=sample.content,
            rate=rate,
            reference=reference,
            base=trim_silence(base_audio, rate),
            personal=trim_silence(personal_audio, rate),
            reference_embedding=encoder.embed(reference, rate),
            base_embedding=encoder.embed(base_audio, rate),
            personal_embedding=encoder.embed(personal_audio, rate),
        )
        takes.append(take)
        if index <= request.config.evaluation_outputs:
            outputs.append(_output(take, folder, index, mapping))
    others = []
    if len(takes) < 2:
        # One held-out take: its ceiling is its likeness to the freelancer's other takes.
        others = [
            encoder.embed(read_recording(s, rate), rate)
            for s in trained.trained[:3]
            if s not in samples
        ]
    metrics = speaker_metrics(takes, others)
    return EvaluationResult(metrics=metrics, outputs=outputs)


def _output(take: Take, folder: Path, index: int, mapping: VoiceMapping) -> dict[str, str]:
    rate = take.rate
    reference = analyse(take.reference, rate, order=mapping.order)
    base = analyse(take.base, rate, order=mapping.order)
    personal = analyse(take.personal, rate, order=mapping.order)
    (folder / f"take-{index}-base.mp3").write_bytes(to_mp3(take.base, rate, 64))
    (folder / f"take-{index}-personal.mp3").write_bytes(to_mp3(take.personal, rate, 64))
    (folder / f"take-{index}-recording.mp3").write_bytes(to_mp3(take.reference, rate, 64))
    base_png = speech_png(take.base, base, reference)
    personal_png = speech_png(take.personal, personal, reference)
    (folder / f"take-{index}-base.png").write_bytes(base_png)
    (folder / f"take-{index}-personal.png").write_bytes(personal_png)
    script = " ".join(take.script.split())
    return {
        "brief": script if len(script) <= 140 else script[:139] + "\u2026",
        "base": as_svg(base_png, 480, 180, "Base voice: spectrogram and pitch contour"),
        "personal": as_svg(personal_png, 480, 180, "Your voice model: spectrogram and pitch"),
        "audio_base": f"{EVALUATION_DIR}/take-{index}-base.mp3",
        "audio_personal": f"{EVALUATION_DIR}/take-{index}-personal.mp3",
        "audio_recording": f"{EVALUATION_DIR}/take-{index}-recording.mp3",
    }


# ---- generation ----------------------------------------------------------------------------

_mappings: OrderedDict[str, VoiceMapping] = OrderedDict()
_mappings_lock = threading.Lock()
CACHED_MAPPINGS = 32


def load_mapping(request: GenerateRequest) -> VoiceMapping | None:
    if request.adapter_dir is None:
        return None
    key = request.adapter_key or str(request.adapter_dir)
    with _mappings_lock:
        found = _mappings.get(key)
        if found is not None:
            _mappings.move_to_end(key)
            return found
    mapping = VoiceMapping.load(request.adapter_dir)
    with _mappings_lock:
        _mappings[key] = mapping
        while len(_mappings) > CACHED_MAPPINGS:
            _mappings.popitem(last=False)
    return mapping


def evict(adapter_key: str) -> None:
    with _mappings_lock:
        _mappings.pop(adapter_key, None)


def warm(_environment: ModelEnvironment) -> None:
    base_voice()


def word_count(script: str) -> int:
    return len(script.split())


def narration(request: GenerateRequest) -> tuple[Audio, int]:
    words = word_count(request.brief)
    if words == 0:
        raise ValueError("The script is empty: write what the voice should say.")
    if words > MAX_SCRIPT_WORDS:
        raise ValueError(
            f"The script has {words:,} words; one narration takes at most "
            f"{MAX_SCRIPT_WORDS:,}. Split it into parts."
        )
    mapping = load_mapping(request)
    rate = base_voice().rate
    if mapping is None:
        audio, _ = base_speech(request.brief)
    else:
        audio = convert(mapping, base_voice().synthesise(request.brief, mapping.length_scale), rate)
    return audio, rate


def caption(request: GenerateRequest) -> str:
    words = word_count(request.brief)
    return (
        f"A narration of the script ({words} word{'s' if words != 1 else ''}) in this voice, "
        f"as a {DELIVERY_RATE // 1000} kHz WAV and an MP3."
    )


def generate_files(request: GenerateRequest) -> list[GeneratedFile]:
    """The narration as a 48 kHz 16-bit WAV and a 192 kbps MP3 of the same take."""
    audio, rate = narration(request)
    delivery = resample(audio, rate, DELIVERY_RATE)
    delivery = np.clip(delivery, -1.0, 1.0).astype(np.float32)
    return [
        GeneratedFile("narration.wav", "audio/wav", to_wav(delivery, DELIVERY_RATE)),
        GeneratedFile(
            "narration.mp3", "audio/mpeg", to_mp3(delivery, DELIVERY_RATE, DELIVERY_MP3_KBPS)
        ),
    ]


def preview_files(files: Sequence[GeneratedFile]) -> list[GeneratedFile]:
    """One watermarked, reduced MP3 of the narration (from the WAV)."""
    for item in files:
        if item.media_type == "audio/wav":
            audio, rate = read_audio(item.content)
            return [GeneratedFile("preview-narration.mp3", "audio/mpeg", preview_mp3(audio, rate))]
    return []
