"""The bank's logits equal PEFT's for every row of a mixed batch, on the real base model."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import torch

from tests.ml.engine.adapters import peft_reference
from twinwork.ml.engine import NO_ADAPTER, AdapterBank, AdapterError, read_peft_adapter
from twinwork.ml.engine.weights import LoraFactors, LoraWeights
from twinwork.ml.text import BaseModelRef
from twinwork.ml.text.loading import load_model

pytestmark = pytest.mark.slow

ROWS = ("wide", "narrow", None, "rs", "wide")


def _banked(
    base: BaseModelRef, adapters: dict[str, Path], dtype: torch.dtype, device: str
) -> tuple[Any, AdapterBank, dict[str, int]]:
    model = load_model(base, dtype).to(device)
    bank = AdapterBank(model, slots=4, max_rank=16, base_model=base.model_id)
    slots = {}
    # Slot 0 stays empty: slot numbers must not line up with adapter order by accident.
    for slot, (name, path) in enumerate(adapters.items(), start=1):
        bank.load(slot, read_peft_adapter(path))
        slots[name] = slot
    return model, bank, slots


def _compare(
    base: BaseModelRef, adapters: dict[str, Path], dtype: torch.dtype, device: str, tolerance: float
) -> None:
    model, bank, slots = _banked(base, adapters, dtype, device)
    reference = peft_reference(base, adapters, dtype).to(device)
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(100, 40000, (len(ROWS), 12), generator=generator).to(device)
    with torch.inference_mode():
        with bank.use([slots[n] if n else NO_ADAPTER for n in ROWS]):
            served = model(input_ids=ids).logits.float()
        expected = reference(
            input_ids=ids, adapter_names=[n or "__base__" for n in ROWS]
        ).logits.float()
        with reference.disable_adapter():
            plain = reference(input_ids=ids).logits.float()
    for i, name in enumerate(ROWS):
        torch.testing.assert_close(
            served[i], expected[i], atol=tolerance, rtol=tolerance, msg=f"row {i} ({name})"
        )
        if name is not None:
            # The adapter really changes this row: the comparison above could fail.
            assert (expected[i] - plain[i]).abs().max() > 50 * tolerance, name
    torch.testing.assert_close(served[2], plain[2], atol=tolerance, rtol=tolerance)


def test_mixed_batch_logits_equal_peft_for_every_row(
    base_model: BaseModelRef, peft_adapters: dict[str, Path]
) -> None:
    _compare(base_model, peft_adapters, torch.float32, "cpu", 2e-4)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_mixed_batch_logits_equal_peft_on_cuda(
    base_model: BaseModelRef, peft_adapters: dict[str, Path]
) -> None:
    _compare(base_model, peft_adapters, torch.float32, "cuda", 2e-3)


def test_a_loaded_slot_can_be_read_back_and_wiped(
    base_model: BaseModelRef, peft_adapters: dict[str, Path]
) -> None:
    model, bank, slots = _banked(base_model, peft_adapters, torch.float32, "cpu")
    weights = read_peft_adapter(peft_adapters["narrow"])
    copy = bank.read(slots["narrow"])
    assert set(copy.layers) == set(weights.layers)
    name = next(iter(weights.layers))
    torch.testing.assert_close(copy.layers[name].a, weights.layers[name].a)
    torch.testing.assert_close(copy.layers[name].b, weights.layers[name].b)
    bank.clear(slots["narrow"])
    assert bank.rank(slots["narrow"]) == 0
    assert not any(layer.lora_a[slots["narrow"]].any() for layer in bank.layers.values())
    # A wiped slot serves the plain base.
    ids = torch.tensor([[1, 2, 3, 4]])
    with torch.inference_mode():
        with bank.use([slots["narrow"]]):
            wiped = model(input_ids=ids).logits
        plain = model(input_ids=ids).logits
    torch.testing.assert_close(wiped, plain)


def test_refused_at_load_with_clear_errors(
    base_model: BaseModelRef, peft_adapters: dict[str, Path], tmp_path: Path
) -> None:
    model = load_model(base_model)
    bank = AdapterBank(model, slots=2, max_rank=8, base_model=base_model.model_id)
    with pytest.raises(AdapterError, match="rank 16 exceeds this engine's maximum rank 8"):
        bank.load(0, read_peft_adapter(peft_adapters["rs"]))

    other = tmp_path / "other-base"
    shutil.copytree(peft_adapters["wide"], other)
    config = json.loads((other / "adapter_config.json").read_text())
    config["base_model_name_or_path"] = "Qwen/Qwen2.5-0.5B"
    (other / "adapter_config.json").write_text(json.dumps(config))
    with pytest.raises(AdapterError, match="trained for base model 'Qwen/Qwen2.5-0.5B'"):
        bank.load(0, read_peft_adapter(other))

    good = read_peft_adapter(peft_adapters["wide"])
    name = "model.layers.0.self_attn.q_proj"
    wrong = dataclasses.replace(
        good, layers={**good.layers, name: LoraFactors(torch.zeros(4, 100), torch.zeros(576, 4))}
    )
    with pytest.raises(
        AdapterError, match="does not fit this base model at model.layers.0.self_attn.q_proj"
    ):
        bank.load(0, wrong)
    stray = LoraWeights(
        {"model.layers.0.mlp.act_fn": LoraFactors(torch.zeros(2, 576), torch.zeros(576, 2))}
    )
    with pytest.raises(AdapterError, match="not a banked layer"):
        bank.load(0, stray)
    # Refused means untouched: nothing was written into the slot.
    assert bank.rank(0) == 0
    assert not any(layer.lora_a[0].any() for layer in bank.layers.values())

    dora = tmp_path / "dora"
    shutil.copytree(peft_adapters["wide"], dora)
    (dora / "adapter_config.json").write_text(json.dumps({**config, "use_dora": True}))
    with pytest.raises(AdapterError, match="use_dora"):
        read_peft_adapter(dora)
    with pytest.raises(AdapterError, match="not a PEFT adapter directory"):
        read_peft_adapter(tmp_path)
