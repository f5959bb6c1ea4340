"""Plain signal helpers for speech: resampling, loudness, silence, clipping, WAV/MP3 bytes.

Everything works on mono float arrays in [-1, 1]. Loudness follows ITU-R BS.1770 / EBU R128
(``pyloudnorm``), so a recording and a generated narration sit at the same programme loudness.
"""

from __future__ import annotations

import io
from fractions import Fraction

import numpy as np
import numpy.typing as npt

Audio = npt.NDArray[np.float32]
Mask = npt.NDArray[np.bool_]

TARGET_LUFS = -20.0
"""Programme loudness for stored recordings and narrations: EBU R128 broadcast is -23, spoken
word for the web sits near -16..-20; -20 leaves headroom for peaks without a limiter."""
PEAK_CEILING = 0.89
"""About -1 dBFS: no sample of a normalised file reaches full scale."""
CLIP_LEVEL = 0.999
"""A sample at or over this magnitude is counted as clipped."""
FRAME_SECONDS = 0.02


def as_mono(data: npt.NDArray[np.floating]) -> Audio:
    """Average the channels of a (frames, channels) array; a 1-D array is already mono."""
    array = np.asarray(data, dtype=np.float32)
    if array.ndim == 2:
        array = array.mean(axis=1)
    return np.ascontiguousarray(array, dtype=np.float32)


def resample(audio: Audio, rate: int, target: int) -> Audio:
    """Polyphase resampling (anti-aliased); exact for any pair of integer rates."""
    if rate == target or audio.size == 0:
        return audio.astype(np.float32, copy=False)
    from scipy.signal import resample_poly  # type: ignore[import-untyped]  # no stubs

    ratio = Fraction(target, rate)
    out = resample_poly(audio.astype(np.float64), ratio.numerator, ratio.denominator)
    return np.asarray(out, dtype=np.float32)


def loudness(audio: Audio, rate: int) -> float:
    """Integrated loudness in LUFS; -inf for silence or audio shorter than one 400 ms block."""
    import pyloudnorm  # type: ignore[import-untyped]  # no stubs

    if audio.size < int(0.4 * rate) + 1:
        return float("-inf")
    return float(pyloudnorm.Meter(rate).integrated_loudness(audio.astype(np.float64)))


def normalise_loudness(audio: Audio, rate: int, target: float = TARGET_LUFS) -> Audio:
    """Gain to ``target`` LUFS, then scaled down if a peak would pass the ceiling."""
    measured = loudness(audio, rate)
    if not np.isfinite(measured):
        return audio
    out = audio * np.float32(10.0 ** ((target - measured) / 20.0))
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    if peak > PEAK_CEILING:
        out = out * np.float32(PEAK_CEILING / peak)
    return out.astype(np.float32)


def frame_energy_db(audio: Audio, rate: int, frame_seconds: float = FRAME_SECONDS) -> Audio:
    """RMS level of consecutive frames in dBFS."""
    size = max(int(rate * frame_seconds), 1)
    count = audio.size // size
    if count == 0:
        return np.zeros(0, dtype=np.float32)
    frames = audio[: count * size].reshape(count, size).astype(np.float64)
    rms = np.sqrt(np.mean(frames**2, axis=1)) + 1e-10
    return np.asarray(20.0 * np.log10(rms), dtype=np.float32)


def speech_mask(
    audio: Audio, rate: int, floor_db: float = -50.0, below_peak_db: float = 35.0
) -> Mask:
    """Per frame: True where the level is within ``below_peak_db`` of the loud frames and
    above an absolute floor (breaths and room tone are not speech)."""
    energy = frame_energy_db(audio, rate)
    if energy.size == 0:
        return np.zeros(0, dtype=np.bool_)
    reference = float(np.percentile(energy, 95))
    threshold = max(floor_db, reference - below_peak_db)
    return np.asarray(energy > threshold, dtype=np.bool_)


def speech_seconds(audio: Audio, rate: int) -> float:
    return float(np.count_nonzero(speech_mask(audio, rate))) * FRAME_SECONDS


def trim_silence(
    audio: Audio, rate: int, keep_seconds: float = 0.15, max_gap_seconds: float = 0.6
) -> Audio:
    """Drop leading and trailing silence (keeping a short margin) and shorten long pauses inside
    to ``max_gap_seconds``, so a recording's length is its speech."""
    mask = speech_mask(audio, rate)
    if not mask.any():
        return audio[:0]
    size = int(rate * FRAME_SECONDS)
    keep = np.array(mask, dtype=bool)
    margin = max(int(keep_seconds / FRAME_SECONDS), 0)
    speech = np.flatnonzero(mask)
    # Keep short pauses whole and at most max_gap of each long one (its middle is cut).
    gap_frames = int(max_gap_seconds / FRAME_SECONDS)
    for start, end in zip(speech[:-1], speech[1:], strict=True):
        gap = end - start - 1
        if gap <= 0:
            continue
        if gap <= gap_frames:
            keep[start + 1 : end] = True
        else:
            half = gap_frames // 2
            keep[start + 1 : start + 1 + half] = True
            keep[end - half : end] = True
    first, last = max(speech[0] - margin, 0), min(speech[-1] + margin, mask.size - 1)
    keep[first : speech[0]] = True
    keep[speech[-1] : last + 1] = True
    samples = np.repeat(keep, size)
    tail = audio.size - samples.size
    if tail > 0:
        samples = np.concatenate([samples, np.full(tail, bool(keep[-1]))])
    return np.ascontiguousarray(audio[samples], dtype=np.float32)


def clipped_fraction(audio: Audio) -> float:
    if audio.size == 0:
        return 0.0
    return float(np.count_nonzero(np.abs(audio) >= CLIP_LEVEL)) / audio.size


def to_wav(audio: Audio, rate: int, subtype: str = "PCM_16") -> bytes:
    import soundfile  # type: ignore[import-untyped,unused-ignore]  # no stubs

    buffer = io.BytesIO()
    soundfile.write(buffer, np.clip(audio, -1.0, 1.0), rate, format="WAV", subtype=subtype)
    return buffer.getvalue()


def to_flac(audio: Audio, rate: int) -> bytes:
    import soundfile  # type: ignore[import-untyped,unused-ignore]  # no stubs

    buffer = io.BytesIO()
    soundfile.write(buffer, np.clip(audio, -1.0, 1.0), rate, format="FLAC", subtype="PCM_16")
    return buffer.getvalue()


def to_mp3(audio: Audio, rate: int, kbps: int = 128) -> bytes:
    """Mono MP3 at a constant bit rate (LAME, through ``lameenc``)."""
    import lameenc  # type: ignore[import-not-found,unused-ignore]  # no stubs

    encoder = lameenc.Encoder()
    encoder.set_bit_rate(kbps)
    encoder.set_in_sample_rate(rate)
    encoder.set_channels(1)
    encoder.set_quality(5)
    pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
    return bytes(encoder.encode(pcm) + encoder.flush())


def read_audio(path_or_bytes: object) -> tuple[Audio, int]:
    """Mono float32 samples and the rate of a file soundfile can read (WAV, FLAC, OGG, MP3)."""
    import soundfile  # type: ignore[import-untyped,unused-ignore]  # no stubs

    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    data, rate = soundfile.read(source, dtype="float32", always_2d=False)
    return as_mono(data), int(rate)
