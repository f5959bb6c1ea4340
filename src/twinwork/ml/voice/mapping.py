"""The personal voice: a conversion from the base voice to the freelancer's, learned from the
same scripts said by both.

- Spectral envelope: a small neural network (torch) maps the base voice's mel-cepstrum, with
  two frames of context each side, to the freelancer's (a residual on the base's frame),
  trained on frames paired by dynamic time warping; its output's per-coefficient spread is
  then matched to the freelancer's (global variance), which undoes the averaging that makes
  converted speech sound muffled.
- Pitch: log-F0 mean and spread (voiced frames), moved from the base's to the freelancer's.
- Aperiodicity: each coded band's mean and spread on voiced frames, likewise.
- Speaking rate: the base voice's length scale, from how long the freelancer takes to say what
  the base says (speech only, pauses trimmed).

At run time the network is a few matrix products in numpy: the artifact is ``mapping.npz``
(weights and statistics, no pickle) and ``voice.json`` (what was learned, readable).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from twinwork.ml.voice.world import Features, log_f0_stats

CONTEXT = 2
"""Frames each side fed to the network with the frame itself."""
MAPPING_FILE = "mapping.npz"
VOICE_FILE = "voice.json"

FloatArray = npt.NDArray[np.float64]


def stack_context(mcep: FloatArray, context: int = CONTEXT) -> FloatArray:
    """(frames, dims) -> (frames, dims * (2 * context + 1)), edges repeated."""
    padded = np.pad(mcep, ((context, context), (0, 0)), mode="edge")
    return np.concatenate([padded[i : i + mcep.shape[0]] for i in range(2 * context + 1)], axis=1)


@dataclass
class VoiceMapping:
    """Everything the conversion needs, in plain arrays and numbers."""

    rate: int
    order: int
    source_lf0: tuple[float, float]
    target_lf0: tuple[float, float]
    source_ap: list[tuple[float, float]]
    target_ap: list[tuple[float, float]]
    length_scale: float
    weights: list[FloatArray] = field(default_factory=list)
    """Layer matrices and biases, alternating: w1, b1, w2, b2, w3, b3."""
    in_mean: FloatArray = field(default_factory=lambda: np.zeros(0))
    in_std: FloatArray = field(default_factory=lambda: np.ones(0))
    out_mean: FloatArray = field(default_factory=lambda: np.zeros(0))
    out_std: FloatArray = field(default_factory=lambda: np.ones(0))
    gv_target: FloatArray = field(default_factory=lambda: np.ones(0))
    gv_converted: FloatArray = field(default_factory=lambda: np.ones(0))
    summary: dict[str, float] = field(default_factory=dict)

    # ---- applying it -------------------------------------------------------------------

    def envelope(self, mcep: FloatArray) -> FloatArray:
        """The freelancer's mel-cepstrum for each base frame; c0 (energy) is kept."""
        shape = mcep[:, 1:]
        if not self.weights or shape.shape[0] == 0:
            return mcep.copy()
        h = (stack_context(shape) - self.in_mean) / self.in_std
        w1, b1, w2, b2, w3, b3 = self.weights
        h = np.tanh(h @ w1 + b1)
        h = np.tanh(h @ w2 + b2)
        delta = (h @ w3 + b3) * self.out_std + self.out_mean
        converted = shape + delta
        # Global variance: the spread of each coefficient over the utterance, as the
        # freelancer's, around the converted mean.
        mean = converted.mean(axis=0)
        scale = np.clip(self.gv_target / np.maximum(self.gv_converted, 1e-6), 0.5, 2.5)
        converted = (converted - mean) * scale + mean
        return np.concatenate([mcep[:, :1], converted], axis=1)

    def pitch(self, f0: FloatArray) -> FloatArray:
        out = np.zeros_like(f0)
        voiced = f0 > 0
        (sm, ss), (tm, ts) = self.source_lf0, self.target_lf0
        out[voiced] = np.exp((np.log(f0[voiced]) - sm) / ss * ts + tm)
        return out

    def aperiodicity(self, coded: FloatArray, voiced: npt.NDArray[np.bool_]) -> FloatArray:
        out = coded.copy()
        for band in range(min(coded.shape[1], len(self.source_ap))):
            (sm, ss), (tm, ts) = self.source_ap[band], self.target_ap[band]
            column = out[voiced, band]
            out[voiced, band] = np.minimum((column - sm) / ss * ts + tm, 0.0)
        return out

    def convert(self, features: Features) -> Features:
        return Features(
            rate=features.rate,
            f0=self.pitch(features.f0),
            mcep=self.envelope(features.mcep),
            coded_ap=self.aperiodicity(features.coded_ap, features.voiced),
        )

    # ---- storing it ----------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        arrays = {f"w{i}": w for i, w in enumerate(self.weights)}
        arrays.update(
            in_mean=self.in_mean,
            in_std=self.in_std,
            out_mean=self.out_mean,
            out_std=self.out_std,
            gv_target=self.gv_target,
            gv_converted=self.gv_converted,
        )
        with (directory / MAPPING_FILE).open("wb") as handle:
            np.savez(handle, **arrays)  # type: ignore[arg-type]
        (directory / VOICE_FILE).write_text(
            json.dumps(self.describe(), indent=2, sort_keys=True), encoding="utf-8"
        )

    def describe(self) -> dict[str, object]:
        """``voice.json``: the numbers that say what was learned, in units people read."""
        return {
            "format": "twinwork.voice-mapping/v1",
            "rate": self.rate,
            "order": self.order,
            "source_lf0": list(self.source_lf0),
            "target_lf0": list(self.target_lf0),
            "source_ap": [list(x) for x in self.source_ap],
            "target_ap": [list(x) for x in self.target_ap],
            "length_scale": self.length_scale,
            "base_pitch_hz": round(float(np.exp(self.source_lf0[0])), 1),
            "pitch_hz": round(float(np.exp(self.target_lf0[0])), 1),
            "summary": self.summary,
        }

    @classmethod
    def load(cls, directory: Path) -> VoiceMapping:
        info = json.loads((directory / VOICE_FILE).read_text(encoding="utf-8"))
        if info.get("format") != "twinwork.voice-mapping/v1":
            raise ValueError(f"{directory} holds no voice mapping this version can read")
        with np.load(directory / MAPPING_FILE, allow_pickle=False) as data:
            weights = [np.asarray(data[f"w{i}"]) for i in range(6) if f"w{i}" in data]
            arrays = {k: np.asarray(data[k]) for k in data.files if not k.startswith("w")}
        return cls(
            rate=int(info["rate"]),
            order=int(info["order"]),
            source_lf0=(float(info["source_lf0"][0]), float(info["source_lf0"][1])),
            target_lf0=(float(info["target_lf0"][0]), float(info["target_lf0"][1])),
            source_ap=[(float(a), float(b)) for a, b in info["source_ap"]],
            target_ap=[(float(a), float(b)) for a, b in info["target_ap"]],
            length_scale=float(info["length_scale"]),
            weights=weights,
            summary=dict(info.get("summary", {})),
            **arrays,
        )


def band_stats(coded: FloatArray, voiced: npt.NDArray[np.bool_]) -> list[tuple[float, float]]:
    rows = coded[voiced] if voiced.any() else coded
    return [
        (float(rows[:, b].mean()), float(max(rows[:, b].std(), 1e-3)))
        for b in range(coded.shape[1])
    ]


def pitch_stats(features: list[Features]) -> tuple[float, float]:
    return log_f0_stats(np.concatenate([f.f0 for f in features]))


def as_dict(mapping: VoiceMapping) -> dict[str, object]:
    data = asdict(mapping)
    data.pop("weights")
    return data
