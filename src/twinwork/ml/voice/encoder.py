"""Speaker embeddings from the packaged ``resemblyzer`` encoder (GE2E, 256 dimensions).

The network and its weights are resemblyzer's own (``pretrained.pt`` in the package). Its
``audio`` module imports librosa, which has no release for this Python with this numpy, so the
40-band mel spectrogram it feeds the network is computed here with the same parameters (25 ms
Hann windows every 10 ms at 16 kHz, Slaney mel filters), and the package's Python modules are
never imported: only its weights file is read.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from twinwork.ml.voice.signal import Audio, resample, trim_silence

RATE = 16_000
WINDOW = 400
HOP = 160
MELS = 40
PARTIAL_FRAMES = 160
"""1.6 s per partial utterance, as the encoder was trained."""
PARTIALS_PER_SECOND = 1.3
HIDDEN = 256
LAYERS = 3
TARGET_DBFS = -30.0

Embedding = npt.NDArray[np.float32]


def weights_path() -> Path:
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the speaker encoder needs the 'resemblyzer' package (its weights)")
    return Path(next(iter(spec.submodule_search_locations))) / "pretrained.pt"


def _hz_to_mel(hz: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    f_sp = 200.0 / 3
    mels = hz / f_sp
    min_log_hz, logstep = 1000.0, np.log(6.4) / 27.0
    min_log_mel = min_log_hz / f_sp
    log_part = min_log_mel + np.log(np.maximum(hz, 1e-10) / min_log_hz) / logstep
    return np.where(hz >= min_log_hz, log_part, mels)


def _mel_to_hz(mels: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    f_sp = 200.0 / 3
    freqs = f_sp * mels
    min_log_hz, logstep = 1000.0, np.log(6.4) / 27.0
    min_log_mel = min_log_hz / f_sp
    return np.where(mels >= min_log_mel, min_log_hz * np.exp(logstep * (mels - min_log_mel)), freqs)


@lru_cache(maxsize=1)
def mel_filters() -> npt.NDArray[np.float64]:
    """Slaney-style triangular filters, area-normalised (librosa's default ``mel``)."""
    fft_freqs = np.linspace(0, RATE / 2, 1 + WINDOW // 2)
    edges = _mel_to_hz(
        np.linspace(_hz_to_mel(np.array(0.0)), _hz_to_mel(np.array(RATE / 2)), MELS + 2)
    )
    widths = np.diff(edges)
    ramps = np.subtract.outer(edges, fft_freqs)
    weights = np.zeros((MELS, fft_freqs.size))
    for i in range(MELS):
        lower = -ramps[i] / widths[i]
        upper = ramps[i + 2] / widths[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (edges[2 : MELS + 2] - edges[:MELS]))[:, None]
    return weights


def mel_spectrogram(audio: Audio) -> npt.NDArray[np.float32]:
    """(frames, 40) mel power spectrogram of 16 kHz audio, frames centred as librosa does."""
    padded = np.pad(audio.astype(np.float64), WINDOW // 2)
    count = 1 + (padded.size - WINDOW) // HOP
    if count <= 0:
        return np.zeros((0, MELS), dtype=np.float32)
    index = np.arange(WINDOW)[None, :] + HOP * np.arange(count)[:, None]
    window = np.hanning(WINDOW + 1)[:-1]  # periodic Hann
    power = np.abs(np.fft.rfft(padded[index] * window, axis=1)) ** 2
    return (power @ mel_filters().T).astype(np.float32)


def prepare(audio: Audio, rate: int) -> Audio:
    """16 kHz, silences trimmed, quiet audio raised to the encoder's level."""
    wav = trim_silence(resample(audio, rate, RATE), RATE)
    if wav.size == 0:
        return wav
    rms = float(np.sqrt(np.mean(wav.astype(np.float64) ** 2)))
    if rms > 0:
        change = TARGET_DBFS - 20 * np.log10(rms)
        if change > 0:
            wav = (wav * 10 ** (change / 20)).astype(np.float32)
    return wav


class SpeakerEncoder:
    def __init__(self, weights: Path | None = None) -> None:
        import torch

        self._torch = torch
        self.lstm = torch.nn.LSTM(MELS, HIDDEN, LAYERS, batch_first=True)
        self.linear = torch.nn.Linear(HIDDEN, HIDDEN)
        checkpoint: dict[str, Any] = torch.load(
            weights or weights_path(), map_location="cpu", weights_only=True
        )
        state = checkpoint["model_state"]
        self.lstm.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("lstm.")})
        self.linear.load_state_dict({k[7:]: v for k, v in state.items() if k.startswith("linear.")})
        self.lstm.eval()
        self.linear.eval()
        self._lock = threading.Lock()

    def embed(self, audio: Audio, rate: int) -> Embedding:
        """One utterance: the L2-normalised mean of its overlapping 1.6 s partials."""
        wav = prepare(audio, rate)
        if wav.size < RATE // 4:
            raise ValueError("too little speech to recognise a voice (under a quarter second)")
        frames = int(np.ceil((wav.size + 1) / HOP))
        step = max(int(round(RATE / PARTIALS_PER_SECOND / HOP)), 1)
        starts = list(range(0, max(1, frames - PARTIAL_FRAMES + step + 1), step))
        last_cover = (wav.size - starts[-1] * HOP) / (PARTIAL_FRAMES * HOP)
        if last_cover < 0.75 and len(starts) > 1:
            starts.pop()
        needed = (starts[-1] + PARTIAL_FRAMES) * HOP
        if needed > wav.size:
            wav = np.pad(wav, (0, needed - wav.size))
        mel = mel_spectrogram(wav)
        batch = np.stack([mel[s : s + PARTIAL_FRAMES] for s in starts])
        torch = self._torch
        with self._lock, torch.no_grad():
            _, (hidden, _) = self.lstm(torch.from_numpy(batch))
            raw = torch.relu(self.linear(hidden[-1]))
            partials = raw / torch.norm(raw, dim=1, keepdim=True).clamp_min(1e-9)
        mean = partials.mean(dim=0).numpy()
        return np.asarray(mean / max(float(np.linalg.norm(mean)), 1e-9), dtype=np.float32)

    def embed_many(self, items: Sequence[tuple[Audio, int]]) -> list[Embedding]:
        return [self.embed(audio, rate) for audio, rate in items]


def similarity(a: Embedding, b: Embedding) -> float:
    return float(np.dot(a, b) / max(float(np.linalg.norm(a) * np.linalg.norm(b)), 1e-9))


def centroid(embeddings: Sequence[Embedding]) -> Embedding:
    mean = np.mean(np.stack(embeddings), axis=0)
    return np.asarray(mean / max(float(np.linalg.norm(mean)), 1e-9), dtype=np.float32)


_encoder: SpeakerEncoder | None = None
_encoder_lock = threading.Lock()


def speaker_encoder() -> SpeakerEncoder:
    global _encoder
    with _encoder_lock:
        if _encoder is None:
            _encoder = SpeakerEncoder()
        return _encoder
