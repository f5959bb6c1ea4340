from __future__ import annotations

from pathlib import Path

import pytest

from tests.ml.engine.adapters import AdapterSpec, make_peft_adapter
from twinwork.ml.text import BaseModelRef

SPECS = (
    AdapterSpec("wide", r=8, seed=1),
    # Mixed ranks, a subset of modules on the upper layers only, rsLoRA scaling.
    AdapterSpec(
        "narrow", r=4, targets=("q_proj", "v_proj", "down_proj"), layers=range(20, 30), seed=2
    ),
    AdapterSpec("rs", r=16, rslora=True, seed=3),
)


@pytest.fixture(scope="session")
def peft_adapters(
    base_model: BaseModelRef, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("engine-adapters")
    return {spec.name: make_peft_adapter(base_model, spec, out) for spec in SPECS}
