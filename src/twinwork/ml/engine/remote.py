"""Serving through a remote OpenAI-compatible server (vLLM with LoRA) instead of this process.

The server holds the base model and any number of adapters; this side pushes an adapter the
first time a request names it (``/v1/load_lora_adapter`` with a directory the server can read),
asks for completions with the adapter's name as the ``model``, and takes the adapter away on
erasure (``/v1/unload_lora_adapter``). The HTTP client is injected (``CompletionsClient``;
twinwork's is ``kit.openai_compat.OpenAICompatClient``): ``ml`` stays free of the host.

Adapters reach the server through a directory both sides can read: ``publish_dir`` as this
process sees it, ``server_dir`` as the server sees it (the same path on one host; a shared
volume mounted elsewhere otherwise). Each adapter is copied there under its key (the artifact's
content hash), so the server never reads this process's caches. Without ``publish_dir`` the
adapter's own directory is sent as it is (a server on this host reading the same disk).

A request whose adapter is erased while it waits or runs fails with ``AdapterErased``, as on
the in-process engine (the server may finish it; the text is dropped). A server that lost its
adapters (restarted) answers 404 for the adapter's name: the adapter is pushed again and the
request retried once.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from twinwork.ml.engine.errors import AdapterErased, UnknownAdapter
from twinwork.ml.engine.sampling import Sampling

log = logging.getLogger(__name__)

# vLLM's `repetition_penalty` divides the logits of every token seen in the prompt *and* the
# answer: it would push the model away from the brief's motifs, which the in-process engine
# never penalises. The answer-only penalty is sent as OpenAI's `presence_penalty` (subtracted
# once from the logit of every token already written, prompt excluded) at the size the
# multiplicative penalty has at a typical top logit of this model family (about 15), capped at
# the API's maximum of 2: 1.15 -> 1.96.
TYPICAL_TOP_LOGIT = 15.0
MAX_PRESENCE_PENALTY = 2.0
# Keys name a directory on the shared volume and the model on the server: no path tricks.
_SAFE_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,199}")


class CompletionsClient(Protocol):
    def completion(
        self,
        *,
        model: str,
        prompt: str,
        max_tokens: int,
        temperature: float = ...,
        top_p: float = ...,
        stop: Sequence[str] = ...,
        seed: int | None = ...,
        extra: Mapping[str, Any] | None = ...,
    ) -> Any:
        """An object with ``text`` and ``finish_reason``; raises with ``status`` 404 when the
        model named is not on the server."""
        ...

    def load_lora_adapter(self, name: str, path: str) -> bool: ...

    def unload_lora_adapter(self, name: str) -> bool: ...


@dataclass(frozen=True)
class RemoteCompletion:
    text: str
    finish_reason: str | None
    """"stop" or "length", as the server says."""


def presence_penalty(repetition_penalty: float) -> float:
    """The answer-only presence penalty sent for the engine's repetition penalty."""
    if repetition_penalty <= 1.0:
        return 0.0
    return min(MAX_PRESENCE_PENALTY, TYPICAL_TOP_LOGIT * (1.0 - 1.0 / repetition_penalty))


def completion_parameters(sampling: Sampling) -> dict[str, Any]:
    """The engine's sampling settings as ``/v1/completions`` parameters (vLLM's extras:
    ``min_tokens``, ``ignore_eos``, ``repetition_penalty``)."""
    extra: dict[str, Any] = {"repetition_penalty": 1.0}
    if sampling.min_new_tokens:
        extra["min_tokens"] = sampling.min_new_tokens
    if not sampling.stop_at_eos:
        extra["ignore_eos"] = True
    penalty = presence_penalty(sampling.repetition_penalty)
    if penalty:
        extra["presence_penalty"] = round(penalty, 4)
    return {
        "max_tokens": sampling.max_new_tokens,
        "temperature": sampling.temperature,
        "top_p": sampling.top_p,
        "stop": list(sampling.stop),
        "seed": sampling.seed,
        "extra": extra,
    }


def _is_not_found(exc: BaseException) -> bool:
    return getattr(exc, "status", None) == 404


class RemoteEngine:
    """Completions from a remote server, with adapters pushed to it on first use.

    ``base_model`` is the name the server serves its base under (requests with no adapter use
    it; ``generate`` may name it per call instead). Thread-safe: callers in any thread."""

    def __init__(
        self,
        client: CompletionsClient,
        *,
        base_model: str | None = None,
        publish_dir: Path | None = None,
        server_dir: str | None = None,
    ) -> None:
        self.client = client
        self.base_model = base_model
        self.publish_dir = Path(publish_dir) if publish_dir is not None else None
        self.server_dir = server_dir or (str(self.publish_dir) if self.publish_dir else None)
        self._lock = threading.Lock()
        self._dirs: dict[str, Path] = {}
        self._loaded: set[str] = set()
        self._key_locks: dict[str, threading.Lock] = {}
        # Bumped by every erasure of a key: a request that started under an older count was
        # erased while it waited or ran.
        self._erasures: Counter[str] = Counter()

    # ---- adapters ------------------------------------------------------------------------

    def register(self, key: str, adapter_dir: Path) -> str:
        """Where adapter ``key`` lives on this side; pushed to the server on first use."""
        with self._lock:
            self._dirs[key] = Path(adapter_dir)
        return key

    def loaded(self) -> list[str]:
        """Adapters this process pushed to the server and has not taken back."""
        with self._lock:
            return sorted(self._loaded)

    def prefetch(self, key: str) -> bool:
        """Push ``key`` ahead of its first request; False when it is unknown."""
        try:
            self._ensure_loaded(key, self._erasure_count(key))
        except (UnknownAdapter, AdapterErased):
            return False
        return True

    def erase(self, key: str) -> bool:
        """Take ``key`` off the server and forget it here; its waiting and running requests
        fail with AdapterErased. Returns whether this process held it. Idempotent: the server
        not holding it (another process unloaded it first) is no error."""
        with self._lock:
            self._erasures[key] += 1
            held = key in self._dirs or key in self._loaded
            self._dirs.pop(key, None)
            self._loaded.discard(key)
        try:
            self.client.unload_lora_adapter(key)
        except Exception:
            # The server unreachable: it may still hold the adapter. Logged loudly; the copy it
            # read is deleted below, so a restarted server cannot load it again.
            log.exception("could not unload adapter %s from the remote engine", key)
        if self.publish_dir is not None:
            shutil.rmtree(self.publish_dir / key, ignore_errors=True)
        return held

    # ---- generating ---------------------------------------------------------------------

    def generate(
        self,
        prompt: str,
        adapter: str | None = None,
        sampling: Sampling | None = None,
        *,
        base_model: str | None = None,
    ) -> RemoteCompletion:
        """Complete ``prompt`` with ``adapter`` (None: the base, served as ``base_model`` or
        the engine's default)."""
        sampling = sampling or Sampling()
        if adapter is None:
            served = base_model or self.base_model
            if not served:
                raise ValueError(
                    "name the base model the server serves to ask it without an adapter"
                )
            return self._complete(served, prompt, sampling)
        started = self._erasure_count(adapter)
        self._ensure_loaded(adapter, started)
        try:
            result = self._complete(adapter, prompt, sampling)
        except Exception as exc:
            if not _is_not_found(exc):
                raise
            self._check_not_erased(adapter, started)
            # The server forgot the adapter (a restart): push it again, once.
            with self._lock:
                self._loaded.discard(adapter)
            self._ensure_loaded(adapter, started)
            result = self._complete(adapter, prompt, sampling)
        self._check_not_erased(adapter, started)
        return result

    # ---- internals ---------------------------------------------------------------------------

    def _complete(self, model: str, prompt: str, sampling: Sampling) -> RemoteCompletion:
        answer = self.client.completion(
            model=model, prompt=prompt, **completion_parameters(sampling)
        )
        return RemoteCompletion(str(answer.text), getattr(answer, "finish_reason", None))

    def _erasure_count(self, key: str) -> int:
        with self._lock:
            return self._erasures[key]

    def _check_not_erased(self, key: str, started: int) -> None:
        if self._erasure_count(key) != started:
            raise AdapterErased(key)

    def _ensure_loaded(self, key: str, started: int) -> None:
        with self._lock:
            if key in self._loaded:
                return
            lock = self._key_locks.setdefault(key, threading.Lock())
        with lock:  # one push per adapter, however many requests arrive for it at once
            self._check_not_erased(key, started)
            with self._lock:
                if key in self._loaded:
                    return
                directory = self._dirs.get(key)
            if directory is None:
                raise UnknownAdapter(key)
            path = self._publish(key, directory)
            self.client.load_lora_adapter(key, path)
            with self._lock:
                if self._erasures[key] != started:
                    erased = True
                else:
                    erased = False
                    self._loaded.add(key)
            if erased:  # erased while it was being pushed: take it back off the server
                self.client.unload_lora_adapter(key)
                raise AdapterErased(key)

    def _publish(self, key: str, directory: Path) -> str:
        """The adapter's path as the server reads it, copied into ``publish_dir`` first."""
        if self.publish_dir is None:
            return str(directory.resolve())
        if not _SAFE_KEY.fullmatch(key):
            raise ValueError(f"adapter key {key[:60]!r} cannot name a published directory")
        target = self.publish_dir / key
        if not target.is_dir():
            self.publish_dir.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=self.publish_dir))
            try:
                shutil.copytree(directory, staging, dirs_exist_ok=True)
                try:
                    staging.rename(target)  # atomic: the server never reads half a copy
                except OSError:
                    if not target.is_dir():
                        raise
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return f"{self.server_dir.rstrip('/')}/{key}" if self.server_dir else str(target)


__all__ = [
    "CompletionsClient",
    "RemoteCompletion",
    "RemoteEngine",
    "completion_parameters",
    "presence_penalty",
]
