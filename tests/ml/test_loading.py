"""Loading the base model from several threads at once, as huey's worker threads and the
serving engine do in one process."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from twinwork.ml.text import BaseModelRef, loading
from twinwork.ml.text import base as base_module


def _at_once(count: int, work: Callable[[], Any]) -> list[Any]:
    """Run ``work`` in ``count`` threads released together; results or the exceptions raised."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work()
        except Exception as exc:  # the assertion shows which thread failed and how
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.slow
def test_models_loaded_by_four_threads_at_once_are_complete_identical_and_private(
    base_model: BaseModelRef, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cold process: the threads race the first read from disk, as training runs queued at
    # once on a fresh worker do.
    monkeypatch.setattr(loading, "_pristine", {}, raising=False)
    models = _at_once(4, lambda: loading.load_model(base_model))
    tokenizers = _at_once(4, lambda: loading.load_tokenizer(base_model))

    assert not [m for m in models + tokenizers if isinstance(m, Exception)], models + tokenizers
    first = dict(models[0].named_parameters())
    for model in models:
        assert all(not p.is_meta for p in model.parameters())
        assert model.lm_head.weight is model.model.embed_tokens.weight  # still tied
        for name, param in model.named_parameters():
            assert torch.equal(param, first[name]), name
    # Each caller owns its weights: training one copy must not change another.
    with torch.no_grad():
        models[0].lm_head.weight.add_(1.0)
    assert not torch.equal(models[0].lm_head.weight, models[1].lm_head.weight)
    assert torch.equal(models[1].lm_head.weight, models[2].lm_head.weight)
    assert {len(t) for t in tokenizers} == {len(tokenizers[0])}


def test_a_half_written_conversion_is_never_used_and_a_new_one_replaces_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a conversion killed mid-write leaves: its private staging directory, and (from an
    # older layout) a target directory without the completion marker.
    stale = tmp_path / ".smollm2-135m-instruct-dead1234"
    stale.mkdir()
    (stale / "model.safetensors").write_bytes(b"half")
    half = tmp_path / "smollm2-135m-instruct"
    half.mkdir()
    (half / "config.json").write_text("{}")
    seen_during_conversion: list[bool] = []

    def fake_convert(out_dir: Path) -> None:
        # While the copy is being written, the place readers look holds no new file.
        seen_during_conversion.append((half / "model.safetensors").exists())
        (out_dir / "config.json").write_text('{"fresh": true}')
        (out_dir / "model.safetensors").write_bytes(b"weights")

    monkeypatch.setattr(base_module, "_convert_gguf", fake_convert)
    refs = _at_once(4, lambda: base_module.ensure_base_model(tmp_path))

    assert seen_during_conversion == [False]  # converted once, not in place
    assert len(set(refs)) == 1 and not isinstance(refs[0], Exception), refs
    assert (refs[0].path / "model.safetensors").read_bytes() == b"weights"
    assert (refs[0].path / "config.json").read_text() == '{"fresh": true}'
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "smollm2-135m-instruct",
        "smollm2-135m-instruct.lock",
    ]
