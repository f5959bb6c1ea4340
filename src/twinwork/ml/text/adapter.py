"""A trained LoRA adapter read as plain low-rank factors, for merging into serving weights.

Serving merges ``W + s·B·A`` into the base's own weights instead of running PEFT's side branch
on every layer: decoding a 135M model on CPU is bound by reading weights from memory, and the
extra branch (two more matmuls in each of 210 layers) costs as much again.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file

_PREFIX = "base_model.model."
_A = ".lora_A.weight"
_B = ".lora_B.weight"


@dataclass(frozen=True)
class LoraFactors:
    a: torch.Tensor
    """(r, in_features), fp32"""
    b: torch.Tensor
    """(out_features, r), fp32, already multiplied by the LoRA scale"""
    transpose: bool

    @property
    def shape(self) -> tuple[int, int]:
        """Shape of the weight this update applies to."""
        out_features, in_features = int(self.b.shape[0]), int(self.a.shape[1])
        return (in_features, out_features) if self.transpose else (out_features, in_features)

    def merge(self, pristine: torch.Tensor, out: torch.Tensor, scratch: torch.Tensor) -> None:
        """``out = pristine + B·A``, summed in fp32 and rounded once to ``out``'s dtype.

        ``scratch`` is a reusable fp32 buffer with at least as many elements as the weight:
        allocating a fresh full-size delta per layer costs ten times the arithmetic (page
        faults, mixed-dtype adds).
        """
        work = scratch[: pristine.numel()].view(pristine.shape)
        work.copy_(pristine)
        a, b = self.a.to(work.device), self.b.to(work.device)
        if self.transpose:
            work.addmm_(a.T, b.T)
        else:
            work.addmm_(b, a)
        out.copy_(work)


@dataclass(frozen=True)
class LoraAdapter:
    layers: dict[str, LoraFactors]
    """module name in the base model -> its factors"""

    @property
    def nbytes(self) -> int:
        return sum(f.a.nbytes + f.b.nbytes for f in self.layers.values())


def read_adapter(adapter_dir: Path) -> LoraAdapter:
    """Read a PEFT LoRA adapter directory; refuses variants that a plain merge would get wrong."""
    config = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    if config.get("peft_type") != "LORA":
        raise ValueError(f"{adapter_dir} is not a LoRA adapter")
    for unsupported in (
        "use_dora",
        "modules_to_save",
        "rank_pattern",
        "alpha_pattern",
        "trainable_token_indices",
        "lora_bias",
    ):
        if config.get(unsupported):
            raise ValueError(f"{adapter_dir}: LoRA option {unsupported!r} is not supported")
    r = int(config["r"])
    alpha = float(config["lora_alpha"])
    scale = alpha / math.sqrt(r) if config.get("use_rslora") else alpha / r
    transpose = bool(config.get("fan_in_fan_out"))
    tensors = load_file(str(adapter_dir / "adapter_model.safetensors"))
    layers: dict[str, LoraFactors] = {}
    for key, a in tensors.items():
        if not key.endswith(_A):
            if not key.endswith(_B):
                raise ValueError(f"{adapter_dir}: unexpected tensor {key!r}")
            continue
        name = key.removeprefix(_PREFIX).removesuffix(_A)
        b = tensors.get(key.removesuffix(_A) + _B)
        if b is None:
            raise ValueError(f"{adapter_dir}: {name} has lora_A but no lora_B")
        layers[name] = LoraFactors(a=a.float(), b=b.float() * scale, transpose=transpose)
    if not layers:
        raise ValueError(f"{adapter_dir} holds no LoRA weights")
    return LoraAdapter(layers=layers)
