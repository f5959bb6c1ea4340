"""Demo orders, so the dashboards, the orders pages and the operators' dispute queue have
something in them on a fresh `make run`. Fictional, like the rest of the demo."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoOrder:
    key: str
    buyer_email: str
    freelancer_handle: str
    brief: str
    delivery: str = ""
    outcome: str = "open"
    """open (as placed or delivered) | accepted | disputed"""
    dispute_reason: str = ""
    gig_number: int = 0
    """Which of the freelancer's gigs, in the order they were made."""
    review_stars: int = 0
    """For an accepted order: the buyer's review (0 = none)."""
    review_text: str = ""


DEMO_ORDERS: tuple[DemoOrder, ...] = (
    DemoOrder(
        key="bakery-wordmark",
        buyer_email="harbor.lane.bakery@demo.twinwork.test",
        freelancer_handle="kenji-arai-design",
        brief=(
            "A wordmark for Harbor Lane Bakery: warm, a little old-fashioned, readable on a "
            "paper bag and on the shop's awning."
        ),
    ),
    DemoOrder(
        key="sourdough-article",
        buyer_email="nina.castell@demo.twinwork.test",
        freelancer_handle="samira-qureshi-writes",
        brief="A 1,000-word post on keeping a sourdough starter alive through a heatwave.",
        delivery=(
            "Your starter is hungrier in July than in January. Warm kitchens speed up the "
            "yeast and the bacteria alike, so a feeding schedule that worked in spring can "
            "leave a jar sour and sluggish by August...\n\n(1,012 words, sources at the end.)"
        ),
    ),
    DemoOrder(
        key="course-narration",
        buyer_email="marcus.oyelaran@demo.twinwork.test",
        freelancer_handle="mara-voss-voice",
        brief="Narrate module one of our safety course (script attached in the brief below).",
        delivery="module-1-narration.wav: 9 min 40 s, 48 kHz, loudness -16 LUFS.",
        outcome="accepted",
    ),
    DemoOrder(
        key="kiln-illustration",
        buyer_email="hello.kilnworks@demo.twinwork.test",
        freelancer_handle="hazel-brennan-draws",
        brief="One watercolour spread of a kiln at night, for our catalogue cover.",
        delivery="Spread attached: the kiln, the yard and the moon, 300 dpi.",
        outcome="disputed",
        dispute_reason=(
            "The spread shows a wood-fired kiln; our brief and the photos we sent show our "
            "electric kilns. Two revisions did not change it."
        ),
    ),
    DemoOrder(
        key="launch-video",
        buyer_email="elena.varga@demo.twinwork.test",
        freelancer_handle="tomasz-wilk-edits",
        brief="",  # ordered without a brief: it waits for the buyer's requirements
    ),
)
