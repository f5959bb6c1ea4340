"""The freelancer's knowledge, as passages with vectors: gigs and their packages, the
profile, the FAQ, availability, the AI model offer, and the freelancer's own past replies.

``reindex`` makes the stored passages match the sources: each passage has a key naming its
source and a hash of its text, so only new or changed passages are embedded, and passages
whose source is gone are deleted. It is cheap when nothing changed (reads and hashes), so
the assistant calls it before answering, and a job calls it when settings or the FAQ change.

An FAQ entry is stored with two vectors (its question; its question with the answer) and found
as one passage. ``index_for`` keeps each freelancer's decoded vectors per process while the
stored rows are unchanged, so a turn does not read and decode them again.

Past replies: only the freelancer's own messages, and only those without digits, e-mail
addresses or links. A figure in an old reply may be a custom price for another buyer, and an
address may be theirs: neither is a fact the assistant may repeat to someone else.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from twinwork.account.models import User
from twinwork.assistant import embedding
from twinwork.assistant.models import KnowledgeChunk
from twinwork.assistant.repository import (
    faq_repository,
    knowledge_repository,
    read_repository,
    settings_repository,
)
from twinwork.assistant.tools import describe_hours
from twinwork.catalog.repository import profile_repository
from twinwork.catalog.service import gig_service
from twinwork.creation.service import creation_service
from twinwork.kit.db import unit_of_work
from twinwork.kit.money import format_amount
from twinwork.kit.signing import sha256_hex

MAX_PASSAGE_CHARS = 900
_PRIVATE_BITS = re.compile(r"\d|@|https?://|www\.", re.IGNORECASE)


@dataclass(frozen=True)
class Source:
    key: str
    source: str
    title: str
    text: str
    answer: str = ""
    ref: int | None = None

    @property
    def digest(self) -> str:
        return sha256_hex("\x1f".join((self.source, self.title, self.text, self.answer)).encode())


@dataclass(frozen=True)
class Passage:
    key: str
    source: str
    title: str
    text: str
    answer: str
    score: float

    @property
    def ref(self) -> int | None:
        """The id in the key ("gig:12" -> 12)."""
        parts = self.key.split(":")
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_PASSAGE_CHARS else text[: MAX_PASSAGE_CHARS - 1] + "\u2026"


async def sources(session: AsyncSession, user_id: int) -> list[Source]:
    """Every passage the freelancer's data yields today."""
    found: list[Source] = []
    user = await session.get(User, user_id)
    name = user.display_name if user is not None else "The freelancer"
    for gig in await gig_service.published_by(session, user_id):
        found.append(
            Source(f"gig:{gig.id}", "gig", gig.title, _clip(f"{gig.title}. {gig.description}"))
        )
        for package in gig.packages:
            price = format_amount(package.price_amount, package.currency)
            found.append(
                Source(
                    f"package:{gig.id}:{package.name}",
                    "package",
                    f"{gig.title}: {package.name} package",
                    _clip(
                        f'{gig.title}, {package.name} package "{package.title}": '
                        f"{package.summary} Price {price}, delivery in {package.delivery_days} "
                        f"days, {package.revisions} revisions."
                    ),
                    ref=gig.id,
                )
            )
        if gig.requirements.strip():
            found.append(
                Source(
                    f"requirements:{gig.id}",
                    "requirements",
                    f'What {name} asks for "{gig.title}"',
                    _clip(gig.requirements),
                )
            )
    profile = await profile_repository.get(session, user_id)
    if profile is not None and (profile.headline or profile.bio or profile.skills):
        skills = ", ".join(profile.skills)
        found.append(
            Source(
                "profile",
                "profile",
                f"About {name}",
                _clip(f"{profile.headline}. {profile.bio} Skills: {skills}."),
            )
        )
    for entry in await faq_repository.all_for(session, user_id):
        # The question is what a buyer's paraphrase is compared with; the answer is quoted.
        found.append(Source(f"faq:{entry.id}", "faq", entry.question, entry.question, entry.answer))
        # And the question with its answer: a buyer's words may echo the answer instead.
        found.append(
            Source(
                f"faq:{entry.id}:qa",
                "faq",
                entry.question,
                _clip(f"{entry.question} {entry.answer}"),
                entry.answer,
            )
        )
    settings = await settings_repository.get(session, user_id)
    if settings is not None:
        found.append(
            Source(
                "availability",
                "availability",
                "Availability",
                f"{name} usually answers messages {describe_hours(settings)}.",
            )
        )
    for model in await creation_service.active_for_owners(session, [user_id]):
        if model.price_amount is None:
            continue
        price = format_amount(model.price_amount, model.currency)
        found.append(
            Source(
                f"model:{model.id}",
                "model",
                f"{name}'s AI model",
                f'AI-made work from {name}\'s own model "{model.name}": {price} per use, '
                f"licence for {model.license_scope} use.",
            )
        )
    for message in await read_repository.freelancer_replies(session, user_id):
        text = " ".join(message.text.split())
        if len(text) < 40 or _PRIVATE_BITS.search(text):
            continue
        found.append(Source(f"reply:{message.id}", "reply", f"{name}'s earlier reply", _clip(text)))
    return found


@dataclass(frozen=True)
class Changes:
    stale: list[int]
    """Ids of stored passages whose source is gone or changed."""
    fresh: list[Source]
    """Passages to embed and store."""

    def __bool__(self) -> bool:
        return bool(self.stale or self.fresh)


async def changes(session: AsyncSession, user_id: int) -> Changes:
    wanted = {source.key: source for source in await sources(session, user_id)}
    stored = await knowledge_repository.hashes(session, user_id)
    return Changes(
        stale=[
            row_id
            for key, (row_id, digest) in stored.items()
            if key not in wanted or wanted[key].digest != digest
        ],
        fresh=[
            source
            for key, source in wanted.items()
            if key not in stored or stored[key][1] != source.digest
        ],
    )


async def store(
    session: AsyncSession, user_id: int, found: Changes, vectors: embedding.Vectors
) -> int:
    """Write what ``changes`` found, with the vectors of its fresh passages. Read again
    first: another worker may have stored some of them meanwhile."""
    stored = await knowledge_repository.hashes(session, user_id)
    current = {row_id for row_id, _ in stored.values()}
    doomed = [row_id for row_id in found.stale if row_id in current]
    rows = []
    for source, vector in zip(found.fresh, vectors, strict=True):
        existing = stored.get(source.key)
        if existing is not None and existing[1] == source.digest:
            continue
        if existing is not None and existing[0] not in doomed:
            doomed.append(existing[0])
        rows.append(
            KnowledgeChunk(
                user_id=user_id,
                key=source.key,
                source=source.source,
                title=source.title[:200],
                text=source.text,
                answer=source.answer,
                content_hash=source.digest,
                vector=embedding.to_bytes(vector),
            )
        )
    await knowledge_repository.delete_ids(session, doomed)
    await session.flush()
    try:
        async with session.begin_nested():
            await knowledge_repository.add_all(session, rows)
    except IntegrityError:
        return 0  # stored by another worker at the same moment: theirs is as good
    # Passages, an FAQ entry counting once (its two vectors are one passage to the reader).
    return len({_entry_key(row.key) for row in rows})


async def reindex(session: AsyncSession, user_id: int) -> int:
    """Bring the stored passages in line with the sources, in one unit of work (jobs);
    returns how many passages were embedded (an FAQ entry counting once)."""
    found = await changes(session, user_id)
    if not found:
        return 0
    return await store(session, user_id, found, embedding.embed([s.text for s in found.fresh]))


async def refresh(sessionmaker: async_sessionmaker[AsyncSession], user_id: int) -> int:
    """The same as ``reindex``, with the embedding outside any transaction and off the event
    loop (the responder, which runs in the buyer's request)."""
    async with unit_of_work(sessionmaker, writes=False) as session:
        found = await changes(session, user_id)
    if not found:
        return 0
    vectors = await embedding.embed_off_loop([s.text for s in found.fresh])
    async with unit_of_work(sessionmaker) as session:
        return await store(session, user_id, found, vectors)


@dataclass(frozen=True)
class Index:
    """A freelancer's stored passages with their vectors decoded into one matrix, kept per
    process: a turn searches it twice or more, and it changes only when a passage does."""

    signature: frozenset[tuple[int, str, str]]
    """(row id, key, content hash) of every passage: stored rows never change in place (a
    changed passage is a new row), so an equal signature means equal passages and vectors."""
    passages: tuple[Passage, ...]
    matrix: embedding.Vectors

    def search(
        self,
        query: embedding.Vectors,
        *,
        sources_only: Sequence[str] | None = None,
        limit: int = 5,
    ) -> list[Passage]:
        """The passages most like ``query`` (a unit vector), best first."""
        if not self.passages:
            return []
        scores = embedding.cosine(query, self.matrix)
        found = []
        seen: set[str] = set()
        for i in np.argsort(-scores):
            passage = self.passages[int(i)]
            if sources_only is not None and passage.source not in sources_only:
                continue
            if passage.key in seen:
                continue  # an FAQ entry's other vector, less close
            seen.add(passage.key)
            found.append(dataclasses.replace(passage, score=float(scores[int(i)])))
            if len(found) == limit:
                break
        return found


def _entry_key(key: str) -> str:
    """An FAQ entry is stored twice (its question; its question with the answer) and found
    as one passage, "faq:<id>", at the closer of its two scores."""
    return key.removesuffix(":qa")


INDEX_CACHE_SIZE = 256
_indexes: OrderedDict[int, Index] = OrderedDict()
_indexes_lock = threading.Lock()


async def index_for(session: AsyncSession, user_id: int) -> Index:
    """The freelancer's index: from the process's cache when no passage changed (one light
    query of ids and hashes), else read with the vectors and decoded once."""
    stored = await knowledge_repository.hashes(session, user_id)
    signature = frozenset((row_id, key, digest) for key, (row_id, digest) in stored.items())
    with _indexes_lock:
        cached = _indexes.get(user_id)
        if cached is not None and cached.signature == signature:
            _indexes.move_to_end(user_id)
            return cached
    chunks = await knowledge_repository.for_user(session, user_id)
    index = Index(
        frozenset((chunk.id, chunk.key, chunk.content_hash) for chunk in chunks),
        tuple(
            Passage(_entry_key(chunk.key), chunk.source, chunk.title, chunk.text, chunk.answer, 0.0)
            for chunk in chunks
        ),
        embedding.from_bytes([chunk.vector for chunk in chunks]),
    )
    with _indexes_lock:
        _indexes[user_id] = index
        _indexes.move_to_end(user_id)
        while len(_indexes) > INDEX_CACHE_SIZE:
            _indexes.popitem(last=False)
    return index


async def retrieve(
    session: AsyncSession,
    user_id: int,
    query: str | embedding.Vectors,
    *,
    sources_only: Sequence[str] | None = None,
    limit: int = 5,
) -> list[Passage]:
    """The freelancer's passages most like ``query``, best first (brute-force cosine)."""
    index = await index_for(session, user_id)
    if not index.passages:
        return []
    vector = embedding.embed([query])[0] if isinstance(query, str) else query
    return index.search(vector, sources_only=sources_only, limit=limit)
