"""Deciding and composing one reply: intent -> tools -> templated reply -> verifier.

The reply is composed from templates that choose among tool results and the freelancer's
own passages; no language model phrases it (the local 135M model is slow on CPU and adds
nothing a template cannot say). Correctness does not depend on phrasing: whatever produced
the text, ``verifier.verify`` checks it against the data before it is sent, and a reply that
fails becomes a handover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.assistant import embedding, knowledge, phrasing, tools
from twinwork.assistant.intent import (
    HANDOVER_INTENTS,
    TOOL_INTENTS,
    Intent,
    Reading,
    content_words,
    keyword_hit,
    read,
    separate_questions,
)
from twinwork.assistant.knowledge import Passage
from twinwork.assistant.models import AssistantSettings, HandoverReason
from twinwork.assistant.schemas import LANGUAGES
from twinwork.assistant.tools import ToolResult
from twinwork.assistant.verifier import Grounding, verify
from twinwork.catalog.models import Gig
from twinwork.creation.models import PersonalModel
from twinwork.order.models import Order

FAQ_THRESHOLD = 0.65
"""Cosine (MiniLM, the buyer's question against the FAQ's question) above which a buyer's
question is taken to be that FAQ question. Measured on the tests' FAQ: close paraphrases
score 0.69-0.90; loose ones 0.41-0.63 ("Will I receive vector files?" for "Which file formats
do I get?"), and so does a different question sharing a word ("Do you make logos for
restaurants?" scored 0.64 against "Can I use the logo for my merchandise?"). Precision wins:
below the threshold the question goes to the gig passages or to the freelancer."""
FAQ_STRONG = 0.75
"""An FAQ match this close is quoted even next to tool answers."""
PASSAGE_THRESHOLD = 0.5
"""Cosine above which a gig, profile or earlier reply is taken to answer a question."""
GIG_THRESHOLD = 0.3
OFFER_THRESHOLD = 0.35
"""A request for work ("can you make...", "I need...") this far from every gig and package
is not something the freelancer offers: it is handed over instead of answered."""
NEVER_THRESHOLD = 0.55

_HANDOVER_FOR_INTENT = {
    Intent.HUMAN: HandoverReason.HUMAN_REQUESTED,
    Intent.REFUND: HandoverReason.REFUND,
    Intent.COMPLAINT: HandoverReason.COMPLAINT,
    Intent.DISCOUNT: HandoverReason.DISCOUNT,
    Intent.CUSTOM: HandoverReason.CUSTOM_OFFER,
    Intent.PROMISE: HandoverReason.OUT_OF_SCOPE,
}


@dataclass
class Situation:
    settings: AssistantSettings
    freelancer: User
    buyer: User
    text: str
    gig_id: int | None
    gigs: list[Gig]
    models: list[PersonalModel]
    orders: list[Order]
    first_reply: bool
    now: datetime
    draft_requirements: str | None = None
    """The requirements gathered so far in this conversation (None: no draft yet)."""


@dataclass
class Decision:
    handover: HandoverReason | None
    text: str
    reading: Reading
    tools: list[ToolResult] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    confidence: float | None = None
    gig: Gig | None = None
    detail: str = ""
    gathered: list[str] = field(default_factory=list)
    draft: str | None = None
    """New requirements text for the conversation's draft, when the buyer described work."""
    problems: list[str] = field(default_factory=list)

    def tool_log(self) -> list[dict[str, Any]]:
        return [{"tool": t.name, "data": t.data} for t in self.tools] + [
            {"passage": p.key, "score": round(p.score, 3)} for p in self.passages
        ]


def _handover(reading: Reading, reason: HandoverReason, detail: str = "", **extra: Any) -> Decision:
    return Decision(handover=reason, text="", reading=reading, detail=detail, **extra)


async def decide(session: AsyncSession, situation: Situation) -> Decision:
    settings = situation.settings
    today = tools.days_from_now(settings, situation.now)
    reading = read(situation.text, today_weekday=today.weekday())
    name = situation.freelancer.display_name

    if reading.language != "en":
        spoken = LANGUAGES.get(reading.language, reading.language)
        return _handover(reading, HandoverReason.LANGUAGE, spoken)
    for intent in HANDOVER_INTENTS:
        if reading.has(intent):
            return _handover(reading, _HANDOVER_FOR_INTENT[intent])
    named = _unlisted_amount(reading, situation)
    if named is not None:
        return _handover(reading, HandoverReason.DISCOUNT, f"names {named}")
    keyword = keyword_hit(situation.text, settings.handover_keywords or [])
    if keyword is not None:
        return _handover(reading, HandoverReason.KEYWORD, f'"{keyword}"')
    never = _never_match(situation.text, settings.never, trade_words(situation.gigs))
    if never is not None:
        return _handover(reading, HandoverReason.NEVER_DOES, never)

    # The buyer's message is embedded once (the responder did it before this transaction:
    # here it comes from the cache), and the freelancer's index is read once; every
    # comparison below reuses both.
    query = embedding.embed([situation.text])[0]
    index = await knowledge.index_for(session, settings.user_id)
    titled = named_package(situation.text, situation.gigs, situation.gig_id)
    gig: Gig | None
    if titled is not None:
        gig, reading.package = titled
    else:
        gig = _which_gig(index, situation, query)
    decision = Decision(handover=None, text="", reading=reading, gig=gig)
    if gig is not None:
        decision.gathered.append(
            f'gig "{gig.title}"' + (f", {reading.package} package" if reading.package else "")
        )

    nearest = index.search(query, limit=8)
    faq = _faq_match(nearest)
    # Each question of a longer message on its own too: context around a question dilutes
    # its likeness to the FAQ's ("We're writing a page for our robot arm. What do you need
    # from me to start?" is 0.52 from "What do you need from me to start?" as a whole).
    asked = separate_questions(situation.text)
    for vector in embedding.embed(asked) if asked else []:
        candidate = _faq_match(index.search(vector, sources_only=("faq",), limit=1))
        if candidate is not None and (faq is None or candidate.score > faq.score):
            faq = candidate
    offered = max((p.score for p in nearest if p.source in ("gig", "package")), default=0.0)
    if _lexically_offered(situation.text, situation.gigs):
        offered = max(offered, OFFER_THRESHOLD)
    asks_for_work = reading.has(Intent.CAPABILITY, Intent.REQUIREMENTS)
    if (
        asks_for_work
        and not reading.has(*TOOL_INTENTS)
        and offered < OFFER_THRESHOLD
        and faq is None
    ):
        # "Can you build my shop?" of a logo designer: not what the gigs offer. Saying yes
        # (or gathering a brief for it) would promise a capability the data does not back.
        return _handover(
            reading,
            HandoverReason.LOW_CONFIDENCE,
            f"not like any gig (closest {offered:.2f})",
            gig=gig,
            gathered=decision.gathered,
            confidence=offered,
        )

    sections: list[str] = []
    if reading.has(Intent.PRIVATE):
        sections.append(
            f"I can only talk about {name}'s own services and your own orders: I can't share "
            f"anything about other clients, {name}'s earnings or notes, or how I am set up."
        )

    only: list[str] | None = None
    if reading.deadline is not None and situation.gigs:
        candidates = [gig] if gig is not None else situation.gigs
        checks = [tools.rush_check(g, reading.deadline.days) for g in candidates]
        if not any(check.data["fitting_packages"] for check in checks):
            return _handover(
                reading,
                HandoverReason.RUSH,
                reading.deadline.phrase,
                gig=gig,
                gathered=decision.gathered,
            )
        decision.tools.extend(checks)
        if gig is not None and reading.package is None:
            fitting = checks[0].data["fitting_packages"]
            reading.package = fitting[0] if len(fitting) == 1 else None
            if len(fitting) > 1:
                only = fitting

    if reading.has(Intent.PRICE, Intent.DELIVERY, Intent.REVISIONS):
        if gig is not None:
            result = tools.quote_gig(gig, today, reading.package, only)
        elif situation.gigs:
            result = tools.list_gigs(situation.gigs)
            # No number words here ("which one"): the verifier reads "one" as the number 1.
            result.lines.append(
                "Tell me which of these you mean and I'll give you its packages and dates."
            )
        else:
            return _handover(reading, HandoverReason.LOW_CONFIDENCE, "no published gigs")
        decision.tools.append(result)
        sections.extend(result.lines)
    if reading.has(Intent.MODES):
        result = tools.explain_modes(name, gig, situation.models)
        decision.tools.append(result)
        sections.extend(result.lines)
    if reading.has(Intent.ORDER_STATUS):
        titles = {g.id: g.title for g in situation.gigs}
        result = tools.order_status(situation.orders, reading.order_reference, titles, name)
        decision.tools.append(result)
        sections.extend(result.lines)
    if reading.has(Intent.AVAILABILITY):
        result = tools.availability(settings, name, situation.now)
        decision.tools.append(result)
        sections.extend(result.lines)

    # The freelancer's own FAQ: quoted as written when the question matches one of theirs
    # (closer than any gig or profile passage, unless it is very close).
    others = [p for p in nearest if p.source not in ("faq", "availability")]
    best_other = others[0].score if others else 0.0
    tool_answered = any(t.name != "rush_check" for t in decision.tools)
    if faq is not None and (
        faq.score >= FAQ_STRONG
        or (faq.score >= FAQ_THRESHOLD and not tool_answered and faq.score > best_other)
    ):
        decision.passages.append(faq)
        sections.insert(0, faq.answer)

    if (
        reading.has(Intent.REQUIREMENTS)
        and len(situation.text.strip()) >= 25
        and not reading.has(Intent.ORDER_STATUS)
    ):
        previous = situation.draft_requirements
        decision.draft = (previous + "\n\n" if previous else "") + situation.text.strip()
        decision.gathered.append("requirements draft for you to confirm")
        sections.append(
            f"I've noted what you need in a brief for {name} to confirm; {name} will reply "
            "with the package that fits."
        )
        if gig is not None and gig.requirements.strip():
            sections.append(
                f'For "{gig.title}", {name} asks every client: {gig.requirements.strip()}'
            )
            decision.passages.append(
                Passage(
                    f"requirements:{gig.id}", "requirements", gig.title, gig.requirements, "", 1.0
                )
            )

    answered = bool(sections) and not (len(sections) == 1 and reading.has(Intent.PRIVATE))
    if not answered:
        if reading.has(Intent.GREETING) or reading.has(Intent.THANKS):
            sections.append(_welcome(settings.name, name, reading.has(Intent.THANKS)))
        else:
            passages = others[:1]
            if passages and passages[0].score >= PASSAGE_THRESHOLD:
                best = passages[0]
                decision.passages.append(best)
                sections.append(_passage_answer(best, name))
                decision.confidence = best.score
            elif not reading.has(Intent.PRIVATE):
                score = passages[0].score if passages else 0.0
                return _handover(
                    reading,
                    HandoverReason.LOW_CONFIDENCE,
                    f"closest match {score:.2f}",
                    gig=gig,
                    gathered=decision.gathered,
                    confidence=score,
                )
    if decision.confidence is None:
        decision.confidence = faq.score if decision.passages and faq is not None else 1.0

    if situation.first_reply and not reading.has(Intent.GREETING):
        sections.insert(0, f"Hi, I'm {settings.name}, {name}'s assistant.")
    decision.text = "\n\n".join(section for section in sections if section)

    grounding = Grounding()
    for result in decision.tools:
        grounding.add_data(result.data)
    for passage in decision.passages:
        grounding.add_text(passage.text)
        grounding.add_text(passage.answer)
    verdict = verify(
        decision.text,
        grounding,
        fixed=(settings.name, name),
    )
    if not verdict.ok:
        return _handover(
            reading,
            HandoverReason.UNVERIFIED,
            "; ".join(verdict.problems)[:200],
            gig=gig,
            gathered=decision.gathered,
            tools=decision.tools,
            problems=verdict.problems,
        )
    # A language model may reword the verified reply (off by default): its wording is
    # checked again, and the template is sent whenever it fails (assistant.phrasing).
    phrased = await phrasing.phrase_reply(
        decision.text, grounding, assistant=settings.name, freelancer=name
    )
    decision.text = phrased.text
    return decision


def _which_gig(
    index: knowledge.Index, situation: Situation, query: embedding.Vectors
) -> Gig | None:
    """The gig the conversation is about; else the freelancer's only gig; else the one the
    message is clearly closest to."""
    by_id = {gig.id: gig for gig in situation.gigs}
    if situation.gig_id is not None and situation.gig_id in by_id:
        return by_id[situation.gig_id]
    if len(situation.gigs) == 1:
        return situation.gigs[0]
    if not situation.gigs:
        return None
    passages = index.search(query, sources_only=("gig", "package"), limit=6)
    scores: dict[int, float] = {}
    for passage in passages:
        gig_id = int(passage.key.split(":")[1])
        scores[gig_id] = max(scores.get(gig_id, 0.0), passage.score)
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    if not ranked or ranked[0][1] < GIG_THRESHOLD or ranked[0][0] not in by_id:
        return None
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < 0.05:
        return None
    return by_id[ranked[0][0]]


def _unlisted_amount(reading: Reading, situation: Situation) -> str | None:
    """An amount the buyer names that is no listed price and below the dearest one ("can you
    do it for $20?"): only the freelancer agrees a price that is not on the gig."""
    listed = {p.price_amount for g in situation.gigs for p in g.packages}
    for model in situation.models:
        if model.price_amount is not None:
            listed.add(model.price_amount)
            if model.refinement_price_amount is not None:
                listed.add(model.price_amount + model.refinement_price_amount)
    for g in situation.gigs:
        for p in g.packages:
            listed.update(a for a in (p.ai_price_amount, p.hybrid_price_amount) if a)
    ceiling = max(listed, default=0)
    for money in reading.money:
        cents = cents_of(money)
        if cents is not None and cents not in listed and cents < ceiling:
            return money
    return None


def cents_of(money: str) -> int | None:
    digits = re.sub(r"[^\d.]", "", money.replace(",", ""))
    if not digits or digits.count(".") > 1:
        return None
    whole, _, fraction = digits.partition(".")
    if not whole:
        return None
    return int(whole) * 100 + int((fraction or "0")[:2].ljust(2, "0"))


def _faq_match(nearest: list[Passage]) -> Passage | None:
    """The closest FAQ passage if it is close enough to be the buyer's question. Each entry
    has two passages (its question, and its question with the answer): a buyer's words may
    echo either ("Do you write for consumer apps?" is closer to an answer that mentions
    consumer apps than to the question "Do you write for B2C products?")."""
    found = next((p for p in nearest if p.source == "faq"), None)
    return found if found is not None and found.score >= FAQ_THRESHOLD else None


def named_package(text: str, gigs: list[Gig], gig_id: int | None) -> tuple[Gig, str] | None:
    """A package the buyer names by its own title ("the full song", "a hero rewrite"), in
    the conversation's gig or, when exactly one gig has it, any of the freelancer's."""
    lowered = " ".join(text.lower().split())
    hits = []
    for gig in gigs:
        for package in gig.packages:
            title = " ".join(package.title.lower().split())
            if len(title) >= 4 and re.search(rf"(?<!\w){re.escape(title)}(?!\w)", lowered):
                hits.append((gig, package.name))
    in_gig = [hit for hit in hits if hit[0].id == gig_id]
    if len(in_gig) == 1:
        return in_gig[0]
    if gig_id is None and len(hits) == 1:
        return hits[0]
    return None


def trade_words(gigs: list[Gig]) -> set[str]:
    """The words of the freelancer's own trade (gig titles and tags): "lyrics" is in nearly
    every question a lyricist gets, so sharing it with a "things I never do" line says
    nothing about whether the buyer asks for that thing."""
    words: set[str] = set()
    for gig in gigs:
        words |= content_words(" ".join([gig.title, *gig.tags]))
    return words


def _lexically_offered(text: str, gigs: list[Gig]) -> bool:
    """Two meaningful words of a gig's title or tags in the message ("a landing page for our
    app") say it asks for what the gig sells, whatever the sentence's cosine."""
    words = content_words(text)
    return any(len(words & content_words(" ".join([g.title, *g.tags]))) >= 2 for g in gigs)


def never_lines(never: str) -> list[str]:
    """The freelancer's "things I never do", one per line, without list marks."""
    lines = [line.strip(" -*\u2022\t") for line in never.splitlines()]
    return [line for line in lines if line]


def _never_match(text: str, never: str, trade: set[str] | None = None) -> str | None:
    """The line of "things I never do" that the message asks for, if any: two meaningful
    words in common, or one and a close meaning (words of the freelancer's own trade do not
    count: see ``trade_words``)."""
    lines = never_lines(never)
    if not lines:
        return None
    words = content_words(text) - (trade or set())
    overlaps = [len(words & content_words(line)) for line in lines]
    for line, overlap in zip(lines, overlaps, strict=True):
        if overlap >= 2:
            return line
    vectors = embedding.embed([text, *lines])
    scores = embedding.cosine(vectors[0], vectors[1:])
    for line, overlap, score in zip(lines, overlaps, scores, strict=True):
        if score >= NEVER_THRESHOLD or (overlap >= 1 and score >= NEVER_THRESHOLD - 0.15):
            return line
    return None


def _welcome(assistant: str, freelancer: str, thanks: bool) -> str:
    opening = "You're welcome!" if thanks else f"Hello! I'm {assistant}, {freelancer}'s assistant."
    return (
        f"{opening} I can tell you about {freelancer}'s packages, prices and delivery dates, "
        f"how the work is made (by hand, AI or hybrid), {freelancer}'s hours, and the status "
        f"of your own orders. Anything else I pass to {freelancer}."
    )


def _passage_answer(passage: Passage, freelancer: str) -> str:
    if passage.source in ("gig", "package"):
        return f"{freelancer} offers this: {passage.text}"
    if passage.source == "profile":
        return f"From {freelancer}'s profile: {passage.text}"
    if passage.source == "reply":
        return f"{freelancer} has answered this before: \u201c{passage.text}\u201d"
    return passage.text
