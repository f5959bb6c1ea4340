"""Voice recordings for the portfolio: checked by decoding, never by their name.

A recording is refused, with what to do about it, when it is not WAV, FLAC, MP3 or Ogg (its
first bytes say what it is: a video renamed ``.wav`` is a video), cannot be decoded to the end
(corrupt or truncated), is too short or too long, silent, clipped, too low in sample rate, or
when its script cannot be what is said (a few words for a minute of speech, or the reverse).
What is stored is the cleaned take: mono, 22.05 kHz (the voice models' rate), long pauses
trimmed and loudness normalised to -20 LUFS (ITU-R BS.1770), as lossless FLAC.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from enum import Enum

import numpy as np

from twinwork.kit.errors import ValidationFailed
from twinwork.ml.voice.pictures import waveform_png
from twinwork.ml.voice.signal import (
    clipped_fraction,
    loudness,
    normalise_loudness,
    read_audio,
    resample,
    speech_seconds,
    to_flac,
    trim_silence,
)

STORED_RATE = 22_050
STORED_MEDIA_TYPE = "audio/flac"
RECORDING_MAX_BYTES = 40_000_000
"""Under the upload limit once base64-encoded: ten minutes of speech as FLAC or MP3, or about
seven as 44.1 kHz mono WAV."""
MIN_SECONDS = 2.0
MAX_SECONDS = 600.0
"""Ten minutes a recording: long takes are split, so that a script matches its audio."""
MIN_SOURCE_RATE = 16_000
MAX_CLIPPED_FRACTION = 0.002
"""Samples at full scale: a few are a peak, more are distortion a model would learn."""
MIN_SPEECH_SECONDS = 1.0
WORDS_PER_SECOND = (0.8, 5.0)
"""Of speech, pauses trimmed: people read aloud at about 2 to 3.5 words a second."""
MIN_SCRIPT_WORDS = 3
MAX_SCRIPT_CHARS = 20_000


class AudioKind(Enum):
    WAV = ("wav", "audio/wav", (".wav", ".wave"))
    FLAC = ("flac", "audio/flac", (".flac",))
    MP3 = ("mp3", "audio/mpeg", (".mp3",))
    OGG = ("ogg", "audio/ogg", (".ogg", ".oga", ".opus"))

    @property
    def label(self) -> str:
        return str(self.value[0]).upper()

    @property
    def mime_type(self) -> str:
        return str(self.value[1])

    @property
    def suffixes(self) -> tuple[str, ...]:
        return tuple(self.value[2])


ACCEPTED = "WAV, FLAC, MP3 or Ogg"
_NOT_AUDIO = (
    (b"ftyp", 4, "an MP4 or MOV video"),
    (b"\x1a\x45\xdf\xa3", 0, "a WebM or Matroska video"),
    (b"RIFF", 0, None),  # RIFF is also AVI: told apart below
    (b"%PDF", 0, "a PDF document"),
    (b"PK\x03\x04", 0, "a zip archive"),
    (b"\x89PNG", 0, "a PNG image"),
    (b"\xff\xd8\xff", 0, "a JPEG image"),
)


@dataclass(frozen=True)
class CleanRecording:
    data: bytes
    """FLAC, mono, 22.05 kHz, 16 bit."""
    kind: AudioKind
    """What was uploaded."""
    seconds: float
    """Length of the cleaned take."""
    speech_seconds: float
    source_rate: int
    source_loudness: float
    words: int

    @property
    def media_type(self) -> str:
        return STORED_MEDIA_TYPE

    @property
    def duration_ms(self) -> int:
        return int(round(self.seconds * 1000))


def _fail(message: str) -> ValidationFailed:
    return ValidationFailed(message, field="file")


def sniff(data: bytes) -> AudioKind:
    """The audio format from the file's first bytes."""
    head = data[:16]
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return AudioKind.WAV
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        raise _fail(f"This is an AVI video, not an audio recording: upload {ACCEPTED}.")
    if head[:4] == b"fLaC":
        return AudioKind.FLAC
    if head[:4] == b"OggS":
        return AudioKind.OGG
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return AudioKind.MP3
    for magic, offset, what in _NOT_AUDIO:
        if what and data[offset : offset + len(magic)] == magic:
            raise _fail(f"This is {what}, not an audio recording: upload {ACCEPTED}.")
    raise _fail(f"This file is not audio this platform reads: upload {ACCEPTED}.")


def _check_complete_wav(data: bytes) -> None:
    declared = struct.unpack("<I", data[4:8])[0] + 8 if len(data) >= 8 else 0
    if declared > len(data):
        raise _fail(
            f"This WAV file is truncated: its header announces {declared:,} bytes but it "
            f"has {len(data):,}. Export or upload it again."
        )


def _check_script(transcript: str) -> int:
    words = len(transcript.split())
    if words < MIN_SCRIPT_WORDS:
        raise ValidationFailed(
            "Add the script of this recording: the words said in it, as read. A voice model "
            "learns from recordings with their scripts.",
            field="transcript",
        )
    if len(transcript) > MAX_SCRIPT_CHARS:
        raise ValidationFailed(
            f"This script is {len(transcript):,} characters; a recording's script may be at "
            f"most {MAX_SCRIPT_CHARS:,}. Split long takes.",
            field="transcript",
        )
    return words


def clean_recording(raw: bytes, filename: str | None, transcript: str) -> CleanRecording:
    """Decode, check and clean an uploaded recording; raises ValidationFailed with what to
    change. Nothing is stored here."""
    words = _check_script(transcript)
    if not raw:
        raise _fail("The file is empty.")
    if len(raw) > RECORDING_MAX_BYTES:
        raise _fail(
            f"This file is over {RECORDING_MAX_BYTES // 1_000_000} MB; upload takes of at most "
            f"{MAX_SECONDS / 60:.0f} minutes each, as FLAC or MP3 where a WAV is too large."
        )
    kind = sniff(raw)
    if filename:
        suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        known = [s for k in AudioKind for s in k.suffixes]
        if suffix not in kind.suffixes:
            if suffix in known:
                raise _fail(
                    f"This file is named {suffix} but its content is {kind.label}: rename it "
                    "or export it again."
                )
            raise _fail(f"Upload a recording as {ACCEPTED} (.wav, .flac, .mp3 or .ogg).")
    if kind is AudioKind.WAV:
        _check_complete_wav(raw)
    import soundfile  # type: ignore[import-untyped]  # no stubs

    try:
        info = soundfile.info(io.BytesIO(raw))
    except Exception as exc:
        raise _fail(
            f"This {kind.label} file could not be decoded: it is corrupt or not really "
            f"{kind.label}. Export it again."
        ) from exc
    if info.duration > MAX_SECONDS:
        minutes = info.duration / 60
        raise _fail(
            f"This recording is {minutes:,.0f} minutes long; upload takes of at most "
            f"{MAX_SECONDS / 60:.0f} minutes, each with its own script."
        )
    try:
        audio, rate = read_audio(raw)
    except Exception as exc:
        raise _fail(
            f"This {kind.label} file could not be decoded to the end: it is corrupt or "
            "truncated. Export it again."
        ) from exc
    if audio.size == 0 or not np.all(np.isfinite(audio)):
        raise _fail(f"This {kind.label} file holds no readable audio: it is truncated or empty.")
    if rate < MIN_SOURCE_RATE:
        raise _fail(
            f"This recording is sampled at {rate:,} Hz (telephone quality); record at "
            f"{MIN_SOURCE_RATE // 1000} kHz or more, 44.1 or 48 kHz ideally."
        )
    seconds = audio.size / rate
    if seconds < MIN_SECONDS:
        raise _fail(f"This recording is {seconds:.1f} s long; upload at least {MIN_SECONDS:.0f} s.")
    clipped = clipped_fraction(audio)
    if clipped > MAX_CLIPPED_FRACTION:
        raise _fail(
            f"This recording is clipped: {clipped:.1%} of its samples are at full scale, which "
            "is distortion. Record again with the input gain lower."
        )
    source_loudness = loudness(audio, rate)
    spoken = speech_seconds(audio, rate)
    if not np.isfinite(source_loudness) or source_loudness < -60 or spoken < MIN_SPEECH_SECONDS:
        raise _fail("This recording is silent or nearly so: no speech was found in it.")
    pace = words / spoken
    low, high = WORDS_PER_SECOND
    if not low <= pace <= high:
        raise ValidationFailed(
            f"The script does not match the recording: {words:,} words for {spoken:,.0f} s "
            f"of speech is {pace:.1f} words a second, and people read at about 2 to 3.5. "
            "Check that this is the script of this take.",
            field="transcript",
        )
    stored = normalise_loudness(
        trim_silence(resample(audio, rate, STORED_RATE), STORED_RATE), STORED_RATE
    )
    return CleanRecording(
        data=to_flac(stored, STORED_RATE),
        kind=kind,
        seconds=stored.size / STORED_RATE,
        speech_seconds=spoken,
        source_rate=rate,
        source_loudness=source_loudness,
        words=words,
    )


def waveform(data: bytes) -> bytes:
    """A PNG of a stored recording's waveform."""
    audio, _rate = read_audio(data)
    return waveform_png(audio)
