"""Where adapters live: bank slots on the device, a CPU tier, and storage behind a loader.

A request names an adapter by key. ``acquire`` makes it resident in a slot: from a slot already
holding it, else from the CPU tier, else from storage through the loader the caller registered
for that key. A full bank evicts its least recently used slot that no row is using and that is
not pinned; the evicted weights move to the CPU tier, whose least recently used entries are
dropped (storage still has them). ``erase`` wipes a key everywhere at once and forgets its
loader, so nothing can bring it back.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from twinwork.ml.engine.bank import AdapterBank
from twinwork.ml.engine.errors import UnknownAdapter
from twinwork.ml.engine.weights import LoraWeights

Loader = Callable[[], LoraWeights]


class NoFreeSlot(Exception):
    """Every slot holds an adapter that a running row uses or that is pinned; try later."""


@dataclass(frozen=True)
class CacheStats:
    resident: int
    cpu: int
    pinned: int
    slots: int
    loads: int
    """Copies into a slot since start-up."""
    storage_reads: int
    """Loader calls since start-up (misses of both tiers)."""


class AdapterCache:
    def __init__(self, bank: AdapterBank, *, cpu_capacity: int = 32) -> None:
        if cpu_capacity < 0:
            raise ValueError("cpu_capacity must not be negative")
        self.bank = bank
        self.cpu_capacity = cpu_capacity
        self._lock = threading.RLock()
        self._loaders: dict[str, Loader] = {}
        self._slots: OrderedDict[str, int] = OrderedDict()  # least recently used first
        self._free = list(range(bank.slots - 1, -1, -1))
        self._cpu: OrderedDict[str, LoraWeights] = OrderedDict()
        self._pinned: set[str] = set()
        self._in_use: Counter[str] = Counter()
        self._loads = 0
        self._storage_reads = 0

    # ---- what callers tell it ---------------------------------------------------------------

    def register(self, key: str, loader: Loader) -> None:
        """How to read ``key`` from storage; a key already registered keeps its loader."""
        with self._lock:
            self._loaders.setdefault(key, loader)

    def knows(self, key: str) -> bool:
        with self._lock:
            return key in self._loaders or key in self._slots or key in self._cpu

    def pin(self, key: str) -> None:
        """Keep ``key`` in its slot whatever the traffic (a hot adapter); loads it now."""
        with self._lock:
            self._pinned.add(key)
            try:
                self._make_resident(key)
            except NoFreeSlot:
                pass  # resident on its next use, and kept from then on

    def unpin(self, key: str) -> None:
        with self._lock:
            self._pinned.discard(key)

    def prefetch(self, key: str) -> bool:
        """Bring ``key`` as close as possible: into a slot if one can be had, else the CPU tier.
        Returns whether it is in a slot now. Call it when a buyer opens a model's page."""
        with self._lock:
            try:
                self._make_resident(key)
                return True
            except NoFreeSlot:
                return False

    def erase(self, key: str) -> bool:
        """Forget ``key`` everywhere: its slot is zeroed now, its CPU copy and loader dropped.
        Returns whether anything was held. Rows still using it must be failed by the caller."""
        with self._lock:
            held = key in self._loaders or key in self._slots or key in self._cpu
            slot = self._slots.pop(key, None)
            if slot is not None:
                self.bank.clear(slot)
                self._free.append(slot)
            self._cpu.pop(key, None)
            self._loaders.pop(key, None)
            self._pinned.discard(key)
            self._in_use.pop(key, None)
            return held

    # ---- what the scheduler does ---------------------------------------------------------

    def acquire(self, key: str) -> int:
        """The slot holding ``key``, loaded if needed, counted as in use until ``release``.
        Raises UnknownAdapter, AdapterError (refused at load) or NoFreeSlot."""
        with self._lock:
            slot = self._make_resident(key)
            self._in_use[key] += 1
            return slot

    def release(self, key: str) -> None:
        with self._lock:
            if self._in_use[key] <= 1:
                self._in_use.pop(key, None)
            else:
                self._in_use[key] -= 1

    # ---- reading -----------------------------------------------------------------------

    def resident(self) -> list[str]:
        """Keys in slots, least recently used first."""
        with self._lock:
            return list(self._slots)

    def in_cpu_tier(self) -> list[str]:
        with self._lock:
            return list(self._cpu)

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(
                resident=len(self._slots),
                cpu=len(self._cpu),
                pinned=len(self._pinned),
                slots=self.bank.slots,
                loads=self._loads,
                storage_reads=self._storage_reads,
            )

    # ---- internals -------------------------------------------------------------------------

    def _make_resident(self, key: str) -> int:
        slot = self._slots.get(key)
        if slot is not None:
            self._slots.move_to_end(key)
            return slot
        weights = self._cpu.get(key)
        if weights is None:
            weights = self._read(key)
        # Refused adapters (rank, base model, shapes) never take a slot or a CPU-tier place.
        self.bank.check(weights)
        try:
            slot = self._free_slot()
        except NoFreeSlot:
            self._to_cpu(key, weights)  # read once: it waits in the CPU tier for a slot
            raise
        self.bank.load(slot, weights)
        self._loads += 1
        self._slots[key] = slot
        # One copy: the slot. On eviction it is read back from the slot into the CPU tier.
        self._cpu.pop(key, None)
        return slot

    def _read(self, key: str) -> LoraWeights:
        loader = self._loaders.get(key)
        if loader is None:
            raise UnknownAdapter(key)
        self._storage_reads += 1
        return loader()

    def _free_slot(self) -> int:
        if self._free:
            return self._free.pop()
        for victim in self._slots:
            if victim not in self._pinned and victim not in self._in_use:
                slot = self._slots.pop(victim)
                if self.cpu_capacity:
                    self._to_cpu(victim, self.bank.read(slot))
                return slot
        raise NoFreeSlot()

    def _to_cpu(self, key: str, weights: LoraWeights) -> None:
        if self.cpu_capacity == 0:
            return
        self._cpu[key] = weights
        self._cpu.move_to_end(key)
        while len(self._cpu) > self.cpu_capacity:
            self._cpu.popitem(last=False)
