"""A LoRA adapter as plain low-rank factors, read from a PEFT adapter directory.

The engine never builds a PEFT model: it copies these factors into a slot of its adapter bank.
The LoRA scale (``alpha / r``, or ``alpha / sqrt(r)`` for rsLoRA, per layer where the adapter has
rank or alpha patterns) is folded into B once at read time, so a slot holds ``B·s`` and the
forward pass needs no per-slot multiply.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file

_PREFIX = "base_model.model."
_A = ".lora_A.weight"
_B = ".lora_B.weight"
# LoRA variants whose update is not ``x·Aᵀ·Bᵀ·s``: a bank slot would serve them wrongly.
_UNSUPPORTED = ("use_dora", "modules_to_save", "trainable_token_indices", "lora_bias")


class AdapterError(ValueError):
    """An adapter this engine cannot serve; the message says why (refused at load)."""


@dataclass(frozen=True)
class LoraFactors:
    a: torch.Tensor
    """(r, in_features)"""
    b: torch.Tensor
    """(out_features, r), already multiplied by the LoRA scale"""

    @property
    def rank(self) -> int:
        return int(self.a.shape[0])

    @property
    def in_features(self) -> int:
        return int(self.a.shape[1])

    @property
    def out_features(self) -> int:
        return int(self.b.shape[0])


@dataclass(frozen=True)
class LoraWeights:
    """One adapter: module name in the base model (``model.layers.0.self_attn.q_proj``) -> its
    factors, and the base model it was trained on (None where the adapter does not say)."""

    layers: Mapping[str, LoraFactors]
    base_model: str | None = None

    @property
    def rank(self) -> int:
        """The largest rank of any layer: what a bank slot must hold."""
        return max((f.rank for f in self.layers.values()), default=0)

    @property
    def nbytes(self) -> int:
        return sum(f.a.nbytes + f.b.nbytes for f in self.layers.values())

    @property
    def parameters(self) -> int:
        return sum(f.a.numel() + f.b.numel() for f in self.layers.values())


def read_peft_adapter(adapter_dir: Path) -> LoraWeights:
    """Read a PEFT LoRA adapter directory (``adapter_config.json`` + safetensors weights)."""
    config_path = adapter_dir / "adapter_config.json"
    weights_path = adapter_dir / "adapter_model.safetensors"
    if not config_path.is_file() or not weights_path.is_file():
        raise AdapterError(f"{adapter_dir} is not a PEFT adapter directory")
    config = json.loads(config_path.read_text(encoding="utf-8"))
    return lora_from_state_dict(load_file(str(weights_path)), config, source=str(adapter_dir))


def lora_from_state_dict(
    tensors: Mapping[str, torch.Tensor], config: Mapping[str, object], *, source: str = "adapter"
) -> LoraWeights:
    """Factors from a PEFT LoRA state dict (the keys ``save_pretrained`` writes) and its config."""
    if config.get("peft_type") != "LORA":
        raise AdapterError(f"{source} is not a LoRA adapter")
    for option in _UNSUPPORTED:
        if config.get(option):
            raise AdapterError(f"{source}: LoRA option {option!r} is not supported")
    if config.get("fan_in_fan_out"):
        raise AdapterError(f"{source}: fan_in_fan_out adapters (Conv1D layers) are not supported")
    r = _positive_int(config.get("r"), "r", source)
    alpha = float(_number(config.get("lora_alpha", r), "lora_alpha", source))
    rank_pattern = _pattern(config.get("rank_pattern"), "rank_pattern", source)
    alpha_pattern = _pattern(config.get("alpha_pattern"), "alpha_pattern", source)
    rslora = bool(config.get("use_rslora"))
    layers: dict[str, LoraFactors] = {}
    for key, a in tensors.items():
        if not key.endswith(_A):
            if not key.endswith(_B):
                raise AdapterError(f"{source}: unexpected tensor {key!r}")
            continue
        name = key.removeprefix(_PREFIX).removesuffix(_A)
        b = tensors.get(key.removesuffix(_A) + _B)
        if b is None:
            raise AdapterError(f"{source}: {name} has lora_A but no lora_B")
        if a.ndim != 2 or b.ndim != 2 or a.shape[0] != b.shape[1]:
            raise AdapterError(f"{source}: {name} has factors of mismatched shapes")
        layer_r = int(_match(rank_pattern, name, r))
        layer_alpha = float(_match(alpha_pattern, name, alpha))
        scale = layer_alpha / math.sqrt(layer_r) if rslora else layer_alpha / layer_r
        layers[name] = LoraFactors(a=a.float(), b=b.float() * scale)
    if not layers:
        raise AdapterError(f"{source} holds no LoRA weights")
    base = config.get("base_model_name_or_path")
    return LoraWeights(layers=layers, base_model=str(base) if base else None)


def _positive_int(value: object, field: str, source: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise AdapterError(f"{source}: {field} must be a positive integer")
    return value


def _number(value: object, field: str, source: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise AdapterError(f"{source}: {field} must be a number")
    return float(value)


def _pattern(value: object, field: str, source: str) -> dict[str, float]:
    if not value:
        return {}
    if not isinstance(value, dict):
        raise AdapterError(f"{source}: {field} must be a mapping")
    return {str(k): _number(v, field, source) for k, v in value.items()}


def _match(pattern: dict[str, float], name: str, default: float) -> float:
    # PEFT's rule: a key matches a module whose name is the key or ends with "." + key
    # (keys may be regular expressions).
    for key, value in pattern.items():
        if re.fullmatch(key, name) or re.fullmatch(rf".*\.{key}", name):
            return value
    return default
