"""WORLD analysis and synthesis (``pyworld``) with mel-cepstral features (``pysptk``).

A frame every ``FRAME_PERIOD_MS``: F0 (DIO refined by StoneMask), the spectral envelope as a
mel-cepstrum (all-pass warped, ``MCEP_ORDER`` coefficients after c0) and the band
aperiodicity WORLD codes in a few bands. Conversion changes these, synthesis turns them back
into a waveform.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

FRAME_PERIOD_MS = 5.0
MCEP_ORDER = 24
F0_FLOOR = 60.0
F0_CEIL = 500.0

Array = npt.NDArray[np.float64]

_lock = threading.Lock()
_modules: dict[str, ModuleType] = {}


def _pyworld() -> ModuleType:
    """``pyworld``'s compiled module. Its package ``__init__`` only reads its own version
    through ``pkg_resources`` (gone from recent setuptools), so where that import fails the
    extension is loaded on its own: it needs nothing from the package."""
    with _lock:
        if "pyworld" in _modules:
            return _modules["pyworld"]
        try:
            module = importlib.import_module("pyworld")
        except ModuleNotFoundError as exc:
            if exc.name != "pkg_resources":
                raise
            spec = importlib.util.find_spec("pyworld")
            if spec is None or not spec.submodule_search_locations:
                raise
            folder = Path(next(iter(spec.submodule_search_locations)))
            binary = next(folder.glob("pyworld*.so"), None) or next(folder.glob("pyworld*.pyd"))
            ext = importlib.util.spec_from_file_location("pyworld.pyworld", binary)
            assert ext is not None and ext.loader is not None
            module = importlib.util.module_from_spec(ext)
            ext.loader.exec_module(module)
        _modules["pyworld"] = module
        return module


def _pysptk() -> ModuleType:
    return importlib.import_module("pysptk")


def mcep_alpha(rate: int) -> float:
    """The all-pass constant that approximates the mel scale at ``rate``."""
    return float(_pysptk().util.mcepalpha(rate))


@lru_cache(maxsize=8)
def _warp_matrices(rate: int, order: int, fft_size: int) -> tuple[Array, Array]:
    """``pysptk``'s ``sp2mc`` and ``mc2sp`` as matrices on the log spectrum.

    Both are linear there (a cepstrum, then the all-pass frequency warping ``freqt``), so
    applying them once to each basis vector gives matrices that convert a whole utterance
    in one product: the same numbers, tens of times faster than frame by frame.
    """
    sptk = _pysptk()
    alpha = mcep_alpha(rate)
    bins = fft_size // 2 + 1
    to_mcep = np.asarray(sptk.sp2mc(np.exp(np.eye(bins)), order=order, alpha=alpha))
    to_log_spectrum = np.log(
        np.asarray(sptk.mc2sp(np.ascontiguousarray(np.eye(order + 1)), alpha, fft_size))
    )
    return to_mcep, to_log_spectrum


def envelope_to_mcep(envelope: Array, rate: int, order: int) -> Array:
    fft_size = 2 * (envelope.shape[1] - 1)
    to_mcep, _ = _warp_matrices(rate, order, fft_size)
    return np.log(np.maximum(envelope, 1e-300)) @ to_mcep


def mcep_to_envelope(mcep: Array, rate: int, fft_size: int) -> Array:
    _, to_log_spectrum = _warp_matrices(rate, mcep.shape[1] - 1, fft_size)
    return np.exp(mcep @ to_log_spectrum)


@dataclass(frozen=True)
class Features:
    rate: int
    f0: Array
    """Hz per frame, 0 where unvoiced."""
    mcep: Array
    """(frames, MCEP_ORDER + 1): c0 (energy) then the envelope's shape."""
    coded_ap: Array
    """(frames, bands): band aperiodicity in dB (0 = fully aperiodic)."""

    @property
    def frames(self) -> int:
        return int(self.f0.shape[0])

    @property
    def voiced(self) -> npt.NDArray[np.bool_]:
        return self.f0 > 0


def analyse(audio: npt.NDArray[np.floating[Any]], rate: int, order: int = MCEP_ORDER) -> Features:
    world = _pyworld()
    x = np.ascontiguousarray(audio, dtype=np.float64)
    f0, times = world.dio(x, rate, f0_floor=F0_FLOOR, f0_ceil=F0_CEIL, frame_period=FRAME_PERIOD_MS)
    f0 = world.stonemask(x, f0, times, rate)
    envelope = world.cheaptrick(x, f0, times, rate, f0_floor=F0_FLOOR)
    aperiodicity = world.d4c(x, f0, times, rate)
    mcep = envelope_to_mcep(np.asarray(envelope), rate, order)
    coded = world.code_aperiodicity(aperiodicity, rate)
    return Features(rate, np.asarray(f0), np.asarray(mcep), np.asarray(coded))


def synthesise(features: Features) -> npt.NDArray[np.float32]:
    world = _pyworld()
    fft_size = int(world.get_cheaptrick_fft_size(features.rate, F0_FLOOR))
    envelope = np.ascontiguousarray(mcep_to_envelope(features.mcep, features.rate, fft_size))
    aperiodicity = world.decode_aperiodicity(
        np.ascontiguousarray(np.minimum(features.coded_ap, 0.0)), features.rate, fft_size
    )
    f0 = np.ascontiguousarray(features.f0, dtype=np.float64)
    out = world.synthesize(f0, envelope, aperiodicity, features.rate, FRAME_PERIOD_MS)
    return np.asarray(out, dtype=np.float32)


def log_f0_stats(f0: Array) -> tuple[float, float]:
    """Mean and standard deviation of log F0 over voiced frames."""
    voiced = f0[f0 > 0]
    if voiced.size < 2:
        raise ValueError("no voiced speech found: the recording has no audible pitch")
    logs = np.log(voiced)
    return float(logs.mean()), float(max(logs.std(), 1e-3))


def speech_frames(features: Features, below_peak_db: float = 40.0) -> npt.NDArray[np.bool_]:
    """Frames whose energy (c0) is within ``below_peak_db`` of the loud ones."""
    c0 = features.mcep[:, 0]
    if c0.size == 0:
        return np.zeros(0, dtype=bool)
    # c0 is a natural-log gain: 20 / ln(10) dB per unit.
    db = c0 * (20.0 / np.log(10.0))
    return db > np.percentile(db, 95) - below_peak_db  # type: ignore[no-any-return]
