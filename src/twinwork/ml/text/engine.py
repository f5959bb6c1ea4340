"""Process-wide text generation: one base model, many freelancers' adapters.

Decoding this model on CPU is bound by memory bandwidth (every token reads every weight), so
the engine serves from one half-precision copy of the base (half the bytes, same perplexity)
and merges the requested adapter into it in place, instead of PEFT's per-layer side branch or
one merged copy per adapter. Switching adapters rebuilds the merged weights from a pristine copy
of the touched layers (about 0.05 s), so no rounding drift accumulates however often adapters
alternate, and memory stays one model whatever the number of adapters.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Collection
from pathlib import Path
from typing import Any

import torch

from twinwork.ml.text.adapter import LoraAdapter, read_adapter
from twinwork.ml.text.base import BaseModelRef
from twinwork.ml.text.loading import load_model, load_tokenizer
from twinwork.ml.text.prompt import prompt_ids
from twinwork.ml.text.result import GENERATION_MAX_NEW_TOKENS
from twinwork.ml.text.runtime import device

TOP_P = 0.9
# Small models fall into loops ("the sea, the sea, the sea"); a mild penalty on tokens already
# written keeps them out without pushing the text off-topic.
REPETITION_PENALTY = 1.15


class TextEngine:
    """Process-wide multi-adapter engine: the base model is loaded once; adapters are loaded by key
    and kept in a small LRU; generation is serialised with a lock (thread-safe)."""

    def __init__(self, base: BaseModelRef, *, max_adapters: int = 4) -> None:
        if max_adapters < 1:
            raise ValueError("max_adapters must be positive")
        self.base = base
        self.max_adapters = max_adapters
        self._lock = threading.Lock()
        self._device = device()
        self._tokenizer: Any = load_tokenizer(base)
        model: Any = load_model(base)
        self.dtype = _serving_dtype(model, self._device)
        self.model: Any = model.to(self.dtype).eval()
        self._adapters: OrderedDict[str, LoraAdapter] = OrderedDict()
        self._pristine: dict[str, torch.Tensor] = {}
        self._scratch: torch.Tensor | None = None
        # Key of the adapter merged into the weights now; None is the plain base. _DIRTY marks a
        # merge that did not finish, so the next request restores every touched layer first.
        self._active: str | None = None
        self._stop_ids = {
            int(t)
            for t in (self._tokenizer.eos_token_id, self._tokenizer.pad_token_id)
            if t is not None
        }
        end_of_text = self._tokenizer.convert_tokens_to_ids("<|endoftext|>")
        if isinstance(end_of_text, int) and end_of_text != self._tokenizer.unk_token_id:
            self._stop_ids.add(end_of_text)

    def generate(
        self,
        brief: str,
        *,
        adapter_dir: Path | None,
        adapter_key: str | None = None,
        max_new_tokens: int = GENERATION_MAX_NEW_TOKENS,
        seed: int | None = None,
        temperature: float = 0.8,
        stop_at_eos: bool = True,
    ) -> str:
        """Answer ``brief`` with the adapter in ``adapter_dir`` (None: the plain base model).

        ``adapter_key`` names the adapter in the cache (e.g. a model version id); by default it
        is the directory and the file's mtime. The same seed gives the same text.
        ``stop_at_eos=False`` always writes ``max_new_tokens`` tokens (benchmarks time a fixed
        length that way).
        """
        if max_new_tokens < 1:
            raise ValueError("max_new_tokens must be positive")
        generator = torch.Generator(device="cpu")
        # A private generator: sampling must not disturb a training run's global RNG state in
        # another thread of the same process.
        generator.manual_seed(seed if seed is not None else int.from_bytes(os.urandom(8), "big"))
        ids = prompt_ids(self._tokenizer, brief)
        with self._lock:
            key = None
            if adapter_dir is not None:
                key = adapter_key or _default_key(adapter_dir)
                self._load(key, adapter_dir)
            self._activate(key)
            stops = self._stop_ids if stop_at_eos else frozenset()
            new = self._decode(ids, max_new_tokens, temperature, generator, stops)
        return str(self._tokenizer.decode(new, skip_special_tokens=True)).strip()

    def evict(self, adapter_key: str) -> None:
        """Forget an adapter (model erasure): its weights leave memory and the serving weights."""
        with self._lock:
            if self._active == adapter_key:
                self._restore()
            self._adapters.pop(adapter_key, None)

    @property
    def adapter_keys(self) -> list[str]:
        with self._lock:
            return list(self._adapters)

    def _load(self, key: str, adapter_dir: Path) -> None:
        if key in self._adapters:
            self._adapters.move_to_end(key)
            return
        adapter = read_adapter(adapter_dir)
        for name, factors in adapter.layers.items():
            module = self.model.get_submodule(name)
            if not isinstance(module, torch.nn.Linear):
                raise ValueError(f"adapter targets {name}, which is not a linear layer")
            if factors.shape != tuple(module.weight.shape):
                raise ValueError(f"adapter does not fit this base model at {name}")
        self._adapters[key] = adapter
        while len(self._adapters) > self.max_adapters:
            old, _ = self._adapters.popitem(last=False)
            if self._active == old:
                self._restore()

    @torch.inference_mode()
    def _activate(self, key: str | None) -> None:
        if self._active == key:
            return
        self._restore()
        if key is None:
            return
        self._active = _DIRTY
        layers = self._adapters[key].layers
        largest = max(self.model.get_submodule(name).weight.numel() for name in layers)
        if self._scratch is None or self._scratch.numel() < largest:
            self._scratch = torch.empty(largest, dtype=torch.float32, device=self._device)
        for name, factors in layers.items():
            weight = self.model.get_submodule(name).weight
            if name not in self._pristine:
                self._pristine[name] = weight.detach().clone()
            factors.merge(self._pristine[name], weight, self._scratch)
        self._active = key

    @torch.inference_mode()
    def _restore(self) -> None:
        if self._active is not None:
            for name, pristine in self._pristine.items():
                self.model.get_submodule(name).weight.copy_(pristine)
        self._active = None

    @torch.inference_mode()
    def _decode(
        self,
        ids: list[int],
        max_new_tokens: int,
        temperature: float,
        generator: torch.Generator,
        stops: Collection[int],
    ) -> list[int]:
        # A hand-written loop instead of `generate`: it samples from a private generator and
        # skips the per-step logits-processor machinery, which matters at ~20 ms per token.
        out = self.model(
            input_ids=torch.tensor([ids], device=self._device), use_cache=True, logits_to_keep=1
        )
        new: list[int] = []
        for _ in range(max_new_tokens):
            token = _sample(out.logits[0, -1].float().cpu(), new, temperature, generator)
            if token in stops:
                break
            new.append(token)
            out = self.model(
                input_ids=torch.tensor([[token]], device=self._device),
                past_key_values=out.past_key_values,
                use_cache=True,
                logits_to_keep=1,
            )
        return new


_DIRTY = "\0dirty"


def _sample(
    logits: torch.Tensor, previous: list[int], temperature: float, generator: torch.Generator
) -> int:
    if previous:
        seen = torch.tensor(sorted(set(previous)))
        values = logits[seen]
        logits[seen] = torch.where(
            values > 0, values / REPETITION_PENALTY, values * REPETITION_PENALTY
        )
    if temperature <= 0:
        return int(logits.argmax())
    probs = torch.softmax(logits / temperature, dim=-1)
    sorted_probs, order = torch.sort(probs, descending=True)
    # Nucleus sampling: drop the long tail of unlikely tokens that makes small models ramble.
    keep = torch.cumsum(sorted_probs, dim=-1) - sorted_probs < TOP_P
    sorted_probs = sorted_probs * keep
    choice = torch.multinomial(sorted_probs / sorted_probs.sum(), 1, generator=generator)
    return int(order[choice])


def _serving_dtype(model: Any, run_device: torch.device) -> torch.dtype:
    """fp16 where it is faster than fp32 for this model's largest matrix, else fp32.

    On CUDA always; on CPUs with AVX-512 (as here) fp16 weights halve the memory read per token
    (~2.8x faster decoding, perplexity unchanged); a CPU without fast fp16 kernels keeps fp32.
    """
    if run_device.type == "cuda":
        return torch.float16
    weight = model.get_output_embeddings().weight.detach()
    x = torch.randn(1, weight.shape[1])

    def timing(w: torch.Tensor) -> float:
        xi = x.to(w.dtype)
        torch.nn.functional.linear(xi, w)
        started = time.perf_counter()
        for _ in range(3):
            torch.nn.functional.linear(xi, w)
        return time.perf_counter() - started

    with torch.inference_mode():
        fp32 = timing(weight)
        fp16 = timing(weight.to(torch.float16))
    return torch.float16 if fp16 < fp32 * 0.8 else torch.float32


def _default_key(adapter_dir: Path) -> str:
    weights = adapter_dir / "adapter_model.safetensors"
    return f"{adapter_dir.resolve()}@{weights.stat().st_mtime_ns}"


_engines: dict[Path, TextEngine] = {}
_engines_lock = threading.Lock()


def get_engine(base: BaseModelRef) -> TextEngine:
    """The process-wide engine for this base model, loaded on first use."""
    key = base.path.resolve()
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = TextEngine(base)
        return engine


def evict_everywhere(adapter_key: str) -> None:
    """Forget an adapter in every engine of this process (model erasure)."""
    with _engines_lock:
        engines = list(_engines.values())
    for engine in engines:
        engine.evict(adapter_key)
