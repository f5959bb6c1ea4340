"""Checks other domains add before a personal model trains, whatever its modality.

Creation owns training, but a modality may need a step of its own first (a voice model: proof
that the voice is the freelancer's). Creation cannot import the domains built on it, so they
register a gate here when their service module is imported (every process imports it through
``twinwork.domains.load_domains()``). A gate refuses by raising a ``DomainError`` with the
reason, and may record evidence against the run: it runs in the unit of work that queues the
run, so a refusal leaves no run behind.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.creation.models import PersonalModel, TrainingRun


class TrainingGate(Protocol):
    name: str

    async def before_training(
        self, session: AsyncSession, model: PersonalModel, run: TrainingRun
    ) -> None:
        """Raise a DomainError to refuse; ``run`` is flushed (it has its id)."""
        ...


_gates: dict[str, TrainingGate] = {}


def register_training_gate(gate: TrainingGate) -> None:
    """Register ``gate`` under its name (once, however often its module is imported)."""
    existing = _gates.get(gate.name)
    if existing is not None and type(existing) is not type(gate):
        raise ValueError(f"another training gate is named {gate.name!r}")
    _gates[gate.name] = gate


def unregister_training_gate(name: str) -> TrainingGate:
    return _gates.pop(name)


def training_gates() -> tuple[TrainingGate, ...]:
    return tuple(_gates.values())


async def check_training_gates(
    session: AsyncSession, model: PersonalModel, run: TrainingRun
) -> None:
    for gate in _gates.values():
        await gate.before_training(session, model, run)
