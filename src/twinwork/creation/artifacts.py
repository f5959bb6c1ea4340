"""Where a personal model's files live: adapters in object storage (the copy of record),
checkpoints and cached copies on the local disk of the worker or server that made them."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
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
    """Copy an adapter directory into storage; returns its hash and total size. Whatever else
    lies under ``prefix`` (a half upload of an attempt that died) is removed, so the stored
    copy is exactly this one and its fetch checks out against the hash."""
    total = 0
    written = set()
    for file in sorted(p for p in local.rglob("*") if p.is_file()):
        data = file.read_bytes()
        total += len(data)
        key = prefix + file.relative_to(local).as_posix()
        await storage.put(key, data)
        written.add(key)
    for key in await storage.list(prefix):
        if key not in written:
            await storage.delete(key)
    return hash_directory(local), total


async def fetch_adapter(
    storage: ObjectStorage, settings: Settings, prefix: str, artifact_hash: str
) -> Path:
    """A local copy of a stored adapter, checked against its hash, cached by that hash."""
    target = adapter_cache_dir(settings, artifact_hash)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # A staging directory of this fetch's own: two fetches of one adapter (two requests, a
    # request and a job) must never write into, rename or delete each other's half copy.
    staging = Path(tempfile.mkdtemp(prefix=_staging_prefix(artifact_hash), dir=target.parent))
    try:
        for key in await storage.list(prefix):
            path = staging / key[len(prefix) :]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(await storage.get(key))
        if hash_directory(staging) != artifact_hash:
            raise RuntimeError(f"stored adapter under {prefix} does not match its recorded hash")
        try:
            staging.rename(target)  # atomic: readers see no copy or a whole one
        except OSError:
            if not target.is_dir():
                raise
            # Another fetch put its (equally verified) copy in place first: use that one.
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone already when the rename won
    return target


def delete_cached_adapter(settings: Settings, artifact_hash: str) -> bool:
    """Delete this machine's cached copy of an adapter, and any half copy a fetch that died
    left behind; True if a whole copy was there."""
    target = adapter_cache_dir(settings, artifact_hash)
    if target.parent.is_dir():
        for staging in target.parent.glob(_staging_prefix(artifact_hash) + "*"):
            shutil.rmtree(staging, ignore_errors=True)
    return delete_local(target)


def _staging_prefix(artifact_hash: str) -> str:
    # Hidden, and never a bare hash: no reader takes a staging directory for a cached copy.
    return f".{artifact_hash}.partial-"


async def list_stored(storage: ObjectStorage, prefix: str) -> list[StoredArtifact]:
    """Every object under ``prefix``, with its hash and size."""
    listed = []
    for key in await storage.list(prefix):
        data = await storage.get(key)
        listed.append(StoredArtifact(key, hashlib.sha256(data).hexdigest(), len(data)))
    return listed


async def delete_stored(storage: ObjectStorage, prefix: str) -> int:
    """Delete every object under ``prefix``; returns how many there were."""
    keys = await storage.list(prefix)
    for key in keys:
        await storage.delete(key)
    return len(keys)


def delete_local(path: Path) -> bool:
    if not path.exists():
        return False
    shutil.rmtree(path, ignore_errors=True)
    return True
