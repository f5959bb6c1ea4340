"""Tiny random LoRA adapters on the real base, made through PEFT itself (the reference)."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from twinwork.ml.text import BaseModelRef
from twinwork.ml.text.loading import load_model, quiet_peft


@dataclasses.dataclass(frozen=True)
class AdapterSpec:
    name: str
    r: int
    targets: Sequence[str] = (
        "q_proj",
        "k_proj",
        "v_proj",
        "o_proj",
        "gate_proj",
        "up_proj",
        "down_proj",
    )
    layers: Sequence[int] | None = None
    rslora: bool = False
    seed: int = 0


def make_peft_adapter(base: BaseModelRef, spec: AdapterSpec, out_dir: Path) -> Path:
    """Random A and B (PEFT's ``init_lora_weights=False``), saved as training saves them."""
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(spec.seed)
    with quiet_peft():
        model: Any = get_peft_model(
            load_model(base),
            LoraConfig(
                r=spec.r,
                lora_alpha=2 * spec.r,
                target_modules=list(spec.targets),
                layers_to_transform=list(spec.layers) if spec.layers is not None else None,
                use_rslora=spec.rslora,
                init_lora_weights=False,
                lora_dropout=0.0,
            ),
        )
    # Random B at PEFT's default init is as large as A: scale it to a trained adapter's size,
    # so the update moves the logits clearly without swamping the base.
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.mul_(0.3)
    model.peft_config["default"].base_model_name_or_path = base.model_id
    path = out_dir / spec.name
    with warnings.catch_warnings():
        # The base is a converted GGUF with no hub config to compare vocabularies with.
        warnings.filterwarnings("ignore", "Could not find a config file", UserWarning)
        model.save_pretrained(str(path))
    return path


def peft_reference(
    base: BaseModelRef, adapters: dict[str, Path], dtype: torch.dtype = torch.float32
) -> Any:
    """One PEFT model holding every adapter, for mixed batches (``adapter_names=``)."""
    from peft import PeftModel

    names = list(adapters)
    with quiet_peft():
        model: Any = PeftModel.from_pretrained(
            load_model(base, dtype), str(adapters[names[0]]), adapter_name=names[0]
        )
        for name in names[1:]:
            model.load_adapter(str(adapters[name]), adapter_name=name)
    return model.eval()
