"""Speech for a script: the base voice, and the base voice converted to a personal one."""

from __future__ import annotations

from twinwork.ml.voice.base import base_voice
from twinwork.ml.voice.mapping import VoiceMapping
from twinwork.ml.voice.signal import Audio, normalise_loudness
from twinwork.ml.voice.world import analyse, synthesise


def convert(mapping: VoiceMapping, audio: Audio, rate: int) -> Audio:
    """Base-voice audio said again in the personal voice, at the programme loudness."""
    if audio.size == 0:
        return audio
    features = analyse(audio, rate, order=mapping.order)
    return normalise_loudness(synthesise(mapping.convert(features)), rate)


def base_speech(text: str, length_scale: float = 1.0) -> tuple[Audio, int]:
    voice = base_voice()
    return normalise_loudness(voice.synthesise(text, length_scale), voice.rate), voice.rate


def personal_speech(mapping: VoiceMapping | None, text: str) -> tuple[Audio, int]:
    """The script in the personal voice; the plain base voice where there is no mapping."""
    voice = base_voice()
    if mapping is None:
        return base_speech(text)
    audio = voice.synthesise(text, mapping.length_scale)
    return convert(mapping, audio, voice.rate), voice.rate
