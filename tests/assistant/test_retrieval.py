"""Retrieval with the real all-MiniLM-L6-v2 (loaded once per test process): paraphrased
questions find the freelancer's own FAQ entry, re-indexing embeds only what changed, and one
freelancer's knowledge never answers for another."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import create_user
from tests.assistant.factories import FAQ
from tests.catalog.factories import create_gig
from twinwork.account.models import User
from twinwork.assistant.knowledge import reindex, retrieve
from twinwork.assistant.models import FaqEntry
from twinwork.assistant.reply import FAQ_THRESHOLD

PARAPHRASES = [
    ("What formats will the files be in?", 0),
    ("What file types are included?", 0),
    ("Can we sign an NDA first?", 1),
    ("What should I send you to get started?", 2),
    ("What do you need to begin?", 2),
    ("Can I print the logo on t-shirts?", 3),
]
UNRELATED = ["What is your favourite film?", "Do you also build websites?", "Where were you born?"]


async def freelancer_with_faq(session: AsyncSession) -> tuple[User, list[FaqEntry]]:
    user = await create_user(session, roles=("freelancer",))
    entries = [FaqEntry(user_id=user.id, question=f["q"], answer=f["a"]) for f in FAQ]
    session.add_all(entries)
    await session.flush()
    return user, entries


@pytest.mark.parametrize(("question", "expected"), PARAPHRASES)
async def test_a_paraphrased_question_finds_its_faq_entry(
    session: AsyncSession, question: str, expected: int
) -> None:
    user, entries = await freelancer_with_faq(session)
    await reindex(session, user.id)
    [best] = await retrieve(session, user.id, question, sources_only=("faq",), limit=1)
    assert best.key == f"faq:{entries[expected].id}"
    assert best.answer == FAQ[expected]["a"]
    assert best.score >= FAQ_THRESHOLD


async def test_unrelated_questions_stay_below_the_faq_threshold(session: AsyncSession) -> None:
    user, _ = await freelancer_with_faq(session)
    await reindex(session, user.id)
    for question in UNRELATED:
        [best] = await retrieve(session, user.id, question, sources_only=("faq",), limit=1)
        assert best.score < FAQ_THRESHOLD, (question, best)


async def test_reindexing_embeds_only_what_changed_and_drops_what_is_gone(
    session: AsyncSession,
) -> None:
    user, entries = await freelancer_with_faq(session)
    await create_gig(session, user)
    first = await reindex(session, user.id)
    assert first == len(FAQ) + 1 + 2 + 0  # FAQ, the gig, its two packages (no requirements)
    assert await reindex(session, user.id) == 0

    entries[0].answer = "Only PNG files."
    await session.delete(entries[1])
    await session.flush()
    assert await reindex(session, user.id) == 1
    found = await retrieve(session, user.id, "Can we sign an NDA first?", sources_only=("faq",))
    assert all(p.key != f"faq:{entries[1].id}" for p in found)
    [formats] = await retrieve(
        session, user.id, "What file types are included?", sources_only=("faq",), limit=1
    )
    assert formats.answer == "Only PNG files."


async def test_one_freelancers_knowledge_never_answers_for_another(session: AsyncSession) -> None:
    user, _ = await freelancer_with_faq(session)
    other = await create_user(session, roles=("freelancer",))
    await reindex(session, user.id)
    await reindex(session, other.id)
    assert await retrieve(session, other.id, "What file types are included?") == []
