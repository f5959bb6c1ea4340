"""What other domains add to a personal model's pages, whatever its modality.

Creation owns the freelancer's model page and generation the public one, but some pieces of a
model live in the domains built on creation (a voice model's verification and held-out takes,
in ``voice``). Creation cannot import those, so they register a section here when their
service module is imported (every process imports it through ``twinwork.domains``), like the
training gates. A section answers for any model and returns nothing for a model it has no
part in; the pages show what the sections return without knowing what they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.creation.models import PersonalModel


@dataclass(frozen=True)
class ModelLink:
    """A page of the model's, for its owner: where it is and what state it says."""

    label: str
    href: str
    note: str = ""
    """A few words of state beside the link ("Verified", "Not verified yet")."""


class ModelPageSection(Protocol):
    name: str

    async def owner_links(self, session: AsyncSession, model: PersonalModel) -> Sequence[ModelLink]:
        """Links for the model's owner, on the model page."""
        ...

    async def public_notes(self, session: AsyncSession, model: PersonalModel) -> Sequence[str]:
        """Sentences for anyone, on the model's public page (evidence a buyer can weigh)."""
        ...


_sections: dict[str, ModelPageSection] = {}


def register_model_page_section(section: ModelPageSection) -> None:
    """Register ``section`` under its name (once, however often its module is imported)."""
    existing = _sections.get(section.name)
    if existing is not None and type(existing) is not type(section):
        raise ValueError(f"another model page section is named {section.name!r}")
    _sections[section.name] = section


def unregister_model_page_section(name: str) -> ModelPageSection:
    return _sections.pop(name)


async def owner_links(session: AsyncSession, model: PersonalModel) -> list[ModelLink]:
    found: list[ModelLink] = []
    for section in _sections.values():
        found.extend(await section.owner_links(session, model))
    return found


async def public_notes(session: AsyncSession, model: PersonalModel) -> list[str]:
    found: list[str] = []
    for section in _sections.values():
        found.extend(await section.public_notes(session, model))
    return found
