"""Written reviews for the demo freelancers, so a visitor sees what buyers said on every gig
and profile, not only a rating. Each is an accepted basic-package order with its review,
left through the same order service as a real one: the rating each freelancer brings from
elsewhere (``DemoFreelancer.rating`` and ``review_count``) moves by these reviews' weight,
as it would with any new review. Fictional, like the rest of the demo."""

from __future__ import annotations

from twinwork.demo.content import BUYERS, FREELANCERS, DemoFreelancer
from twinwork.demo.orders import DemoOrder

# (brief, delivery, stars, review) per trade, picked by the reviewed gig's category.
_STORIES: dict[str, tuple[tuple[str, str, int, str], ...]] = {
    "voice-over": (
        (
            "A 60-second explainer read for our booking app, friendly and unhurried.",
            "explainer-read.wav: 58 s, 48 kHz, two takes (warm and brisk).",
            5,
            "Two takes within a day, both usable. The warm one is now on our homepage.",
        ),
        (
            "Phone menu prompts for a dental practice, eight short lines.",
            "Eight prompts as separate files, trimmed, -16 LUFS.",
            4,
            "Clear and calm. One name was mispronounced; fixed in the revision the same day.",
        ),
    ),
    "logo-design": (
        (
            "A mark for a cycling café: simple enough for a cup sleeve.",
            "Three directions as SVG and PNG, with a one-colour version of each.",
            5,
            "Asked good questions first, and the second direction was exactly us.",
        ),
        (
            "Refresh an old wordmark without losing what regulars recognise.",
            "Refined wordmark, spacing and weights adjusted; before/after sheet.",
            5,
            "Kept the feel, fixed everything that looked dated. Files were tidy.",
        ),
    ),
    "graphic-design": (
        (
            "A poster for a neighbourhood book fair, A3 and a square social version.",
            "Poster in A3 (print PDF) and 1080 x 1080 PNG.",
            5,
            "Bold, readable from across the street, and delivered early.",
        ),
        (
            "Three social tiles for a product launch in our brand colours.",
            "Three tiles, 1080 x 1080, plus the editable source file.",
            4,
            "Good work; I needed one round of changes to the headline size.",
        ),
    ),
    "illustration": (
        (
            "A small spot illustration of a lighthouse for our newsletter header.",
            "Lighthouse spot, 2400 px wide, transparent background.",
            5,
            "Lovely line work, and it matches the rest of our newsletter perfectly.",
        ),
        (
            "Four icons in a hand-drawn style for a recipe site.",
            "Four icons as SVG and PNG at two sizes.",
            4,
            "Charming icons. Took an extra day, but the result was worth it.",
        ),
    ),
    "song-lyrics": (
        (
            "Lyrics for a 30-second jingle for a bakery called Rise & Shine.",
            "Two jingle options with stress marks and a shorter 15-second cut.",
            5,
            "Our name lands right on the beat. Customers sing it back to us.",
        ),
        (
            "A chorus for a wedding song about two people who met on a night train.",
            "Chorus and a bridge, with a note on where the melody can breathe.",
            5,
            "Made my sister cry in the best way. Understood the story at once.",
        ),
    ),
    "copywriting": (
        (
            "Homepage copy for a small accounting firm: plain, warm, no jargon.",
            "Homepage copy: headline options, three sections, calls to action.",
            5,
            "Finally sounds like us talking to a client, not a brochure.",
        ),
        (
            "Five product descriptions for handmade ceramics.",
            "Five descriptions, 80-120 words each, with a care line.",
            4,
            "Lovely descriptions. I trimmed one that ran long; otherwise perfect.",
        ),
    ),
}
_DEFAULT_STORIES: tuple[tuple[str, str, int, str], ...] = (
    (
        "A small first job to see how we work together.",
        "Delivered as agreed, with notes on the choices made.",
        5,
        "Clear communication from start to finish, and on time.",
    ),
    (
        "A follow-up piece building on the first one.",
        "Delivered with the requested changes and a short summary.",
        4,
        "Solid work. One revision needed, handled quickly.",
    ),
)


def reviewed_orders(freelancers: tuple[DemoFreelancer, ...] = FREELANCERS) -> tuple[DemoOrder, ...]:
    """An accepted, reviewed order on each gig of every demo freelancer who has reviews
    elsewhere, from the demo buyers in turn."""
    orders: list[DemoOrder] = []
    for person in freelancers:
        if person.review_count == 0 or not person.gigs:
            continue
        for number, gig in enumerate(person.gigs):
            stories = _STORIES.get(gig.category, _DEFAULT_STORIES)
            brief, delivery, stars, text = stories[number % len(stories)]
            buyer = BUYERS[len(orders) % len(BUYERS)]
            orders.append(
                DemoOrder(
                    key=f"review-{person.handle}-{number + 1}",
                    buyer_email=buyer.email,
                    freelancer_handle=person.handle,
                    brief=brief,
                    delivery=delivery,
                    outcome="accepted",
                    gig_number=number,
                    review_stars=stars,
                    review_text=text,
                )
            )
    return tuple(orders)
