"""Loading the base model and tokenizer from a local directory, never from a hub."""

from __future__ import annotations

import copy
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from twinwork.ml.text.base import BaseModelRef
from twinwork.ml.text.runtime import device, go_offline, loading_lock

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

# Linear layers of every attention and MLP block: adapting all of them captures style (word
# choice lives in the MLPs) far better than attention-only LoRA, at a few MB per adapter.
LORA_TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


def _quiet() -> None:
    go_offline()
    from transformers.utils import logging

    # Progress bars only clutter job logs; a worker reports progress through callbacks.
    cast(Any, logging).disable_progress_bar()


@contextmanager
def quiet_peft() -> Iterator[None]:
    """PEFT 0.21 still calls a transformers method deprecated in 5.x; nothing to act on."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "`is_gradient_checkpointing`", FutureWarning)
        yield


def load_tokenizer(base: BaseModelRef) -> PreTrainedTokenizerBase:
    """A tokenizer of the caller's own: fast tokenizers refuse concurrent use of one instance."""
    _quiet()
    from transformers import AutoTokenizer

    with loading_lock:
        tokenizer = AutoTokenizer.from_pretrained(str(base.path), local_files_only=True)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return cast("PreTrainedTokenizerBase", tokenizer)


# The base weights as read from disk, one per model directory, never handed out: every caller
# gets a copy, because training (PEFT) and serving (fp16, merged adapters) change theirs.
_pristine: dict[Path, Any] = {}
_pristine_lock = threading.Lock()


def load_model(base: BaseModelRef, dtype: torch.dtype | None = None) -> PreTrainedModel:
    """A private copy of the base model in fp32 (bf16 matmuls are very slow on most CPUs), or
    ``dtype``, on the run's device. Thread-safe: the weights are read from disk once per
    process and copied for each caller."""
    import torch

    pristine = _pristine_model(base)
    model: Any = copy.deepcopy(pristine)
    return cast("PreTrainedModel", model.to(device=device(), dtype=dtype or torch.float32))


def _pristine_model(base: BaseModelRef) -> Any:
    key = base.path.resolve()
    with _pristine_lock:
        model = _pristine.get(key)
        if model is None:
            model = _pristine[key] = _read_model(base)
        return model


def _read_model(base: BaseModelRef) -> Any:
    _quiet()
    import torch
    from transformers import AutoModelForCausalLM

    # from_pretrained builds the model on the meta device through process-wide state: two
    # loads at once leave tensors on meta ("Cannot copy out of meta tensor", lm_head MISSING).
    with loading_lock:
        model: Any = AutoModelForCausalLM.from_pretrained(
            str(base.path), dtype=torch.float32, local_files_only=True
        )
    meta = [name for name, p in model.named_parameters() if p.is_meta]
    if meta:
        # Never cache a broken model: the process would serve it until restarted.
        raise RuntimeError(f"loading {base.path} left {len(meta)} tensors unloaded ({meta[0]})")
    return model.eval()
