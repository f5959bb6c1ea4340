"""A trained text adapter read for serving: PEFT's LoRA directory as plain low-rank factors.

The serving engine copies these into a slot of its adapter bank (``twinwork.ml.engine``); the
reader refuses LoRA variants whose update a bank slot would compute wrongly (DoRA, extra saved
modules, trainable tokens, LoRA biases).
"""

from __future__ import annotations

from pathlib import Path

from twinwork.ml.engine.weights import AdapterError, LoraFactors, LoraWeights, read_peft_adapter

LoraAdapter = LoraWeights
"""Kept for callers of the merge-based engine this replaced."""


def read_adapter(adapter_dir: Path) -> LoraWeights:
    """The adapter in ``adapter_dir``; raises AdapterError (a ValueError) if it cannot be served."""
    return read_peft_adapter(adapter_dir)


__all__ = ["AdapterError", "LoraAdapter", "LoraFactors", "LoraWeights", "read_adapter"]
