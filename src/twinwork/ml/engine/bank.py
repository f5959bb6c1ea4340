"""The adapter bank: one copy of the base weights, and per target linear layer a bank of slots.

Every target ``nn.Linear`` of the base is wrapped in a ``BankedLinear`` holding, for ``S``
slots, stacked and zero-padded factors: A as ``[S, r_max, in]`` and B, transposed, as
``[S, r_max, out]`` (so the rows gathered for a batch are contiguous). A batch whose rows each
name a slot (-1: no adapter) runs the base layer once for every row, then adds the low-rank
update for the rows with adapters only, with two gathered batched matmuls (S-LoRA / Punica's
BGMV, in plain torch):

    y = x·Wᵀ;  y[rows] += bmm(bmm(x[rows], A[slots]ᵀ), Bᵀ[slots])

Decoding is bound by reading weights from memory, so the price of B distinct adapters over the
bare base is about ``B · rho`` (rho = adapter parameters / base parameters): the factors are
sliced to the largest rank in the batch, never the bank's padded maximum. Loading an adapter is
a copy into a free slot; no module is rebuilt.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn

from twinwork.ml.engine.weights import AdapterError, LoraFactors, LoraWeights

DEFAULT_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
NO_ADAPTER = -1


@dataclass(frozen=True)
class BatchPlan:
    """Which rows of the batch in flight carry an adapter, built once per forward pass and
    read by every banked layer."""

    rows: torch.Tensor | None
    """Indices of the rows with an adapter; None when every row has one (no gather needed)."""
    slots: torch.Tensor
    """The slot of each of those rows."""
    rank: int
    """The largest rank among those slots: the factors are sliced to it."""
    single: int | None = None
    """The slot, when every row with an adapter uses the same one: two plain matmuls then,
    with no gathered copies of the factors."""


class BankedLinear(nn.Module):
    """A base linear layer plus ``slots`` LoRA slots; reads the batch plan from its bank."""

    lora_a: torch.Tensor
    lora_bt: torch.Tensor

    def __init__(self, base: nn.Linear, bank: AdapterBank, slots: int, max_rank: int) -> None:
        super().__init__()
        self.base = base
        # Not a submodule: the bank owns its layers, not the other way round.
        self._bank = (bank,)
        weight = base.weight
        self.in_features = base.in_features
        self.out_features = base.out_features
        dtype, device = bank.dtype or weight.dtype, weight.device
        self.register_buffer(
            "lora_a", torch.zeros(slots, max_rank, self.in_features, dtype=dtype, device=device)
        )
        self.register_buffer(
            "lora_bt", torch.zeros(slots, max_rank, self.out_features, dtype=dtype, device=device)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y: torch.Tensor = self.base(x)
        plan = self._bank[0].plan
        if plan is None:
            return y
        if plan.single is not None:
            xs = x if plan.rows is None else x.index_select(0, plan.rows)
            h = xs.to(self.lora_a.dtype) @ self.lora_a[plan.single, : plan.rank].T
            delta = (h @ self.lora_bt[plan.single, : plan.rank]).to(y.dtype)
            if plan.rows is None:
                y += delta
            else:
                y.index_add_(0, plan.rows, delta)
            return y
        a = self.lora_a[plan.slots, : plan.rank]  # [m, r, in]
        bt = self.lora_bt[plan.slots, : plan.rank]  # [m, r, out]
        if plan.rows is None:
            h = torch.bmm(x.to(a.dtype), a.transpose(1, 2))
            y += torch.bmm(h, bt).to(y.dtype)
        else:
            h = torch.bmm(x.index_select(0, plan.rows).to(a.dtype), a.transpose(1, 2))
            y.index_add_(0, plan.rows, torch.bmm(h, bt).to(y.dtype))
        return y


class AdapterBank:
    """Installs banked layers into a loaded base model and manages its slots.

    Slot numbers are handed out by the caller (the adapter cache); this class copies factors in,
    wipes them, and sets which slot each row of the next forward pass uses. Thread-safe for slot
    writes; forward passes must not run while ``use`` is set by another thread (the scheduler
    runs them all on one thread).
    """

    def __init__(
        self,
        model: nn.Module,
        *,
        slots: int,
        max_rank: int,
        targets: Iterable[str] = DEFAULT_TARGETS,
        base_model: str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        if slots < 1:
            raise ValueError("an adapter bank needs at least one slot")
        if max_rank < 1:
            raise ValueError("max_rank must be positive")
        self.slots = slots
        self.max_rank = max_rank
        self.base_model = base_model
        self.dtype = dtype
        self.plan: BatchPlan | None = None
        self._lock = threading.Lock()
        self._ranks = [0] * slots
        self._model = model
        targets = frozenset(targets)
        self.layers: dict[str, BankedLinear] = {}
        for name, module in list(model.named_modules()):
            if name.rsplit(".", 1)[-1] in targets and isinstance(module, nn.Linear):
                banked = BankedLinear(module, self, slots, max_rank)
                parent_name, _, child = name.rpartition(".")
                setattr(model.get_submodule(parent_name), child, banked)
                self.layers[name] = banked
        if not self.layers:
            raise ValueError(f"the model has no linear layers named {sorted(targets)}")

    # ---- slots -------------------------------------------------------------------------

    def check(self, weights: LoraWeights) -> None:
        """Raise AdapterError if ``weights`` cannot be served by this bank (rank, base model,
        layer names or shapes); nothing is written."""
        if weights.rank > self.max_rank:
            raise AdapterError(
                f"adapter rank {weights.rank} exceeds this engine's maximum rank {self.max_rank}"
            )
        if self.base_model and weights.base_model and weights.base_model != self.base_model:
            raise AdapterError(
                f"adapter was trained for base model {weights.base_model!r}, "
                f"not {self.base_model!r}"
            )
        for name, factors in weights.layers.items():
            layer = self.layers.get(name)
            if layer is None:
                raise AdapterError(f"adapter targets {name}, which is not a banked layer")
            if (factors.in_features, factors.out_features) != (
                layer.in_features,
                layer.out_features,
            ):
                raise AdapterError(
                    f"adapter does not fit this base model at {name}: "
                    f"{factors.out_features}x{factors.in_features}, "
                    f"expected {layer.out_features}x{layer.in_features}"
                )

    @torch.no_grad()
    def load(self, slot: int, weights: LoraWeights) -> None:
        """Copy an adapter into ``slot`` (checked first: a refused adapter writes nothing)."""
        self._check_slot(slot)
        self.check(weights)
        with self._lock:
            self._ranks[slot] = 0  # a half-written slot is never used with a stale rank
            for name, layer in self.layers.items():
                factors = weights.layers.get(name)
                a, bt = layer.lora_a[slot], layer.lora_bt[slot]
                if factors is None:
                    a.zero_()
                    bt.zero_()
                    continue
                r = factors.rank
                a[:r].copy_(factors.a)
                a[r:].zero_()
                bt[:r].copy_(factors.b.T)
                bt[r:].zero_()
            self._ranks[slot] = weights.rank

    @torch.no_grad()
    def clear(self, slot: int) -> None:
        """Zero a slot in every layer (erasure: the weights are gone from memory at once)."""
        self._check_slot(slot)
        with self._lock:
            for layer in self.layers.values():
                layer.lora_a[slot].zero_()
                layer.lora_bt[slot].zero_()
            self._ranks[slot] = 0

    @torch.no_grad()
    def read(self, slot: int) -> LoraWeights:
        """A copy of the factors in ``slot`` (in the bank's dtype, at the slot's rank), for the
        CPU tier of an evicted adapter; layers the adapter left untouched are left out."""
        self._check_slot(slot)
        with self._lock:
            r = self._ranks[slot]
            layers = {}
            for name, layer in self.layers.items():
                a, bt = layer.lora_a[slot, :r], layer.lora_bt[slot, :r]
                if r and (a.any() or bt.any()):
                    layers[name] = LoraFactors(a=a.clone(), b=bt.T.clone())
        return LoraWeights(layers=layers, base_model=self.base_model)

    def rank(self, slot: int) -> int:
        return self._ranks[slot]

    @property
    def nbytes_per_slot(self) -> int:
        return sum(
            (layer.lora_a[0].nbytes + layer.lora_bt[0].nbytes) for layer in self.layers.values()
        )

    def _check_slot(self, slot: int) -> None:
        if not 0 <= slot < self.slots:
            raise IndexError(f"slot {slot} is outside 0..{self.slots - 1}")

    # ---- forward passes ------------------------------------------------------------------

    @contextmanager
    def use(self, row_slots: Sequence[int]) -> Iterator[None]:
        """Run forward passes inside this block with row ``i`` of the batch on slot
        ``row_slots[i]`` (NO_ADAPTER: the plain base)."""
        self.plan = self.plan_for(row_slots)
        try:
            yield
        finally:
            self.plan = None

    def plan_for(self, row_slots: Sequence[int]) -> BatchPlan | None:
        rows = [i for i, s in enumerate(row_slots) if s != NO_ADAPTER]
        for i in rows:
            self._check_slot(row_slots[i])
        rank = max((self._ranks[row_slots[i]] for i in rows), default=0)
        if rank == 0:
            return None
        device = next(iter(self.layers.values())).lora_a.device
        used = [row_slots[i] for i in rows]
        slots = torch.tensor(used, device=device)
        index = None if len(rows) == len(row_slots) else torch.tensor(rows, device=device)
        single = used[0] if len(set(used)) == 1 else None
        return BatchPlan(rows=index, slots=slots, rank=rank, single=single)
