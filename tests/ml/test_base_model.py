from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.ml.conftest import MODEL_CACHE
from twinwork.ml.text import BaseModelRef, ensure_base_model
from twinwork.ml.text import base as base_module


def test_packaged_base_model_is_a_plain_safetensors_copy(base_model: BaseModelRef) -> None:
    assert base_model.model_id == "HuggingFaceTB/SmolLM2-135M-Instruct@Q4_1-gguf"
    for name in ("config.json", "model.safetensors", "tokenizer.json"):
        assert (base_model.path / name).is_file()
    assert "quantization_config" not in (base_model.path / "config.json").read_text()


def test_second_call_returns_the_cached_copy_without_converting(base_model: BaseModelRef) -> None:
    weights = base_model.path / "model.safetensors"
    before = weights.stat()
    started = time.monotonic()
    again = ensure_base_model(MODEL_CACHE)
    assert time.monotonic() - started < 1.0
    assert again == base_model
    after = weights.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_local_model_directory_is_used_as_it_is(base_model: BaseModelRef, tmp_path: Path) -> None:
    ref = ensure_base_model(tmp_path, str(base_model.path))
    assert ref.path == base_model.path.resolve()
    assert not list(tmp_path.iterdir())
    with pytest.raises(ValueError, match="neither"):
        ensure_base_model(tmp_path, str(tmp_path / "missing"))


def test_conversion_is_atomic_and_happens_once_under_concurrency(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    crash = threading.Event()
    crash.set()

    def fake_convert(out_dir: Path) -> None:
        calls.append(1)
        (out_dir / "config.json").write_text("{}")
        time.sleep(0.2)  # long enough for the other thread to reach the lock
        if crash.is_set():
            raise RuntimeError("killed mid-conversion")
        (out_dir / "model.safetensors").write_bytes(b"weights")

    monkeypatch.setattr(base_module, "_convert_gguf", fake_convert)
    with pytest.raises(RuntimeError):
        ensure_base_model(tmp_path)
    # A crash leaves neither a half copy in place nor a staging directory behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["smollm2-135m-instruct.lock"]

    crash.clear()
    calls.clear()
    results: list[BaseModelRef] = []
    threads = [
        threading.Thread(target=lambda: results.append(ensure_base_model(tmp_path)))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len(results) == 3 and len(set(results)) == 1
    assert (results[0].path / "model.safetensors").read_bytes() == b"weights"
