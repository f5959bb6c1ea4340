"""Process-wide text generation: one base model, many freelancers' adapters in one batch.

Every text generation runs here: previews, purchases, the assistant and evaluation. The base
is loaded once per process in its serving precision (fp16 where that is faster, as on CPUs with
AVX-512: decoding is bound by reading weights); its linear layers carry an adapter bank
(``twinwork.ml.engine``), so requests for different freelancers' models decode together in one
continuously batched loop instead of waiting in line for a merge each. Adapters are keyed (by
content hash in production) and loaded into a free slot on first use; erasure wipes the slot.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import torch

from twinwork.ml.engine import MultiAdapterEngine, Request, Sampling
from twinwork.ml.engine.streaming import follow
from twinwork.ml.streaming import TextSink
from twinwork.ml.text.adapter import read_adapter
from twinwork.ml.text.base import BaseModelRef
from twinwork.ml.text.loading import load_model, load_tokenizer
from twinwork.ml.text.prompt import prompt_ids
from twinwork.ml.text.result import GENERATION_MAX_NEW_TOKENS
from twinwork.ml.text.runtime import device
from twinwork.ml.threads import in_passing_thread

TOP_P = 0.9
# Small models fall into loops ("the sea, the sea, the sea"); a mild penalty on tokens already
# written keeps them out without pushing the text off-topic. Only the answer's own tokens are
# penalised, never the brief's: those are the motifs the buyer asked for.
REPETITION_PENALTY = 1.15
# Slots in the adapter bank: requests for more distinct adapters than this at once wait for a
# slot; the rest stay in the CPU tier. The maximum rank is the largest `plan_training` picks
# (a test keeps them in step): 16 slots of rank 32 on SmolLM2-135M take 626 MB in fp32, the
# slots' precision on a CPU (`bank_dtype`), 313 MB in fp16 on CUDA.
SLOTS = 16
MAX_RANK = 32
MAX_BATCH = 16


class TextEngine:
    """The base model and its adapter bank, serving every request of this process in one batch.

    Thread-safe: callers in any thread submit and wait; one background thread decodes."""

    def __init__(
        self,
        base: BaseModelRef,
        *,
        slots: int = SLOTS,
        max_rank: int = MAX_RANK,
        max_batch: int = MAX_BATCH,
        cpu_capacity: int = 32,
        dtype: torch.dtype | None = None,
    ) -> None:
        self.base = base
        self._device = device()
        # Two tokenizers: fast tokenizers refuse concurrent use of one instance, and the loop
        # thread decodes while request threads encode.
        self._tokenizer: Any = load_tokenizer(base)
        self._encode_lock = threading.Lock()
        decoder: Any = load_tokenizer(base)

        stop_ids = {
            int(t)
            for t in (self._tokenizer.eos_token_id, self._tokenizer.pad_token_id)
            if t is not None
        }
        end_of_text = self._tokenizer.convert_tokens_to_ids("<|endoftext|>")
        if isinstance(end_of_text, int) and end_of_text != self._tokenizer.unk_token_id:
            stop_ids.add(end_of_text)

        def decode(ids: Sequence[int]) -> str:
            return str(decoder.decode(list(ids), skip_special_tokens=True))

        def serving_engine() -> tuple[Any, torch.dtype, MultiAdapterEngine]:
            model: Any = load_model(base)
            chosen = dtype or _serving_dtype(model, self._device)
            model = model.to(chosen).eval()
            engine = MultiAdapterEngine(
                model,
                decode=decode,
                stop_ids=stop_ids,
                base_model=base.model_id,
                slots=slots,
                max_rank=max_rank,
                max_batch=max_batch,
                cpu_capacity=cpu_capacity,
                dtype=bank_dtype(chosen, self._device),
            )
            return model, chosen, engine

        # Built in a passing thread: the caller's thread (a server's worker thread) would keep
        # the OpenMP pool of this work for good and slow every decode step of the batching
        # loop's thread (`in_passing_thread`).
        self.model, self.dtype, self.engine = in_passing_thread(serving_engine)

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
        top_p: float = TOP_P,
        repetition_penalty: float = REPETITION_PENALTY,
        min_new_tokens: int = 0,
        stop: Sequence[str] = (),
        timeout: float | None = None,
        sink: TextSink | None = None,
    ) -> str:
        """Answer ``brief`` with the adapter in ``adapter_dir`` (None: the plain base model).

        ``adapter_key`` names the adapter in the cache (e.g. its content hash); by default it is
        the directory and the file's mtime. The same seed gives the same text for the same
        logits (batch mates change the last bits of the arithmetic, rarely a sampled token).
        ``stop_at_eos=False`` always writes ``max_new_tokens`` tokens (benchmarks time a fixed
        length that way). Raises the engine's errors (``twinwork.ml.engine.errors``): an adapter
        refused at load, a prompt longer than the context. With a ``sink`` the text is also
        written into it as it comes, and cancelling the sink cancels the request
        (``RequestCancelled``).
        """
        request = self.submit(
            brief,
            adapter_dir=adapter_dir,
            adapter_key=adapter_key,
            sampling=Sampling(
                max_new_tokens=max_new_tokens,
                min_new_tokens=min_new_tokens,
                temperature=temperature,
                top_p=top_p,
                repetition_penalty=repetition_penalty,
                stop=tuple(stop),
                stop_at_eos=stop_at_eos,
                seed=seed,
            ),
        )
        if sink is not None:
            return follow(request, sink).text.strip()
        return request.result(timeout).text.strip()

    def submit(
        self,
        brief: str,
        *,
        adapter_dir: Path | None,
        adapter_key: str | None = None,
        sampling: Sampling | None = None,
    ) -> Request:
        """Start answering ``brief``; the handle streams the text (iterate it), waits for it
        (``result()``) or cancels it."""
        key = self.register(adapter_dir, adapter_key) if adapter_dir is not None else None
        with self._encode_lock:
            ids = prompt_ids(self._tokenizer, brief)
        return self.engine.submit(
            ids, key, sampling or Sampling(repetition_penalty=REPETITION_PENALTY)
        )

    def stream(
        self,
        brief: str,
        *,
        adapter_dir: Path | None,
        adapter_key: str | None = None,
        sampling: Sampling | None = None,
    ) -> Iterator[str]:
        """The answer in pieces as it is written; closing the iterator cancels the request."""
        request = self.submit(
            brief, adapter_dir=adapter_dir, adapter_key=adapter_key, sampling=sampling
        )
        try:
            yield from request
        finally:
            request.cancel()

    def register(self, adapter_dir: Path, adapter_key: str | None = None) -> str:
        """Tell the cache where adapter ``adapter_key`` lives; returns the key."""
        key = adapter_key or _default_key(adapter_dir)
        directory = Path(adapter_dir)
        self.engine.register(key, lambda: read_adapter(directory))
        return key

    def prefetch(self, adapter_dir: Path, adapter_key: str | None = None) -> bool:
        """Load an adapter ahead of its first request (a buyer opened the model's page)."""
        key = self.register(adapter_dir, adapter_key)
        # Slot copies are torch work: done in a passing thread, like the engine's construction.
        return in_passing_thread(lambda: self.engine.prefetch(key))

    def evict(self, adapter_key: str) -> None:
        """Forget an adapter (model erasure): its slot is wiped at once, its copies dropped, its
        running and queued requests fail."""
        in_passing_thread(lambda: self.engine.erase(adapter_key))

    @property
    def adapter_keys(self) -> list[str]:
        """Adapters in bank slots, least recently used first."""
        return self.engine.cache.resident()

    def close(self) -> None:
        self.engine.close()


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


def bank_dtype(serving: torch.dtype, run_device: torch.device) -> torch.dtype:
    """The precision of the adapter bank's slots beside a base served in ``serving``.

    On CUDA the serving precision. On a CPU fp32 even beside an fp16 base: torch has no fast
    CPU kernel for the gathered fp16 batched matmuls of distinct adapters, and a batch of 8
    rows on 8 adapters took 10.4 to 10.6 s with fp16 slots against 7.9 to 8.3 s with fp32 ones
    (bare base 5.3 to 5.5 s; docs/engine.md, "Sizes and settings"). The price is twice the
    memory per slot.
    """
    return serving if run_device.type == "cuda" else torch.float32


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


def loaded_engine(base: BaseModelRef) -> TextEngine | None:
    """This process's engine for ``base`` if it is loaded already; never loads one (a page
    view's prefetch must not start a base model)."""
    with _engines_lock:
        return _engines.get(base.path.resolve())


def evict_everywhere(adapter_key: str) -> None:
    """Forget an adapter in every engine of this process (model erasure)."""
    with _engines_lock:
        engines = list(_engines.values())
    for engine in engines:
        engine.evict(adapter_key)
