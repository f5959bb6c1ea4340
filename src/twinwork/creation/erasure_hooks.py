"""What the domains built on creation delete or keep when a personal model is erased.

Creation owns erasure, but not everything made with a model: generation holds its previews,
licences and certificates. Creation cannot import generation (generation builds on it), so
generation registers a participant here when its service module is imported; every process
imports it through ``twinwork.domains.load_domains()``. Erasing with no participant registered
is refused rather than signing a receipt that silently leaves the previews out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession


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
