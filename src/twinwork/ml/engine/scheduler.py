"""Continuous batching: one background thread decodes every running request together.

Each request is a row of the batch with its own adapter slot, sampling settings, random
generator and stop conditions. Rows join between decode steps (their prompt is prefilled alone,
then its keys and values are left-padded into the batch's cache) and leave between steps
(finished, cancelled, or their adapter erased); the batch's cache is one Hugging Face
``DynamicCache`` whose rows carry their own positions and padding mask.

Callers submit from any thread and get a ``Request`` handle: ``result()`` blocks, iterating it
streams text as it is written, ``aresult()``/``astream()`` do the same for asyncio, ``cancel()``
makes the row leave at the next step.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import queue
import threading
from collections import deque
from collections.abc import AsyncIterator, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import torch

from twinwork.ml.engine.bank import NO_ADAPTER, AdapterBank
from twinwork.ml.engine.cache import AdapterCache, NoFreeSlot
from twinwork.ml.engine.errors import (
    AdapterErased,
    EngineClosed,
    PromptTooLong,
    RequestCancelled,
    UnknownAdapter,
)
from twinwork.ml.engine.sampling import Sampling, sample_rows

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Completion:
    text: str
    token_ids: tuple[int, ...]
    finish_reason: str
    """"stop" (end of text or a stop string) or "length" (max_new_tokens)."""
    prompt_tokens: int


_END = object()


class Request:
    """A submitted generation: wait for it, stream it, or cancel it. Thread-safe."""

    _ids = itertools.count(1)

    def __init__(self, prompt_ids: Sequence[int], adapter: str | None, sampling: Sampling):
        self.id = next(self._ids)
        self.prompt_ids = list(prompt_ids)
        self.adapter = adapter
        self.sampling = sampling
        self._events: queue.Queue[object] = queue.Queue()
        self._done = threading.Event()
        self._cancelled = threading.Event()
        self._completion: Completion | None = None
        self._error: BaseException | None = None

    def cancel(self) -> None:
        """Stop generating: the row leaves the batch at the next step (a client went away)."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def result(self, timeout: float | None = None) -> Completion:
        if not self._done.wait(timeout):
            raise TimeoutError(f"request {self.id} did not finish within {timeout} s")
        if self._error is not None:
            raise self._error
        assert self._completion is not None
        return self._completion

    def __iter__(self) -> Iterator[str]:
        """Text as it is written, in pieces; raises the request's error at the end, if any."""
        while True:
            event = self._events.get()
            if event is _END:
                break
            assert isinstance(event, str)
            yield event
        if self._error is not None:
            raise self._error

    async def aresult(self) -> Completion:
        return await asyncio.to_thread(self.result)

    async def astream(self) -> AsyncIterator[str]:
        """``__iter__`` for asyncio; stop iterating (or cancel the task) to cancel the row."""
        try:
            while True:
                event = await asyncio.to_thread(self._events.get)
                if event is _END:
                    break
                assert isinstance(event, str)
                yield event
        finally:
            if not self.done:
                self.cancel()
        if self._error is not None:
            raise self._error

    # ---- called by the scheduler thread -----------------------------------------------------

    def _emit(self, text: str) -> None:
        if text:
            self._events.put(text)

    def _finish(self, completion: Completion) -> None:
        self._completion = completion
        self._done.set()
        self._events.put(_END)

    def _fail(self, error: BaseException) -> None:
        self._error = error
        self._done.set()
        self._events.put(_END)


@dataclass(eq=False)
class _Row:
    request: Request
    slot: int
    generator: torch.Generator
    cached: int
    """Real (unpadded) tokens in the cache: the position of the next token fed."""
    pad: int = 0
    """Leading padding columns of this row in the batch cache."""
    tokens: list[int] = field(default_factory=list)
    sent: int = 0
    """Characters of the answer already streamed."""
    text: str = ""


class Scheduler:
    """Runs the model for every submitted request in one continuously batched loop.

    ``model`` is a Hugging Face causal LM whose target layers carry ``bank``; ``cache`` hands out
    the bank's slots by adapter key; ``decode`` turns token ids into text (for stop strings and
    streaming).
    """

    def __init__(
        self,
        model: Any,
        bank: AdapterBank,
        cache: AdapterCache,
        *,
        decode: Any,
        stop_ids: Collection[int],
        context_length: int,
        max_batch: int = 16,
        name: str = "twinwork-engine",
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be positive")
        self.model = model
        self.bank = bank
        self.cache = cache
        self.max_batch = max_batch
        self.context_length = context_length
        self._decode = decode
        self._stop_ids = frozenset(int(t) for t in stop_ids)
        self._device = next(model.parameters()).device
        self._pending: deque[Request] = deque()
        self._rows: list[_Row] = []
        self._kv: Any = None  # the batch's DynamicCache; None while no row runs
        self._erased: set[str] = set()
        self._wakeup = threading.Condition()
        # Held for every step and every change to the batch: erasure waits for the step in
        # flight, then wipes the slot and drops its rows before the next one.
        self.step_lock = threading.RLock()
        # Callers waiting for the batch between two steps (``between_steps``). A lock is not
        # fair: the loop releases it and takes it back before a waiting thread wakes, so under
        # a busy batch an erasure could wait until every row had finished. The loop lets
        # them in first.
        self._callers = 0
        self._turn = threading.Condition()
        self._closed = False
        self.steps = 0
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    # ---- callers --------------------------------------------------------------------------

    @contextmanager
    def between_steps(self) -> Iterator[None]:
        """Hold the batch between two decode steps: no step runs until the block ends. The
        loop finishes the step in flight, if any, and lets the caller in before the next one,
        however busy the batch."""
        with self._turn:
            self._callers += 1
        try:
            with self.step_lock:
                yield
        finally:
            with self._turn:
                self._callers -= 1
                self._turn.notify_all()

    def submit(self, prompt_ids: Sequence[int], adapter: str | None, sampling: Sampling) -> Request:
        """Queue a request; returns at once. An unknown adapter or a prompt too long fails the
        returned request at once, without touching the batch."""
        request = Request(prompt_ids, adapter, sampling)
        if not request.prompt_ids:
            request._fail(ValueError("the prompt is empty"))
            return request
        if len(request.prompt_ids) + sampling.max_new_tokens > self.context_length:
            request._fail(
                PromptTooLong(len(request.prompt_ids), sampling.max_new_tokens, self.context_length)
            )
            return request
        if adapter is not None and not self.cache.knows(adapter):
            request._fail(
                AdapterErased(adapter) if adapter in self._erased else UnknownAdapter(adapter)
            )
            return request
        with self._wakeup:
            if self._closed:
                request._fail(EngineClosed())
                return request
            self._pending.append(request)
            self._wakeup.notify()
        return request

    def forget_erasure(self, adapter: str) -> None:
        """A key erased earlier is registered again (a new adapter under an old name)."""
        self._erased.discard(adapter)

    def erase(self, adapter: str) -> bool:
        """Wipe ``adapter`` now: its slot is zeroed and every request for it, running or
        queued, fails with AdapterErased; batch mates continue."""
        with self.between_steps():
            self._erased.add(adapter)
            held = self.cache.erase(adapter)
            gone = [i for i, row in enumerate(self._rows) if row.request.adapter == adapter]
            for i in gone:
                self._rows[i].request._fail(AdapterErased(adapter))
            self._drop(gone, release=False)
        with self._wakeup:
            for request in [r for r in self._pending if r.adapter == adapter]:
                self._pending.remove(request)
                request._fail(AdapterErased(adapter))
        return held or bool(gone)

    def close(self, timeout: float | None = 10.0) -> None:
        with self._wakeup:
            self._closed = True
            self._wakeup.notify()
        self._thread.join(timeout)

    @property
    def running(self) -> int:
        return len(self._rows)

    # ---- the loop -----------------------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            with self._wakeup:
                while not self._closed and not self._pending and not self._rows:
                    self._wakeup.wait()
                if self._closed:
                    self._shut_down()
                    return
                joining = self._take_pending()
            with self._turn:
                while self._callers:
                    self._turn.wait()
            try:
                with self.step_lock, torch.inference_mode():
                    self._step(joining)
            except Exception as error:  # never let the loop die: fail what ran, carry on
                log.exception("engine step failed")
                with self.step_lock:
                    for row in self._rows:
                        row.request._fail(error)
                    self._drop(list(range(len(self._rows))))
                for request in joining:
                    if not request.done:
                        request._fail(error)

    def _take_pending(self) -> list[Request]:
        room = self.max_batch - len(self._rows)
        taken: list[Request] = []
        while self._pending and len(taken) < room:
            taken.append(self._pending.popleft())
        return taken

    def _step(self, joining: list[Request]) -> None:
        self._drop([i for i, row in enumerate(self._rows) if row.request.cancelled])
        waiting: list[Request] = []
        for request in joining:
            if request.cancelled:
                request._fail(RequestCancelled())
                continue
            try:
                slot = self._acquire(request)
            except NoFreeSlot:
                waiting.append(request)  # every slot busy: try again after this step
                continue
            except Exception as error:  # unknown, erased or refused adapter: this request only
                request._fail(error)
                continue
            try:
                self._prefill(request, slot)
            except BaseException:
                if request.adapter is not None:
                    self.cache.release(request.adapter)
                raise
        if waiting:
            with self._wakeup:
                self._pending.extendleft(reversed(waiting))
        if self._rows:
            self._decode_step()
        self.steps += 1

    def _acquire(self, request: Request) -> int:
        if request.adapter is None:
            return NO_ADAPTER
        if request.adapter in self._erased and not self.cache.knows(request.adapter):
            raise AdapterErased(request.adapter)
        return self.cache.acquire(request.adapter)

    def _prefill(self, request: Request, slot: int) -> None:
        seed = request.sampling.seed
        generator = torch.Generator(device="cpu")
        # A private generator: sampling must not disturb any other thread's global RNG.
        generator.manual_seed(seed if seed is not None else int.from_bytes(os.urandom(8), "big"))
        ids = torch.tensor([request.prompt_ids], device=self._device)
        with self.bank.use([slot]):
            out = self.model(input_ids=ids, use_cache=True, logits_to_keep=1)
        row = _Row(request=request, slot=slot, generator=generator, cached=len(request.prompt_ids))
        self._join(row, out.past_key_values)
        self._advance([row], out.logits[:, -1].float().cpu())

    def _decode_step(self) -> None:
        rows = self._rows
        length = self._kv.get_seq_length()
        tokens = torch.tensor([[row.tokens[-1]] for row in rows], device=self._device)
        positions = torch.tensor([[row.cached] for row in rows], device=self._device)
        mask = torch.ones(len(rows), length + 1, dtype=torch.long, device=self._device)
        for i, row in enumerate(rows):
            mask[i, : row.pad] = 0
        with self.bank.use([row.slot for row in rows]):
            out = self.model(
                input_ids=tokens,
                position_ids=positions,
                attention_mask=mask,
                past_key_values=self._kv,
                use_cache=True,
                logits_to_keep=1,
            )
        self._kv = out.past_key_values
        for row in rows:
            row.cached += 1
        self._advance(list(rows), out.logits[:, -1].float().cpu())

    def _advance(self, rows: list[_Row], logits: torch.Tensor) -> None:
        """Sample each row's next token, stream it, and retire the rows that finished."""
        chosen = sample_rows(
            logits,
            [row.request.sampling for row in rows],
            [row.tokens for row in rows],
            [row.generator for row in rows],
            self._stop_ids,
        )
        finished: list[_Row] = []
        for row, token in zip(rows, chosen, strict=True):
            sampling = row.request.sampling
            if sampling.stop_at_eos and token in self._stop_ids:
                self._complete(row, "stop")
                finished.append(row)
                continue
            row.tokens.append(token)
            reason = self._update_text(row)
            if reason is None and len(row.tokens) >= sampling.max_new_tokens:
                reason = "length"
            if reason is not None:
                self._complete(row, reason)
                finished.append(row)
        if finished:
            self._drop([i for i, row in enumerate(self._rows) if row in finished])

    def _update_text(self, row: _Row) -> str | None:
        """Decode the answer so far; stream what is settled; "stop" at a stop string."""
        text = str(self._decode(row.tokens))
        stops = row.request.sampling.stop
        if stops:
            window = max(0, len(row.text) - max(len(s) for s in stops))
            cuts = [i for i in (text.find(s, window) for s in stops) if i >= 0]
            if cuts:
                row.text = text[: min(cuts)]
                return "stop"
        row.text = text
        # Hold back a half-decoded character, and anything that may yet begin a stop string.
        settled = len(text.rstrip("\ufffd"))
        if stops:
            settled = min(settled, len(text) - max(len(s) for s in stops) + 1)
        if settled > row.sent:
            row.request._emit(text[row.sent : settled])
            row.sent = settled
        return None

    def _complete(self, row: _Row, reason: str) -> None:
        row.request._emit(row.text[row.sent :])
        row.sent = len(row.text)
        row.request._finish(
            Completion(
                text=row.text,
                token_ids=tuple(row.tokens),
                finish_reason=reason,
                prompt_tokens=len(row.request.prompt_ids),
            )
        )

    # ---- the batch's cache -----------------------------------------------------------------------

    def _join(self, row: _Row, kv: Any) -> None:
        if not self._rows:
            self._rows.append(row)
            self._kv = kv
            return
        from transformers import DynamicCache

        old, new = self._kv.get_seq_length(), kv.get_seq_length()
        length = max(old, new)
        layers = []
        for batch_layer, row_layer in zip(self._kv.layers, kv.layers, strict=True):
            layers.append(
                (
                    torch.cat(
                        [_left_pad(batch_layer.keys, length), _left_pad(row_layer.keys, length)]
                    ),
                    torch.cat(
                        [
                            _left_pad(batch_layer.values, length),
                            _left_pad(row_layer.values, length),
                        ]
                    ),
                )
            )
        for other in self._rows:
            other.pad += length - old
        row.pad = length - new
        self._rows.append(row)
        self._kv = DynamicCache(ddp_cache_data=layers)

    def _drop(self, indices: Sequence[int], *, release: bool = True) -> None:
        """Remove rows from the batch (and their columns of padding no row needs any more)."""
        if not indices:
            return
        gone = set(indices)
        for i in gone:
            row = self._rows[i]
            if not row.request.done:
                row.request._fail(RequestCancelled())
            if release and row.request.adapter is not None:
                self.cache.release(row.request.adapter)
        keep = [i for i in range(len(self._rows)) if i not in gone]
        self._rows = [self._rows[i] for i in keep]
        if not self._rows:
            self._kv = None
            return
        from transformers import DynamicCache

        trim = min(row.pad for row in self._rows)
        index = torch.tensor(keep, device=self._device)
        self._kv = DynamicCache(
            ddp_cache_data=[
                (
                    layer.keys.index_select(0, index)[:, :, trim:],
                    layer.values.index_select(0, index)[:, :, trim:],
                )
                for layer in self._kv.layers
            ]
        )
        for row in self._rows:
            row.pad -= trim

    def _shut_down(self) -> None:
        with self.step_lock:
            for row in self._rows:
                row.request._fail(EngineClosed())
            self._drop(list(range(len(self._rows))))
        with self._wakeup:
            while self._pending:
                self._pending.popleft()._fail(EngineClosed())


def _left_pad(tensor: torch.Tensor, length: int) -> torch.Tensor:
    missing = length - tensor.shape[-2]
    if missing == 0:
        return tensor
    shape = (*tensor.shape[:-2], missing, tensor.shape[-1])
    return torch.cat([tensor.new_zeros(shape), tensor], dim=-2)
