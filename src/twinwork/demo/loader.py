"""Load the demo marketplace: freelancers, gigs, portfolios, buyers, an admin, a few orders
(one of them disputed), creation-program members with a full program, a waitlist and
applications in review, and a year of searches.

Running it again changes nothing: people are matched by email, gigs by (freelancer, title),
orders by their request key, and the generated search log is written only once.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.billing.schemas import TopUpIn
from twinwork.billing.wallet.service import wallet_service
from twinwork.catalog.models import Gig
from twinwork.catalog.schemas import GigCreate, PackageIn
from twinwork.catalog.service import category_service, gig_service, profile_service
from twinwork.config import get_settings
from twinwork.demo.content import BUYERS, FREELANCERS, SEARCH_TERMS, DemoFreelancer
from twinwork.demo.conversations import load_demo_conversations
from twinwork.demo.equity import load_equity_history
from twinwork.demo.orders import DEMO_ORDERS, DemoOrder
from twinwork.demo.pictures import ensure_gig_pictures
from twinwork.demo.portfolio import PORTFOLIOS, DemoSample
from twinwork.demo.reviews import reviewed_orders
from twinwork.demo.training import activate_demo_models, queue_demo_models
from twinwork.demo.voice import queue_demo_voice
from twinwork.kit.security import hash_password
from twinwork.kit.storage import make_storage
from twinwork.order.dispute import dispute_service
from twinwork.order.schemas import OrderIn, ReviewIn
from twinwork.order.service import order_service
from twinwork.portfolio.schemas import SampleIn
from twinwork.portfolio.service import content_hash, portfolio_service
from twinwork.program.admission import admission_service
from twinwork.program.membership import membership
from twinwork.program.models import ApplicationStatus
from twinwork.program.schemas import RulesIn
from twinwork.program.subscription import subscription_service
from twinwork.search.export import export_day
from twinwork.search.models import SearchEvent
from twinwork.search.query import normalise, parse
from twinwork.search.repository import GigFilters, search_repository
from twinwork.trends.rollup import roll_up

DEMO_DOMAIN = "demo.twinwork.test"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
DEMO_SESSION_PREFIX = "demo"
DEMO_APPLICANTS = (
    # Pass the demo's rules, so they wait on the waitlist (every seat is taken), in this order.
    "hazel-brennan-draws",
    "tomasz-wilk-edits",
    "nodegarden",
    # Below the level the rules ask for: in review by an operator.
    "kenji-arai-design",
    "ink-and-orbit",
    "ada-lindqvist-ai",
)
SANDBOX_TEST_CARD = "4242424242424242"
AI_GROWTH = 2.6
"""AI categories' share of searches grows by e^2.6 (about 13x) over the year."""


@dataclass(frozen=True)
class DemoSummary:
    admin_email: str
    password: str
    freelancers_created: int
    buyers_created: int
    gigs_created: int
    search_events_created: int


async def load_demo(
    session: AsyncSession,
    *,
    password: str,
    search_events: int,
    seed: int = 2026,
    train_models: bool = False,
) -> DemoSummary:
    """``train_models``: also queue the training of the demo's personal models
    (demo.training), which go on sale when it succeeds."""
    # One hash for every demo account: they share a password, and argon2 is slow on purpose.
    password_hash = hash_password(password)
    admin_created = await _ensure_user(
        session, ADMIN_EMAIL, "Operations", password_hash, admin=True
    )
    buyers = 0
    for buyer in BUYERS:
        buyers += await _ensure_user(session, buyer.email, buyer.display_name, password_hash)
    freelancers = gigs = 0
    for person in FREELANCERS:
        created, gig_count = await _ensure_freelancer(session, person, password_hash)
        freelancers += created
        gigs += gig_count
    admin = await _get_user(session, ADMIN_EMAIL)
    assert admin is not None
    # Cards and gig pages with pictures, as sellers' gigs have them.
    await ensure_gig_pictures(session)
    for handle, samples in PORTFOLIOS.items():
        await _ensure_portfolio(session, admin, f"{handle}@{DEMO_DOMAIN}", samples)
    if train_models:
        # A model trained since the last load goes on sale now; the others train next.
        await activate_demo_models(session)
        await queue_demo_models(session)
        # The voice-over artist's voice model: synthetic demo recordings, verification and
        # training in a background job (demo.voice); only queued here, so loading stays quick.
        await queue_demo_voice(session)
    await _ensure_program_queue(session, admin)
    for story in DEMO_ORDERS + reviewed_orders():
        await _ensure_order(session, story)
    # The members' assistants, and inbox conversations in every state (demo.conversations).
    await load_demo_conversations(session)
    await load_equity_history(session, admin)
    events = await _ensure_search_log(session, search_events, random.Random(seed))
    return DemoSummary(ADMIN_EMAIL, password, freelancers, buyers + admin_created, gigs, events)


async def _get_user(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email))


async def _ensure_user(
    session: AsyncSession,
    email: str,
    display_name: str,
    password_hash: str,
    *,
    admin: bool = False,
    freelancer: bool = False,
) -> int:
    if await _get_user(session, email) is not None:
        return 0
    session.add(
        User(
            email=email,
            display_name=display_name,
            password_hash=password_hash,
            is_buyer=not admin,
            is_freelancer=freelancer,
            is_admin=admin,
        )
    )
    await session.flush()
    return 1


async def _ensure_freelancer(
    session: AsyncSession, person: DemoFreelancer, password_hash: str
) -> tuple[int, int]:
    email = f"{person.handle}@{DEMO_DOMAIN}"
    created = await _ensure_user(
        session, email, person.display_name, password_hash, freelancer=True
    )
    user = await _get_user(session, email)
    assert user is not None
    profile = await profile_service.ensure_profile(session, user, handle=person.handle)
    if created:
        profile.headline = person.headline
        profile.bio = person.bio
        profile.skills = list(person.skills)
        profile.level = person.level
        profile.country = person.country
        profile.rating = person.rating
        profile.review_count = person.review_count
    existing = set(await session.scalars(select(Gig.title).where(Gig.freelancer_id == user.id)))
    gigs = 0
    for demo_gig in person.gigs:
        if demo_gig.title in existing:
            continue
        await gig_service.create(
            session,
            user,
            GigCreate(
                title=demo_gig.title,
                description=demo_gig.description,
                category=demo_gig.category,
                tags=list(demo_gig.tags),
                status="published",
                packages=[
                    PackageIn(
                        name=p.name,
                        title=p.title,
                        summary=p.summary,
                        price_amount=p.price_amount,
                        delivery_days=p.delivery_days,
                        revisions=p.revisions,
                    )
                    for p in demo_gig.packages
                ],
            ),
        )
        gigs += 1
    return created, gigs


async def _ensure_portfolio(
    session: AsyncSession, admin: User, email: str, samples: tuple[DemoSample, ...]
) -> None:
    """Samples with consent to train and a program membership (invited by the operator, paid
    with the sandbox's test card), so the demo can train a personal model at once."""
    user = await _get_user(session, email)
    assert user is not None
    if not await membership.is_member(session, user.id):
        view = await admission_service.current(session, user)
        if view is None or view.application.status != ApplicationStatus.ADMITTED:
            await admission_service.invite(session, admin, email)
        await subscription_service.subscribe(session, user, SANDBOX_TEST_CARD)
    have = await portfolio_service.content_hashes(session, user.id)
    for title, category, text in samples:
        if content_hash(text) in have:
            continue
        await portfolio_service.add(
            session,
            user,
            SampleIn(
                title=title,
                category=category,
                content=text,
                ownership_attested=True,
                consent_to_train=True,
            ),
        )


async def _ensure_program_queue(session: AsyncSession, admin: User) -> None:
    """Rules for a young marketplace (few orders and samples yet: level and rating decide),
    every seat taken by the members, so that eligible applicants wait on the waitlist and
    the others wait for an operator's review. Set once: an operator's later changes stay."""
    rules = await admission_service.rules(session)
    if rules.updated_by_user_id is None:
        seats = await admission_service.seats(session)
        await admission_service.update_rules(
            session,
            admin,
            RulesIn(
                min_level="level_2",
                min_rating=4.5,
                min_completed_orders=0,
                min_consented_samples=0,
                seat_limit=seats.used,
            ),
        )
    for handle in DEMO_APPLICANTS:
        user = await _get_user(session, f"{handle}@{DEMO_DOMAIN}")
        assert user is not None
        if await admission_service.current(session, user) is None:
            await admission_service.apply(session, user)


async def _ensure_order(session: AsyncSession, story: DemoOrder) -> None:
    """A basic-package order of one of the freelancer's gigs (the first unless the story
    says), paid from a wallet topped up with the sandbox's test card, taken as far as the
    story goes."""
    buyer = await _get_user(session, story.buyer_email)
    freelancer = await _get_user(session, f"{story.freelancer_handle}@{DEMO_DOMAIN}")
    assert buyer is not None and freelancer is not None
    key = f"demo-{story.key}"
    if await order_service.existing(session, buyer, key) is not None:
        return
    gig = await session.scalar(
        select(Gig)
        .where(Gig.freelancer_id == freelancer.id)
        .order_by(Gig.id)
        .offset(story.gig_number)
        .limit(1)
    )
    assert gig is not None
    package = gig.package("basic")
    assert package is not None
    top_up = TopUpIn(amount=package.price_amount, card_number=SANDBOX_TEST_CARD)
    await wallet_service.top_up_in_one_unit(session, buyer, top_up, f"{key}-wallet")
    order = await order_service.place(
        session,
        buyer,
        # As a client sends it: the gig by its public id (the schema decodes it).
        OrderIn.model_validate(
            {"gig_id": gig.public_id, "package": "basic", "kind": "human", "brief": story.brief}
        ),
        key,
    )
    if story.delivery:
        await order_service.deliver(session, freelancer, order.id, story.delivery)
    if story.outcome == "accepted":
        await order_service.accept(session, buyer, order.id)
        if story.review_stars:
            review = ReviewIn(rating=story.review_stars, text=story.review_text)
            await order_service.review(session, buyer, order.id, review)
    elif story.outcome == "disputed":
        await dispute_service.open(session, buyer, order.id, story.dispute_reason)


async def _ensure_search_log(session: AsyncSession, count: int, rng: random.Random) -> int:
    already = await session.scalar(
        select(SearchEvent.id)
        .where(SearchEvent.session_hash.like(f"{DEMO_SESSION_PREFIX}%"))
        .limit(1)
    )
    if already is not None or count <= 0:
        return 0
    groups = {c.slug: c.group for c in await category_service.all(session)}
    result_counts: dict[str, int] = {}
    for terms in SEARCH_TERMS.values():
        for term in terms:
            _, total = await search_repository.search(
                session, parse(term), GigFilters(), "relevance", 0, 1
            )
            result_counts[term] = total
    rows = _generate_events(count, groups, result_counts, rng)
    for start in range(0, len(rows), 5000):
        await session.execute(insert(SearchEvent), rows[start : start + 5000])
    # Export the year to Parquet and roll it up, as the hourly jobs would have done as it
    # happened, so /trends shows the year as soon as the server starts.
    storage = make_storage(get_settings())
    days = sorted({t.date() for row in rows if isinstance(t := row["occurred_at"], datetime)})
    for day in days:
        await export_day(session, storage, day)
    await roll_up(session, storage)
    return len(rows)


def _generate_events(
    count: int,
    groups: dict[str, str],
    result_counts: dict[str, int],
    rng: random.Random,
) -> list[dict[str, object]]:
    """A year of searches ending now, shaped like the real index: AI agent services
    exploding, AI video creation growing strongly, ComfyUI and vibe coding appearing from
    nothing in the last months, classic demand steady."""
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=365)
    slugs = [slug for slug in SEARCH_TERMS if slug in groups]
    sessions = [f"{DEMO_SESSION_PREFIX}{rng.getrandbits(112):028x}" for _ in range(count // 6 + 1)]
    # Searches per day of each category at each day of the year, then exactly ``count``
    # searches drawn from those weights.
    cells = [(day, slug) for day in range(365) for slug in slugs]
    weights = [_demand(slug, groups[slug], (day + 0.5) / 365) for day, slug in cells]
    events: list[dict[str, object]] = []
    for day, slug in rng.choices(cells, weights, k=count):
        moment = start + timedelta(days=day, seconds=rng.randrange(86400))
        term = rng.choice(SEARCH_TERMS[slug])
        raw = _as_typed(term, rng)
        with_category = rng.random() < 0.15
        events.append(
            {
                "occurred_at": moment,
                "raw_query": raw,
                "term": normalise(raw),
                "category_slug": slug if with_category else None,
                "result_count": result_counts.get(term, 0),
                "session_hash": rng.choice(sessions),
            }
        )
    events.sort(key=lambda e: e["occurred_at"])  # type: ignore[arg-type, return-value]
    return events


def _demand(slug: str, group: str, t: float) -> float:
    """Relative searches per day for a category, ``t`` from 0 (a year ago) to 1 (now)."""
    if slug == "ai-agent-development":
        return 0.08 * math.exp(3.8 * t)  # about 45x over the year
    if slug == "ai-video-creation":
        return 0.3 * math.exp(1.6 * t)  # about 5x
    if slug == "comfyui-workflows":
        return 0.0 if t < 0.55 else 1.2 * (t - 0.55) / 0.45  # none before month 7
    if slug == "vibe-coding":
        return 0.0 if t < 0.6 else 1.5 * ((t - 0.6) / 0.4) ** 1.2
    if group == "ai":
        return 0.3 * math.exp(AI_GROWTH * t / 3)
    return 1.0  # classic demand: steady


def _as_typed(term: str, rng: random.Random) -> str:
    """What people type: capitals, plurals, hyphens; the index folds them into one term."""
    roll = rng.random()
    if roll < 0.25:
        return term.capitalize()
    if roll < 0.35 and not term.endswith("s"):
        return term + "s"
    if roll < 0.40:
        return term.replace(" ", "-")
    return term
