"""Adapter files on local disk and in storage: the cache that generation reads from."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

from twinwork.config import get_settings
from twinwork.creation import artifacts
from twinwork.kit.storage import ObjectStorage
from twinwork.ml.hashing import hash_directory


async def stored_adapter(storage: ObjectStorage, tmp_path: Path) -> tuple[str, str]:
    """A few files under a fresh prefix, as an upload leaves them; returns (prefix, hash)."""
    local = tmp_path / "adapter"
    (local / "nested").mkdir(parents=True)
    # Unique content, so each test has a cache entry of its own.
    (local / "adapter_config.json").write_text(f'{{"r": 8, "id": "{uuid.uuid4().hex}"}}')
    (local / "adapter_model.safetensors").write_bytes(bytes(range(256)) * 512)
    (local / "nested" / "extra.bin").write_bytes(b"x" * 4096)
    prefix = f"tests/fetch-{uuid.uuid4().hex}/adapter/"
    artifact_hash, _ = await artifacts.upload_adapter(storage, local, prefix)
    return prefix, artifact_hash


async def test_concurrent_fetches_of_one_adapter_all_get_the_whole_verified_copy(
    storage: ObjectStorage, tmp_path: Path
) -> None:
    settings = get_settings()
    prefix, artifact_hash = await stored_adapter(storage, tmp_path)
    # Two requests and a job asking at once: none may see (or delete) another's half copy.
    paths = await asyncio.gather(
        *(artifacts.fetch_adapter(storage, settings, prefix, artifact_hash) for _ in range(4))
    )
    target = artifacts.adapter_cache_dir(settings, artifact_hash)
    assert set(paths) == {target}
    assert hash_directory(target) == artifact_hash
    # The losers' private copies are gone; nothing half-written is left beside the cache.
    assert [p.name for p in target.parent.iterdir() if artifact_hash in p.name] == [artifact_hash]


async def test_fetch_refuses_a_stored_adapter_that_does_not_match_its_hash(
    storage: ObjectStorage, tmp_path: Path
) -> None:
    settings = get_settings()
    prefix, artifact_hash = await stored_adapter(storage, tmp_path)
    await storage.put(prefix + "adapter_config.json", b'{"r": 9}')
    with pytest.raises(RuntimeError, match="does not match"):
        await artifacts.fetch_adapter(storage, settings, prefix, artifact_hash)
    cache = artifacts.adapter_cache_dir(settings, artifact_hash)
    assert not cache.exists()
    assert not [p for p in cache.parent.iterdir() if artifact_hash in p.name]


async def test_an_upload_over_a_half_upload_leaves_exactly_its_own_files(
    storage: ObjectStorage, tmp_path: Path
) -> None:
    prefix = f"tests/reupload-{uuid.uuid4().hex}/adapter/"
    # What an attempt that died left under the same prefix.
    await storage.put(prefix + "adapter_model.safetensors", b"half of another adapter")
    await storage.put(prefix + "stale/optimizer.bin", b"from the dead attempt")
    local = tmp_path / "adapter"
    local.mkdir()
    (local / "adapter_config.json").write_text('{"r": 8}')
    (local / "adapter_model.safetensors").write_bytes(b"the real weights" * 64)
    artifact_hash, size = await artifacts.upload_adapter(storage, local, prefix)

    assert sorted(await storage.list(prefix)) == [
        prefix + "adapter_config.json",
        prefix + "adapter_model.safetensors",
    ]
    assert size == len('{"r": 8}') + 16 * 64
    fetched = await artifacts.fetch_adapter(storage, get_settings(), prefix, artifact_hash)
    assert hash_directory(fetched) == artifact_hash
