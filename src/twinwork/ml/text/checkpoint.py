"""Resumable training state, written so that a crash at any moment leaves a usable checkpoint.

Each checkpoint is a complete ``step-NNNNNN`` directory written under a temporary name and
renamed into place; the ``latest`` file naming it is then replaced atomically. A reader follows
``latest`` only, so it sees either the previous checkpoint or the new one, never a torn one.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

_LATEST = "latest"
_STATE = "state.json"
_ADAPTER = "adapter.safetensors"
_OPTIMIZER = "optimizer.pt"
_RNG = "rng.pt"
_BEST = "best-adapter.safetensors"


@dataclass(frozen=True)
class Checkpoint:
    step: int
    fingerprint: str
    losses: list[float]
    order: list[list[int]]
    adapter: dict[str, torch.Tensor]
    optimizer: dict[str, Any]
    rng: dict[str, Any]
    evaluations: list[tuple[int, float]] = field(default_factory=list)
    """(step, held-out loss) after each epoch, for plans that stop early."""
    best_adapter: dict[str, torch.Tensor] | None = None
    """The adapter at the lowest held-out loss so far, kept when training continues past it."""


def save(directory: Path, checkpoint: Checkpoint) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    name = f"step-{checkpoint.step:06d}"
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=directory))
    try:
        state = {
            "step": checkpoint.step,
            "fingerprint": checkpoint.fingerprint,
            "losses": checkpoint.losses,
            "order": checkpoint.order,
            "evaluations": [list(e) for e in checkpoint.evaluations],
        }
        (staging / _STATE).write_text(json.dumps(state), encoding="utf-8")
        save_file(
            {k: v.detach().cpu().contiguous() for k, v in checkpoint.adapter.items()},
            str(staging / _ADAPTER),
        )
        torch.save(checkpoint.optimizer, staging / _OPTIMIZER)
        torch.save(checkpoint.rng, staging / _RNG)
        if checkpoint.best_adapter is not None:
            save_file(
                {k: v.detach().cpu().contiguous() for k, v in checkpoint.best_adapter.items()},
                str(staging / _BEST),
            )
        target = directory / name
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
        _write_atomically(directory / _LATEST, name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    # Older checkpoints are only removed once the pointer names the new one.
    for old in directory.glob("step-*"):
        if old.name != name:
            shutil.rmtree(old, ignore_errors=True)


def load(directory: Path, fingerprint: str) -> Checkpoint | None:
    """The latest checkpoint if it belongs to this exact run (plan, samples, base), else None."""
    try:
        name = (directory / _LATEST).read_text(encoding="utf-8").strip()
        path = directory / name
        state = json.loads((path / _STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if state.get("fingerprint") != fingerprint:
        return None
    best = path / _BEST
    return Checkpoint(
        step=int(state["step"]),
        fingerprint=fingerprint,
        losses=[float(x) for x in state["losses"]],
        order=[[int(i) for i in batch] for batch in state["order"]],
        adapter=load_file(str(path / _ADAPTER)),
        # Plain tensors and numbers only: never unpickle arbitrary objects from disk.
        optimizer=torch.load(path / _OPTIMIZER, weights_only=True),
        rng=torch.load(path / _RNG, weights_only=True),
        # Checkpoints written before early stopping have neither.
        evaluations=[(int(s), float(v)) for s, v in state.get("evaluations", [])],
        best_adapter=load_file(str(best)) if best.exists() else None,
    )


def clear(directory: Path) -> None:
    """Remove this module's files only; the directory may be shared with the caller's."""
    (directory / _LATEST).unlink(missing_ok=True)
    for path in list(directory.glob("step-*")) + list(directory.glob(".step-*")):
        shutil.rmtree(path, ignore_errors=True)


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
