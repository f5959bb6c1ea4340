"""What the freelancer reads when the assistant hands a conversation over, and what the
buyer is told. The summary is extracted, not written by a model: what the buyer wants (their
own words, shortened), the budget and deadline they named, their open questions, and what the
assistant gathered (the gig, the package, the requirements draft)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from twinwork.assistant.intent import Reading, read
from twinwork.assistant.models import REASON_LABELS, HandoverReason

WANTS_CHARS = 400

BUYER_REASONS = {
    HandoverReason.HUMAN_REQUESTED: "you asked to talk to {freelancer} directly",
    HandoverReason.CUSTOM_OFFER: (
        "work beyond the listed packages is agreed with {freelancer} directly"
    ),
    HandoverReason.DISCOUNT: ("any price other than the listed ones is for {freelancer} to decide"),
    HandoverReason.REFUND: (
        "money already paid is a matter for {freelancer} (and, if needed, the platform's "
        "dispute process)"
    ),
    HandoverReason.COMPLAINT: "{freelancer} wants to hear about this personally",
    HandoverReason.KEYWORD: "{freelancer} answers this kind of request personally",
    HandoverReason.NEVER_DOES: "this is something {freelancer} decides personally",
    HandoverReason.RUSH: (
        "none of the listed packages is delivered that fast, and only {freelancer} can say "
        "whether it is possible"
    ),
    HandoverReason.OUT_OF_SCOPE: "this is outside what I may answer for {freelancer}",
    HandoverReason.LOW_CONFIDENCE: (
        "I don't have {freelancer}'s answer to this in their gigs, profile or FAQ"
    ),
    HandoverReason.UNVERIFIED: "I could not check my answer against {freelancer}'s own information",
    HandoverReason.LANGUAGE: "I answer in English only",
}


@dataclass(frozen=True)
class Summary:
    text: str
    details: dict[str, Any]


def summarise(
    reason: HandoverReason,
    buyer_messages: Sequence[str],
    gathered: Sequence[str],
    *,
    detail: str = "",
) -> Summary:
    """``buyer_messages``: the buyer's messages since the assistant last handed over, oldest
    first (the last one is the message that caused this handover)."""
    readings: list[Reading] = [read(text) for text in buyer_messages]
    wants = " / ".join(" ".join(text.split()) for text in buyer_messages[-3:])
    if len(wants) > WANTS_CHARS:
        wants = "\u2026" + wants[-(WANTS_CHARS - 1) :]
    budget = sorted({money for reading in readings for money in reading.money})
    deadlines = [r.deadline for r in readings if r.deadline is not None]
    deadline = min(deadlines, key=lambda d: d.days).phrase if deadlines else ""
    questions = [q for reading in readings for q in reading.questions][-5:]
    label = REASON_LABELS[reason] + (f" ({detail})" if detail else "")
    lines = [
        f"Why: {label}.",
        f"The client wants: {wants or '(no text)'}",
        f"Budget: {', '.join(budget) if budget else 'not stated'}.",
        f"Deadline: {deadline or 'not stated'}.",
    ]
    if questions:
        lines.append("Open questions: " + " ".join(questions))
    if gathered:
        lines.append("Gathered: " + "; ".join(gathered) + ".")
    return Summary(
        "\n".join(lines),
        {
            "reason": reason.value,
            "reason_label": label,
            "wants": wants,
            "budget": budget,
            "deadline": deadline,
            "questions": questions,
            "gathered": list(gathered),
        },
    )


def buyer_note(reason: HandoverReason, freelancer: str, availability_line: str) -> str:
    """The plain message the buyer gets: who answers, why, and when to expect it. It never
    says yes or no to what was asked."""
    why = BUYER_REASONS[reason].format(freelancer=freelancer)
    return (
        f"I've passed this to {freelancer}, who will answer you here personally: {why}. "
        f"I've sent {freelancer} a summary of what you asked, so you don't need to repeat it. "
        f"{availability_line}"
    ).strip()
