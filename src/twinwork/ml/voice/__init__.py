"""Personal voice models: the packaged Piper base voice converted to a freelancer's voice.

A voice-conversion model learned from the freelancer's recordings and their scripts: the base
voice says the same scripts, frames are paired by dynamic time warping, and the mapping of
spectral envelope (mel-cepstrum, a small network), aperiodicity and pitch (statistics) and the
speaking rate is learned on WORLD features. A buyer's script is said by the base voice and
converted. Registers itself as the "voice" modality on import: its work is files (a 48 kHz WAV
and an MP3), previews are watermarked low-bit-rate MP3s, and its evaluation reports
``closer_than_base`` so that no version that does not sound more like the freelancer than the
base voice can be approved.

Heavy imports (onnxruntime, torch, pyworld) happen on first use.
"""

from __future__ import annotations

from twinwork.ml.registry import register_modality
from twinwork.ml.voice import entry
from twinwork.ml.voice.base import BASE_VOICE_ID
from twinwork.ml.voice.config import MIN_RECORDINGS, SAMPLE_KINDS, VoicePlan, plan_voice
from twinwork.ml.voice.evaluation import CLOSER_MARGIN, speaker_metrics
from twinwork.ml.voice.mapping import VoiceMapping
from twinwork.ml.voice.pricing import PRICE_UNIT_LABEL, SCRIPT_MAX_CHARS, price_units

register_modality(
    name="voice",
    label="Voice",
    config_cls=VoicePlan,
    sample_kinds=SAMPLE_KINDS,
    min_samples=MIN_RECORDINGS,
    plan=entry.plan,
    train=entry.train,
    evaluate=entry.evaluate,
    generate=entry.caption,
    evict=entry.evict,
    warm=entry.warm,
    generate_files=entry.generate_files,
    preview_files=entry.preview_files,
    price_units=price_units,
    price_unit_label=PRICE_UNIT_LABEL,
    brief_max_chars=SCRIPT_MAX_CHARS,
)

__all__ = [
    "BASE_VOICE_ID",
    "CLOSER_MARGIN",
    "MIN_RECORDINGS",
    "PRICE_UNIT_LABEL",
    "SAMPLE_KINDS",
    "VoiceMapping",
    "VoicePlan",
    "plan_voice",
    "price_units",
    "speaker_metrics",
]
