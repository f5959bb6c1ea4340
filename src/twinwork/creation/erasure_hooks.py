"""What the domains built on creation delete or keep when a personal model is erased.

Creation owns erasure, but not everything made with a model: generation holds its previews,
licences and certificates. Creation cannot import generation (generation builds on it), so
generation registers a participant here when its service module is imported; every process
imports it through ``twinwork.domains.load_domains()``. Erasing with no participant registered
is refused rather than signing a receipt that silently leaves the previews out.

Below them, the signal that makes every process drop an erased model's adapter at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.config import Settings
from twinwork.kit.eviction import EvictionSignal, FileEvictionLog, RedisEvictionSignal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErasureReport:
    """Counts for the signed receipt, merged into its ``deleted`` and ``kept`` sections."""

    deleted: dict[str, int]
    kept: dict[str, int]


class ErasureParticipant(Protocol):
    name: str

    async def erase_model(self, session: AsyncSession, model_id: int) -> ErasureReport:
        """Delete what this domain owns for the model (inside the erasure's unit of work) and
        report what it deleted and what it keeps."""
        ...


class ErasureNotWired(RuntimeError):
    """No domain is registered to erase what was made with a model: a process skipped
    ``load_domains()``."""


_participants: dict[str, ErasureParticipant] = {}


def register_erasure_participant(participant: ErasureParticipant) -> None:
    """Register ``participant`` under its name (once, however often its module is imported)."""
    existing = _participants.get(participant.name)
    if existing is not None and type(existing) is not type(participant):
        raise ValueError(f"another erasure participant is named {participant.name!r}")
    _participants[participant.name] = participant


def unregister_erasure_participant(name: str) -> ErasureParticipant:
    return _participants.pop(name)


def erasure_participants() -> tuple[ErasureParticipant, ...]:
    return tuple(_participants.values())


async def erase_dependents(session: AsyncSession, model_id: int) -> ErasureReport:
    """Let every participant erase its part of the model; their counts, merged."""
    if not _participants:
        raise ErasureNotWired(
            "Nothing is registered to erase a model's previews and count its licences: call "
            "twinwork.domains.load_domains() at start-up. The model was not erased."
        )
    deleted: dict[str, int] = {}
    kept: dict[str, int] = {}
    for participant in _participants.values():
        report = await participant.erase_model(session, model_id)
        clash = (deleted.keys() & report.deleted.keys()) | (kept.keys() & report.kept.keys())
        if clash:
            # Two domains counting under one name would make the receipt lie about both.
            raise ValueError(f"erasure participants both report {sorted(clash)}")
        deleted.update(report.deleted)
        kept.update(report.kept)
    return ErasureReport(deleted=deleted, kept=kept)


# ---- erasure across processes ---------------------------------------------------------------
#
# Every process serving text holds adapters in its own engine. The process that erases a model
# (or switches it off) evicts them from its own engine at once (``runtime.evict``) and then
# publishes their keys; every other process listens and evicts them too, and deletes its local
# cached copy (on another host that copy is its own). On the embedded default the signal is an
# append-only log in the data dir, looked at every 0.2 s; scaled out (a Redis queue) it is
# Redis pub/sub on the queue's server. See docs/engine.md.

EVICTION_LOG = "engine/evictions.log"
"""The embedded default's signal, relative to the data dir."""

_signal: EvictionSignal | None = None
_signal_identity: str | None = None
_listening = False
_signal_lock = threading.Lock()
_listen_lock = threading.Lock()


def _signal_target(settings: Settings) -> str:
    queue = settings.resolved_queue_url
    if urlparse(queue).scheme in ("redis", "rediss"):
        return queue
    return str(settings.resolved_data_dir / EVICTION_LOG)


def new_eviction_signal(settings: Settings) -> EvictionSignal:
    """A new ``kit.eviction.EvictionSignal`` for the installation in ``settings``: Redis
    pub/sub when the queue is on Redis, else the log in the data dir."""
    target = _signal_target(settings)
    if target.startswith(("redis://", "rediss://")):
        return RedisEvictionSignal(target)
    return FileEvictionLog(Path(target))


def eviction_signal(settings: Settings) -> EvictionSignal:
    """This process's signal (one per process and installation)."""
    global _signal, _signal_identity, _listening
    target = _signal_target(settings)
    with _signal_lock:
        if _signal is None or _signal_identity != target:
            if _signal is not None:
                _signal.close()
            _signal = new_eviction_signal(settings)
            _signal_identity, _listening = target, False
        return _signal


def listen_for_evictions(settings: Settings, on_evict: Callable[[str], None]) -> None:
    """Start hearing other processes' evictions (once per process; cheap to call again).
    Call it before this process loads an adapter, so no erasure published after the load
    goes unheard."""
    global _listening
    # One caller starts listening; the others wait until it listens (Redis confirms the
    # subscription), so none loads an adapter before an erasure can reach it.
    with _listen_lock:
        signal = eviction_signal(settings)
        with _signal_lock:
            if _listening:
                return
        try:
            signal.listen(on_evict)
        except Exception:
            log.exception(
                "could not listen for adapter evictions: erasures in other processes will not "
                "reach this process's engines"
            )
            raise
        with _signal_lock:
            _listening = True


def broadcast_eviction(settings: Settings, adapter_key: str) -> bool:
    """Tell every other process to drop ``adapter_key`` now. Never raises: the erasure stands
    whatever the signal does (it is logged); returns whether the signal went out."""
    try:
        eviction_signal(settings).publish(adapter_key)
    except Exception:
        log.exception("could not tell other processes to evict adapter %s", adapter_key)
        return False
    return True


def stop_listening() -> None:
    """Close this process's signal (tests, shutdown); the next use makes a new one."""
    global _signal, _signal_identity, _listening
    with _signal_lock:
        signal, _signal, _signal_identity, _listening = _signal, None, None, False
    if signal is not None:
        signal.close()
