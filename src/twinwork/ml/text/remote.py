"""Text generation on a remote OpenAI-compatible server (vLLM with LoRA), chosen by the host.

``RemoteTextEngine`` answers like ``TextEngine`` (the same ``generate`` signature, so
``prompt.generate_answer`` drives either): it renders the same prompt as training and the local
engine (``prompt.prompt_text``, with the base's own tokenizer: only the tokenizer is loaded
here, never the weights) and sends it to ``ml.engine.remote.RemoteEngine``.

The host process decides (``use_remote``, from ``TWINWORK_ENGINE_URL``); the text modality's
``generate`` and ``evict`` ask ``remote_engine`` first. See docs/engine.md.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from twinwork.ml.hashing import hash_directory
from twinwork.ml.text.base import BaseModelRef
from twinwork.ml.text.loading import load_tokenizer
from twinwork.ml.text.prompt import prompt_text
from twinwork.ml.text.result import GENERATION_MAX_NEW_TOKENS

if TYPE_CHECKING:
    from twinwork.ml.engine.remote import CompletionsClient, RemoteEngine

# Torch-free at import (the host imports this module at start-up to choose its engine): the
# engine package, which loads torch, is imported where an engine is made or asked.

# The same sampling defaults as the in-process engine (ml/text/engine.py).
TOP_P = 0.9
REPETITION_PENALTY = 1.15


@dataclass(frozen=True)
class RemoteEndpoint:
    """What the host tells the text modality about a remote engine."""

    connect: Callable[[], CompletionsClient] = field(compare=False)
    """Makes the HTTP client (called once)."""
    identity: tuple[Any, ...]
    """What tells two endpoints apart (URL, model, directories): a changed one is rebuilt."""
    base_model: str | None = None
    """The name the server serves the base under; None: the base's model id without its
    ``@variant`` suffix (``HuggingFaceTB/SmolLM2-135M-Instruct``)."""
    publish_dir: Path | None = None
    server_dir: str | None = None


class RemoteTextEngine:
    """The base's prompt format and tokenizer in front of the process's ``RemoteEngine`` (one
    per endpoint, shared by every base: the server's adapters are one set)."""

    def __init__(self, base: BaseModelRef, engine: RemoteEngine, base_model: str) -> None:
        self.base = base
        self.engine = engine
        self.base_model = base_model
        self._tokenizer: Any = load_tokenizer(base)
        self._encode_lock = threading.Lock()

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
        timeout: float | None = None,  # noqa: ARG002 - the HTTP client's timeout applies
    ) -> str:
        """Answer ``brief`` with the adapter in ``adapter_dir`` (None: the plain base)."""
        from twinwork.ml.engine.sampling import Sampling

        key = self.register(adapter_dir, adapter_key) if adapter_dir is not None else None
        with self._encode_lock:
            prompt = prompt_text(self._tokenizer, brief)
        sampling = Sampling(
            max_new_tokens=max_new_tokens,
            min_new_tokens=min_new_tokens,
            temperature=temperature,
            top_p=top_p,
            repetition_penalty=repetition_penalty,
            stop=tuple(stop),
            stop_at_eos=stop_at_eos,
            seed=seed,
        )
        return self.engine.generate(prompt, key, sampling, base_model=self.base_model).text.strip()

    def register(self, adapter_dir: Path, adapter_key: str | None = None) -> str:
        # Keyed by content when the caller names no key: the server sees one name per adapter.
        key = adapter_key or hash_directory(adapter_dir)
        return self.engine.register(key, adapter_dir)

    def prefetch(self, adapter_dir: Path, adapter_key: str | None = None) -> bool:
        return self.engine.prefetch(self.register(adapter_dir, adapter_key))

    def evict(self, adapter_key: str) -> None:
        self.engine.erase(adapter_key)

    @property
    def adapter_keys(self) -> list[str]:
        return self.engine.loaded()


_endpoint: RemoteEndpoint | None = None
_core: RemoteEngine | None = None
_engines: dict[Path, RemoteTextEngine] = {}
_lock = threading.Lock()


def use_remote(endpoint: RemoteEndpoint | None) -> None:
    """Serve this process's text generation on ``endpoint`` (None: the in-process engine).
    Idempotent: the same endpoint again keeps what it made."""
    global _endpoint, _core
    with _lock:
        if endpoint == _endpoint:
            return
        _endpoint, _core = endpoint, None
        _engines.clear()


def remote_endpoint() -> RemoteEndpoint | None:
    with _lock:
        return _endpoint


def _core_engine() -> RemoteEngine | None:
    """The process's one client of the server (made on first use); called holding ``_lock``."""
    global _core
    if _endpoint is None:
        return None
    if _core is None:
        from twinwork.ml.engine.remote import RemoteEngine

        _core = RemoteEngine(
            _endpoint.connect(),
            base_model=_endpoint.base_model,
            publish_dir=_endpoint.publish_dir,
            server_dir=_endpoint.server_dir,
        )
    return _core


def remote_engine(base: BaseModelRef) -> RemoteTextEngine | None:
    """The remote engine for this base when the host chose one, else None."""
    with _lock:
        core = _core_engine()
        if core is None or _endpoint is None:
            return None
        key = base.path.resolve()
        engine = _engines.get(key)
        if engine is None:
            served = _endpoint.base_model or base.model_id.split("@", 1)[0]
            engine = _engines[key] = RemoteTextEngine(base, core, served)
        return engine


def evict_everywhere(adapter_key: str) -> bool:
    """Take an adapter off the remote server (model erasure), whether or not this process
    ever generated with it; False when no remote engine is used."""
    with _lock:
        core = _core_engine()
    if core is None:
        return False
    core.erase(adapter_key)
    return True
