"""The demo's inbox: the creation-program members' assistants switched on (a name, hours, an
FAQ and "things I never do" written for each trade), and conversations in every state a
visitor should be able to open:

* answered by the assistant (a price and delivery question, then an FAQ question);
* handed over to the freelancer with a summary (a price the gig does not list);
* taken over by the freelancer, who replied themselves;
* a custom offer still open;
* a custom offer accepted, which became an order with its price in escrow;
* a custom offer that expired;
* out of office: the copywriter's assistant answers with the out-of-office note and the
  return date (she is away for ten days from the demo's first load).

Both assistants answer repeat clients too: every demo buyer has reviewed orders with both
freelancers (demo.reviews, demo.equity), so "new clients only" would leave the demo silent.

Fictional, like the rest of the demo. The assistant's messages are not written here: each
buyer message goes through the real assistant (``assistant.responder.respond``), so what the
demo shows is what the product says. Idempotent: an assistant whose settings exist is left as
its freelancer set it, and a story whose conversation exists is not played again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.assistant.models import Handover
from twinwork.assistant.repository import settings_repository
from twinwork.assistant.responder import respond
from twinwork.assistant.schemas import AvailabilityIn, FaqIn, SettingsIn
from twinwork.assistant.service import assistant_service
from twinwork.billing.schemas import TopUpIn
from twinwork.billing.wallet.service import wallet_service
from twinwork.catalog.models import Gig
from twinwork.inbox.models import Conversation, Message, Offer
from twinwork.inbox.schemas import OfferIn
from twinwork.inbox.service import inbox_service
from twinwork.kit.db import utcnow
from twinwork.order.models import OrderKind
from twinwork.program.membership import membership

DEMO_DOMAIN = "demo.twinwork.test"
SANDBOX_TEST_CARD = "4242424242424242"
OUT_OF_OFFICE_DAYS = 10
"""The copywriter is away for this many days from the demo's first load."""


@dataclass(frozen=True)
class DemoAssistant:
    handle: str
    name: str
    timezone: str
    days: tuple[str, ...]
    start: str
    end: str
    new_clients_only: bool
    never: str
    handover_keywords: tuple[str, ...]
    faq: tuple[tuple[str, str], ...]
    """(question, answer) pairs, in the freelancer's own words."""


ASSISTANTS: tuple[DemoAssistant, ...] = (
    DemoAssistant(
        handle="noor-haddad-lyrics",
        name="Layla",
        timezone="Asia/Amman",
        days=("sun", "mon", "tue", "wed", "thu"),
        start="10:00",
        end="18:00",
        new_clients_only=False,
        never="Ghostwriting lyrics for songs that copy another artist's hit\n"
        "Political campaign songs\n"
        "Lyrics that mock a religion",
        handover_keywords=("royalty split", "publishing deal"),
        faq=(
            (
                "Do I keep the rights to the lyrics?",
                "Yes. Full rights and the writer credit transfer to you on delivery, and the "
                "royalties are entirely yours.",
            ),
            (
                "Do you write the melody or record the song?",
                "No, I write lyrics only: I fit them to your melody or demo, and your singer "
                "or producer records them.",
            ),
            (
                "What do you need from me to start?",
                "Your demo or a reference track, the tempo, the mood, and a few lines about "
                "what the song is about or who it is for.",
            ),
            (
                "Which Arabic dialects do you write in?",
                "Levantine dialect and widely understood standard Arabic.",
            ),
            (
                "In what format do I receive the lyrics?",
                "A lyric sheet as a PDF and a Google Doc, with the sections marked and the "
                "syllable count of every line.",
            ),
            (
                "Can you write lyrics without a melody?",
                "Yes. Tell me the tempo, the mood and a reference track, and I write to a "
                "verse, pre-chorus and chorus structure your composer can set.",
            ),
            (
                "Can I use the jingle in paid radio and online ads?",
                "Yes, the lyrics are yours for any use, on air and online, once delivered.",
            ),
        ),
    ),
    DemoAssistant(
        handle="ines-marchetti-copy",
        name="Sol",
        timezone="Europe/Rome",
        days=("mon", "tue", "wed", "thu", "fri"),
        start="09:00",
        end="17:30",
        new_clients_only=False,
        never="Fake reviews or testimonials\n"
        "Copy for gambling, crypto tokens or payday loans\n"
        "Health claims that need a doctor's sign-off",
        handover_keywords=("white label", "agency rates"),
        faq=(
            (
                "Do you write in languages other than English?",
                "No, I write in English only; I'm happy to work with your translator on the "
                "final copy.",
            ),
            (
                "Do you design the page or build it in Webflow?",
                "No, I write the copy. You get wireframe notes so your designer or developer "
                "knows what goes where.",
            ),
            (
                "What do you need from me to start?",
                "Your product, who it is for, any customer reviews, sales call notes or "
                "support tickets you can share, and the pages of two competitors.",
            ),
            (
                "How do you deliver the copy?",
                "In a Google Doc with comments open, organised section by section, so your "
                "team can suggest edits in place.",
            ),
            (
                "Do you do keyword research for SEO?",
                "I write with the keywords you give me in mind, but I don't do keyword "
                "research or SEO audits myself.",
            ),
            (
                "Can we have a call before I order?",
                "I keep first conversations in writing here so nothing gets lost; the "
                "research package includes a call once we start.",
            ),
            (
                "Do you write for B2C products too?",
                "My work is mostly B2B software, but I take consumer apps with a clear "
                "subscription model.",
            ),
        ),
    ),
)


@dataclass(frozen=True)
class Offered:
    """A custom offer the freelancer makes in the story."""

    description: str
    price_amount: int
    delivery_days: int
    revisions: int
    outcome: str = "open"
    """open | accepted (the buyer pays it: an order) | expired"""


@dataclass(frozen=True)
class Story:
    key: str
    buyer_email: str
    freelancer_handle: str
    gig: int | None
    """Index of the freelancer's gig the conversation is about (None: general)."""
    buyer_says: tuple[str, ...]
    """Each answered (or not) by the assistant in turn."""
    take_over: bool = False
    freelancer_says: str = ""
    offer: Offered | None = None
    buyer_then_says: tuple[str, ...] = field(default_factory=tuple)
    """After the freelancer's part: the assistant stays quiet, the freelancer answers."""


STORIES: tuple[Story, ...] = (
    # Answered by the assistant: a price and date from the tool, then an FAQ answer.
    Story(
        key="answered",
        buyer_email="nina.castell@demo.twinwork.test",
        freelancer_handle="noor-haddad-lyrics",
        gig=0,
        buyer_says=(
            "Hi! How much is the full song package and when would I get it?",
            "Do I keep the rights to the lyrics afterwards?",
        ),
    ),
    # Handed over with a summary: a price the gig does not list.
    Story(
        key="handed-over",
        buyer_email="harbor.lane.bakery@demo.twinwork.test",
        freelancer_handle="noor-haddad-lyrics",
        gig=2,
        buyer_says=(
            "We're a small bakery opening a second shop in March. Could you do the three "
            "jingle options for $45? We need them within two weeks.",
        ),
    ),
    # A custom offer the buyer accepted: it became an order, paid into escrow.
    Story(
        key="offer-accepted",
        buyer_email="marcus.oyelaran@demo.twinwork.test",
        freelancer_handle="noor-haddad-lyrics",
        gig=1,
        buyer_says=(
            "I need a custom bilingual wedding song: English verses and a Levantine Arabic "
            "chorus for my sister's wedding, plus a pronunciation guide for the singer.",
        ),
        freelancer_says=(
            "Congratulations to your sister! I'd love to write it. I'm sending you an offer "
            "for the full song with the chorus in Levantine Arabic and a recorded guide."
        ),
        offer=Offered(
            description="Bilingual wedding song: two English verses, a Levantine Arabic "
            "chorus with transliteration and meaning, and a recorded pronunciation guide.",
            price_amount=18000,
            delivery_days=7,
            revisions=2,
            outcome="accepted",
        ),
    ),
    # A custom offer that expired before the buyer decided.
    Story(
        key="offer-expired",
        buyer_email="elena.varga@demo.twinwork.test",
        freelancer_handle="noor-haddad-lyrics",
        gig=None,
        buyer_says=(
            "Hello Noor, could you write lyrics for a whole album? Twelve songs, indie pop, "
            "on a monthly contract over the spring.",
        ),
        freelancer_says=(
            "An album is a lovely project. Here is an offer for the first four songs so we "
            "can find the sound together; the rest can follow once you like them."
        ),
        offer=Offered(
            description="Lyrics for the first four songs of the album, indie pop, each with "
            "a syllable map, written to your demos.",
            price_amount=32000,
            delivery_days=14,
            revisions=2,
            outcome="expired",
        ),
    ),
    # Taken over: the freelancer stepped in and replied herself.
    Story(
        key="taken-over",
        buyer_email="ops.fernhill@demo.twinwork.test",
        freelancer_handle="ines-marchetti-copy",
        gig=0,
        buyer_says=(
            "Hello! We're writing a landing page for our robot arm. What do you need from me "
            "to start?",
        ),
        take_over=True,
        freelancer_says=(
            "Hello, Ines here: I'll take it from here. Industrial robotics is a field I'd love "
            "to write for. Could you share the spec sheet and the questions your sales team "
            "hears most often? That's where the page's objections come from."
        ),
        buyer_then_says=("Thanks! I'll send the spec sheet and the sales notes this afternoon.",),
    ),
    # A custom offer still open.
    Story(
        key="offer-open",
        buyer_email="hello.kilnworks@demo.twinwork.test",
        freelancer_handle="ines-marchetti-copy",
        gig=2,
        buyer_says=(
            "We're launching a kiln control app. Could you do a custom package: the launch kit "
            "plus an ongoing monthly newsletter for the first three months?",
        ),
        freelancer_says=(
            "Thanks for the details: a launch and the newsletters that follow it go well "
            "together. Here is my offer for the launch kit and three monthly newsletters."
        ),
        offer=Offered(
            description="Launch kit for the kiln control app (blog announcement, email, "
            "in-app copy, six social posts) plus three monthly newsletters.",
            price_amount=84000,
            delivery_days=10,
            revisions=2,
        ),
    ),
)

OUT_OF_OFFICE_STORY = Story(
    key="out-of-office",
    buyer_email="nina.castell@demo.twinwork.test",
    freelancer_handle="ines-marchetti-copy",
    gig=None,
    buyer_says=("Hi Ines, could you write a launch email for my baking course next month?",),
)


async def load_demo_conversations(session: AsyncSession) -> int:
    """Switch the members' assistants on and play every story not played yet; returns how
    many conversations were started."""
    for demo in ASSISTANTS:
        await _ensure_assistant(session, demo)
    started = 0
    for story in STORIES:
        started += await _play(session, story)
    # Last: the copywriter goes away, and a client who writes meanwhile gets the note.
    copywriter = await _user(session, OUT_OF_OFFICE_STORY.freelancer_handle)
    if copywriter is not None and await _existing(session, OUT_OF_OFFICE_STORY) is None:
        settings = await settings_repository.get(session, copywriter.id)
        if settings is not None and settings.out_of_office_until is None:
            await assistant_service.update(
                session,
                copywriter,
                SettingsIn(
                    out_of_office_until=utcnow().date() + timedelta(days=OUT_OF_OFFICE_DAYS)
                ),
            )
        started += await _play(session, OUT_OF_OFFICE_STORY)
    return started


async def _user(session: AsyncSession, handle_or_email: str) -> User | None:
    email = handle_or_email if "@" in handle_or_email else f"{handle_or_email}@{DEMO_DOMAIN}"
    return await session.scalar(select(User).where(User.email == email))


async def _ensure_assistant(session: AsyncSession, demo: DemoAssistant) -> None:
    """Set once, for members only: a freelancer's later changes stay."""
    user = await _user(session, demo.handle)
    if user is None or not await membership.is_member(session, user.id):
        return
    if await settings_repository.get(session, user.id) is not None:
        return
    await assistant_service.update(
        session,
        user,
        SettingsIn(
            enabled=True,
            name=demo.name,
            new_clients_only=demo.new_clients_only,
            availability=AvailabilityIn(
                timezone=demo.timezone,
                days=list(demo.days),
                start=demo.start,
                end=demo.end,
            ),
            never=demo.never,
            handover_keywords=list(demo.handover_keywords),
            faq=[FaqIn(q=q, a=a) for q, a in demo.faq],
        ),
    )


async def _gig_id(session: AsyncSession, freelancer: User, index: int | None) -> int | None:
    if index is None:
        return None
    ids = list(
        await session.scalars(
            select(Gig.id).where(Gig.freelancer_id == freelancer.id).order_by(Gig.id)
        )
    )
    return ids[index] if index < len(ids) else None


async def _existing(session: AsyncSession, story: Story) -> int | None:
    buyer = await _user(session, story.buyer_email)
    freelancer = await _user(session, story.freelancer_handle)
    if buyer is None or freelancer is None:
        return None
    gig_id = await _gig_id(session, freelancer, story.gig)
    found = await inbox_service.existing(
        session,
        buyer,
        freelancer_handle=story.freelancer_handle if gig_id is None else None,
        gig_id=gig_id,
    )
    return None if found is None else found.id


async def _play(session: AsyncSession, story: Story) -> int:
    buyer = await _user(session, story.buyer_email)
    freelancer = await _user(session, story.freelancer_handle)
    if buyer is None or freelancer is None or await _existing(session, story) is not None:
        return 0
    gig_id = await _gig_id(session, freelancer, story.gig)
    conversation = await inbox_service.start(
        session,
        buyer,
        freelancer_handle=story.freelancer_handle if gig_id is None else None,
        gig_id=gig_id,
    )
    for text in story.buyer_says:
        message = await inbox_service.post(session, None, buyer, conversation.id, text)
        await respond(session, conversation.id, message.id)
    if story.take_over:
        await inbox_service.take_over(session, freelancer, conversation.id)
    if story.freelancer_says:
        await inbox_service.post(session, None, freelancer, conversation.id, story.freelancer_says)
    if story.offer is not None:
        await _offer(session, story, buyer, freelancer, conversation.id)
    for text in story.buyer_then_says:
        message = await inbox_service.post(session, None, buyer, conversation.id, text)
        await respond(session, conversation.id, message.id)
    return 1


async def _offer(
    session: AsyncSession, story: Story, buyer: User, freelancer: User, conversation_id: int
) -> None:
    assert story.offer is not None
    terms = story.offer
    offer = await inbox_service.make_offer(
        session,
        freelancer,
        conversation_id,
        OfferIn(
            description=terms.description,
            price_amount=terms.price_amount,
            delivery_days=terms.delivery_days,
            revisions=terms.revisions,
            kind=OrderKind.HUMAN,
        ),
    )
    if terms.outcome == "expired":
        # The whole conversation happened before the demo's load, and the offer was left
        # unanswered past its week.
        await _backdate(session, conversation_id, offer, days=9)
    elif terms.outcome == "accepted":
        key = f"demo-inbox-{story.key}"
        top_up = TopUpIn(amount=terms.price_amount, card_number=SANDBOX_TEST_CARD)
        await wallet_service.top_up_in_one_unit(session, buyer, top_up, f"{key}-wallet")
        await inbox_service.accept_offer(session, buyer, conversation_id, offer.id, key)


async def _backdate(
    session: AsyncSession, conversation_id: int, offer: Offer, *, days: int
) -> None:
    shift = timedelta(days=days)
    offer.created_at -= shift
    offer.expires_at -= shift
    # Shifted row by row, not in SQL: date arithmetic differs between SQLite and PostgreSQL.
    for message in await session.scalars(
        select(Message).where(Message.conversation_id == conversation_id)
    ):
        message.created_at -= shift
    for handover in await session.scalars(
        select(Handover).where(Handover.conversation_id == conversation_id)
    ):
        handover.created_at -= shift
        if handover.follow_up_due_at is not None:
            handover.follow_up_due_at -= shift
    conversation = await session.get(Conversation, conversation_id)
    assert conversation is not None
    conversation.created_at -= shift
    conversation.last_message_at -= shift
    await session.flush()
