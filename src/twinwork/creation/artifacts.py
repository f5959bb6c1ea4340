"""Where a personal model's files live: adapters in object storage (the copy of record),
checkpoints and cached copies on the local disk of the worker or server that made them."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

from twinwork.config import Settings
from twinwork.kit.storage import ObjectStorage
from twinwork.ml.hashing import hash_directory


@dataclass(frozen=True)
class StoredArtifact:
    key: str
    sha256: str
    bytes: int


def adapter_prefix(model_id: int, run_id: int) -> str:
    return f"models/{model_id}/runs/{run_id}/adapter/"


def run_dir(settings: Settings, run_id: int) -> Path:
    """Scratch space of one training run: its checkpoint and the adapter before upload."""
    return settings.resolved_data_dir / "training" / f"run-{run_id}"


def adapter_cache_dir(settings: Settings, artifact_hash: str) -> Path:
    return settings.resolved_data_dir / "cache" / "adapters" / artifact_hash


async def upload_adapter(storage: ObjectStorage, local: Path, prefix: str) -> tuple[str, int]:
    """Copy an adapter directory into storage; returns its hash and total size."""
    total = 0
    for file in sorted(p for p in local.rglob("*") if p.is_file()):
        data = file.read_bytes()
        total += len(data)
        await storage.put(prefix + file.relative_to(local).as_posix(), data)
    return hash_directory(local), total


async def fetch_adapter(
    storage: ObjectStorage, settings: Settings, prefix: str, artifact_hash: str
) -> Path:
    """A local copy of a stored adapter, checked against its hash, cached by that hash."""
    target = adapter_cache_dir(settings, artifact_hash)
    if target.exists():
        return target
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for key in await storage.list(prefix):
        path = staging / key[len(prefix) :]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(await storage.get(key))
    if hash_directory(staging) != artifact_hash:
        shutil.rmtree(staging, ignore_errors=True)
        raise RuntimeError(f"stored adapter under {prefix} does not match its recorded hash")
    try:
        staging.rename(target)
    except OSError:  # another request put the same copy in place first
        shutil.rmtree(staging, ignore_errors=True)
    return target


async def delete_stored(storage: ObjectStorage, prefix: str) -> list[StoredArtifact]:
    """Delete every object under ``prefix``; returns what was there."""
    deleted = []
    for key in await storage.list(prefix):
        data = await storage.get(key)
        await storage.delete(key)
        deleted.append(StoredArtifact(key, hashlib.sha256(data).hexdigest(), len(data)))
    return deleted


def delete_local(path: Path) -> bool:
    if not path.exists():
        return False
    shutil.rmtree(path, ignore_errors=True)
    return True
