"""Loading the base model and tokenizer from a local directory, never from a hub."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from twinwork.ml.text.base import BaseModelRef
from twinwork.ml.text.runtime import device, go_offline

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
    _quiet()
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(base.path), local_files_only=True)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return cast("PreTrainedTokenizerBase", tokenizer)


def load_model(base: BaseModelRef, dtype: torch.dtype | None = None) -> PreTrainedModel:
    """The base model in fp32 on the run's device (bf16 matmuls are very slow on most CPUs)."""
    _quiet()
    import torch
    from transformers import AutoModelForCausalLM

    model: Any = AutoModelForCausalLM.from_pretrained(
        str(base.path), dtype=dtype or torch.float32, local_files_only=True
    )
    return cast("PreTrainedModel", model.to(device()))
