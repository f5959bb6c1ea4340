"""Switching a model off and erasing it reach every other process: the adapter's key goes out
on the installation's signal (the data dir's log embedded, Redis scaled out) once the change
is committed, and a process hearing it drops the adapter and its own cached copy."""

from __future__ import annotations

import asyncio
import queue
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.creation.conftest import TrainedModel
from twinwork.config import get_settings
from twinwork.creation import artifacts, erasure_hooks, runtime


@pytest.fixture
def other_process() -> Iterator[queue.Queue[str]]:
    """What another serving process would hear, through a signal instance of its own."""
    heard: queue.Queue[str] = queue.Queue()
    listener = erasure_hooks.new_eviction_signal(get_settings())
    listener.listen(heard.put)
    yield heard
    listener.close()


async def _next(heard: queue.Queue[str]) -> str:
    return await asyncio.to_thread(heard.get, True, 10)


async def test_switching_off_and_erasing_are_heard_by_other_processes(
    client: httpx.AsyncClient, active: TrainedModel, other_process: queue.Queue[str]
) -> None:
    versions = await client.get(f"/api/v1/models/{active.id}/versions", headers=active.owner)
    [version] = versions.json()
    artifact_hash = version["artifact_hash"]

    off = await client.post(f"/api/v1/models/{active.id}/deactivate", headers=active.owner)
    assert off.status_code == 200
    assert await _next(other_process) == artifact_hash
    on = await client.post(f"/api/v1/models/{active.id}/activate", headers=active.owner)
    assert on.status_code == 200
    assert other_process.empty()  # switching on tells nobody anything

    erased = await client.delete(f"/api/v1/models/{active.id}", headers=active.owner)
    assert erased.status_code == 200, erased.text
    assert await _next(other_process) == artifact_hash


def test_a_process_hearing_an_eviction_drops_its_cached_copy(monkeypatch: Any) -> None:
    """What ``prepare_process`` registers: the engines forget the adapter, and this host's
    cached copy (which the erasing process, on another host, cannot reach) is deleted."""
    settings = get_settings()
    cached = artifacts.adapter_cache_dir(settings, "f" * 64)
    cached.mkdir(parents=True, exist_ok=True)
    (cached / "adapter_model.safetensors").write_bytes(b"weights")
    evicted: list[str] = []
    monkeypatch.setattr(runtime, "evict", evicted.append)
    heard: list[Any] = []
    monkeypatch.setattr(
        erasure_hooks, "listen_for_evictions", lambda _settings, on_evict: heard.append(on_evict)
    )
    runtime.prepare_process(settings)
    [on_evict] = heard
    on_evict("f" * 64)
    assert evicted == ["f" * 64]
    assert not cached.exists()
