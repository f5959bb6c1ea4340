"""The inbox: conversations between one buyer and one freelancer, messages with their author
kind, read marks, attachments, custom offers, and the assistant's state per conversation.

Who may see a conversation: its buyer and its freelancer; an operator only while the order the
conversation is about has a dispute or a party's report on it is open (read-only). Everyone
else is answered as if it did not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.catalog.models import Gig
from twinwork.catalog.service import gig_service, profile_service
from twinwork.config import get_settings
from twinwork.creation.service import creation_service
from twinwork.inbox.files import CheckedFile, Upload, check_files
from twinwork.inbox.models import (
    AssistantState,
    Attachment,
    AuthorKind,
    Conversation,
    Message,
    Offer,
    OfferStatus,
)
from twinwork.inbox.repository import ConversationRow, inbox_repository
from twinwork.inbox.schemas import OfferIn
from twinwork.inbox.tasks import email_about_message
from twinwork.kit.db import utcnow
from twinwork.kit.errors import Conflict, Forbidden, NotFound, TooManyRequests, ValidationFailed
from twinwork.kit.jobs import enqueue_after_commit
from twinwork.kit.pagination import Page, check_page_in_range
from twinwork.kit.public_ids import public_id
from twinwork.kit.signing import sha256_hex
from twinwork.kit.storage import ObjectStorage
from twinwork.order.models import Order, OrderKind
from twinwork.order.service import CustomTerms, order_service, storage_safe

MESSAGES_PER_PAGE = 30
CONVERSATIONS_PER_PAGE = 20


class AssistantSilenced(Conflict):
    """The assistant may not post here: the conversation is handed over or paused."""

    type_slug = "assistant-silenced"


@dataclass(frozen=True)
class Handover:
    """Why the assistant hands a conversation to the freelancer, and what they should know."""

    reason: str
    summary: str


@dataclass(frozen=True)
class ConversationView:
    conversation: Conversation
    buyer: User
    freelancer: User
    freelancer_handle: str | None
    role: str
    """"buyer", "freelancer" or "admin": who is reading."""
    unread: int
    subject_kind: str
    subject_title: str


@dataclass(frozen=True)
class Thread:
    view: ConversationView
    messages: Page[Message]
    offers: dict[int, Offer]


@dataclass(frozen=True)
class ConversationContext:
    """What a reply needs to read: the conversation, its parties, its newest messages."""

    conversation: Conversation
    buyer: User
    freelancer: User
    messages: list[Message]


def reference_of(kind: str, row_id: int) -> str:
    """What a page or a message calls a row it holds only the key of ("Order #DOWNRMAT"):
    the first characters of its public id, as ``PublicIdMixin.reference`` writes them."""
    return public_id(kind, row_id)[:8].upper()


def already_accepted(offer: Offer) -> Conflict:
    """The answer to paying for an offer a second time: its order, by public id."""
    assert offer.order_id is not None
    return Conflict(
        f"You accepted this offer already: it is order #{reference_of('order', offer.order_id)}.",
        order_id=public_id("order", offer.order_id),
    )


def assistant_author_name(assistant_name: str, freelancer_name: str) -> str:
    return f"{assistant_name}, {freelancer_name}'s assistant"


def subject_key(gig_id: int | None, order_id: int | None) -> str:
    if order_id is not None:
        return f"order:{order_id}"
    if gig_id is not None:
        return f"gig:{gig_id}"
    return "general"


class InboxService:
    # ---- finding and starting conversations ----------------------------------------------

    async def start(
        self,
        session: AsyncSession,
        user: User,
        *,
        freelancer_handle: str | None = None,
        gig_id: int | None = None,
        order_id: int | None = None,
    ) -> Conversation:
        """The conversation between ``user`` and a freelancer about a subject (general, a
        gig, an order), created on first use. About an order, either party may start it."""
        buyer_id, freelancer_id, gig_id, key = await self._subject(
            session, user, freelancer_handle, gig_id, order_id
        )
        found = await inbox_repository.find_conversation(session, buyer_id, freelancer_id, key)
        if found is not None:
            return found
        conversation = Conversation(
            buyer_user_id=buyer_id,
            freelancer_user_id=freelancer_id,
            subject_key=key,
            gig_id=gig_id,
            order_id=order_id,
            assistant_state=AssistantState.ACTIVE,
            buyer_read_id=0,
            freelancer_read_id=0,
        )
        try:
            async with session.begin_nested():
                await inbox_repository.add(session, conversation)
        except IntegrityError as exc:
            # Started at the same moment by another request: use that one.
            found = await inbox_repository.find_conversation(session, buyer_id, freelancer_id, key)
            if found is None:
                raise Conflict("This conversation is being started; retry in a moment.") from exc
            return found
        return conversation

    async def existing(
        self,
        session: AsyncSession,
        user: User,
        *,
        freelancer_handle: str | None = None,
        gig_id: int | None = None,
        order_id: int | None = None,
    ) -> Conversation | None:
        """The conversation ``start`` would continue, if there is one (nothing is created)."""
        buyer_id, freelancer_id, _, key = await self._subject(
            session, user, freelancer_handle, gig_id, order_id
        )
        return await inbox_repository.find_conversation(session, buyer_id, freelancer_id, key)

    async def _subject(
        self,
        session: AsyncSession,
        user: User,
        freelancer_handle: str | None,
        gig_id: int | None,
        order_id: int | None,
    ) -> tuple[int, int, int | None, str]:
        """(buyer id, freelancer id, gig id, subject key) of what ``user`` writes about."""
        if order_id is not None:
            order = await order_service.for_party(session, user, order_id)
            buyer_id, freelancer_id, gig_id = order.buyer_user_id, order.freelancer_user_id, None
            if freelancer_handle is not None:
                profile = await profile_service.by_handle(session, freelancer_handle)
                if profile.user_id != freelancer_id:
                    raise ValidationFailed(
                        f"This order is not with {freelancer_handle!r}.",
                        field="freelancer_handle",
                    )
        elif gig_id is not None:
            gig = await gig_service.public(session, gig_id, user)
            buyer_id, freelancer_id = user.id, gig.freelancer_id
            if freelancer_handle is not None:
                profile = await profile_service.by_handle(session, freelancer_handle)
                if profile.user_id != freelancer_id:
                    raise ValidationFailed(
                        f"This gig is not {freelancer_handle!r}'s.", field="gig_id"
                    )
        elif freelancer_handle:
            profile = await profile_service.by_handle(session, freelancer_handle)
            buyer_id, freelancer_id = user.id, profile.user_id
        else:
            raise ValidationFailed(
                "Say whom you write to: freelancer_handle, gig_id or order_id.",
                field="freelancer_handle",
            )
        if buyer_id == freelancer_id:
            raise ValidationFailed(
                "You cannot message yourself; write to another freelancer.",
                field="freelancer_handle",
            )
        return buyer_id, freelancer_id, gig_id, subject_key(gig_id, order_id)

    async def for_reader(
        self, session: AsyncSession, user: User, conversation_id: int
    ) -> Conversation:
        """A conversation its parties may read, and an operator while a dispute involves the
        order it is about or a report on it is open; anyone else gets the 404 of a missing
        id."""
        conversation = await inbox_repository.conversation(session, conversation_id)
        if conversation is not None and (
            user.id in (conversation.buyer_user_id, conversation.freelancer_user_id)
            or (user.is_admin and await self.operator_may_read(session, conversation))
        ):
            return conversation
        raise NotFound("There is no such conversation of yours.")

    async def operator_may_read(self, session: AsyncSession, conversation: Conversation) -> bool:
        """A dispute on the order it is about, or an open report on it: nothing else lets an
        operator read people's messages."""
        if conversation.order_id is not None and await inbox_repository.order_has_dispute(
            session, conversation.order_id
        ):
            return True
        return await inbox_repository.has_open_report(session, conversation.id)

    async def about_order(self, session: AsyncSession, user: User, order_id: int) -> Conversation:
        """The conversation about an order, for whoever may read it (the parties; an operator
        while the order is disputed)."""
        found = await inbox_repository.about_order(session, order_id)
        if found is None:
            raise NotFound("Nobody has written about this order yet.")
        return await self.for_reader(session, user, found.id)

    async def for_party(
        self, session: AsyncSession, user: User, conversation_id: int
    ) -> Conversation:
        """A conversation ``user`` writes in: only its two parties."""
        conversation = await self.for_reader(session, user, conversation_id)
        if user.id not in (conversation.buyer_user_id, conversation.freelancer_user_id):
            raise Forbidden(
                "Operators read a disputed order's conversation; they do not write in it."
            )
        return conversation

    # ---- messages ------------------------------------------------------------------------

    async def post(
        self,
        session: AsyncSession,
        storage: ObjectStorage | None,
        user: User,
        conversation_id: int,
        text: str,
        uploads: list[Upload] | tuple[Upload, ...] = (),
    ) -> Message:
        """A message from the buyer or the freelancer, with files checked (all of them,
        before any is stored) and stored in object storage."""
        conversation = await self.for_party(session, user, conversation_id)
        text = text.strip()
        if not text and not uploads:
            raise ValidationFailed("Write a message or attach a file.", field="text")
        self._check_rate(
            await inbox_repository.sent_since(session, user.id, utcnow() - timedelta(minutes=1))
        )
        files = check_files(uploads)
        is_buyer = user.id == conversation.buyer_user_id
        message = await self._add_message(
            session,
            conversation,
            AuthorKind.BUYER if is_buyer else AuthorKind.FREELANCER,
            user.id,
            user.display_name,
            text,
        )
        if files:
            assert storage is not None
            await self._store_files(session, storage, message, files)
        if (
            not is_buyer
            and conversation.assistant_state == AssistantState.HANDED_OVER
            and conversation.handover_answered_at is None
        ):
            # The freelancer answered what was handed to them: it stops waiting for them,
            # and the assistant still stays quiet here until they hand it back.
            conversation.handover_answered_at = message.created_at
            await session.flush()
        return message

    def _check_rate(self, sent_last_minute: int) -> None:
        limit = get_settings().inbox_messages_per_minute
        if sent_last_minute >= limit:
            raise TooManyRequests(
                f"You have sent {sent_last_minute} messages in the last minute, the most we "
                "take; wait a minute, then send the rest (nothing you sent was lost).",
                retry_after_seconds=60,
            )

    async def _add_message(
        self,
        session: AsyncSession,
        conversation: Conversation,
        kind: AuthorKind,
        author_user_id: int,
        author_name: str,
        text: str,
        offer_id: int | None = None,
    ) -> Message:
        message = Message(
            conversation_id=conversation.id,
            author_kind=kind,
            author_user_id=author_user_id,
            author_name=author_name,
            text=text,
            offer_id=offer_id,
            attachments=[],
        )
        await inbox_repository.add(session, message)
        conversation.last_message_at = message.created_at
        # Writing a message means having read the conversation up to it.
        if kind == AuthorKind.BUYER:
            conversation.buyer_read_id = max(conversation.buyer_read_id, message.id)
        elif kind == AuthorKind.FREELANCER:
            conversation.freelancer_read_id = max(conversation.freelancer_read_id, message.id)
        await session.flush()
        enqueue_after_commit(session, email_about_message, message.id)
        return message

    async def _store_files(
        self,
        session: AsyncSession,
        storage: ObjectStorage,
        message: Message,
        files: list[CheckedFile],
    ) -> None:
        # Stored before the message commits: a failed commit leaves unreferenced bytes under
        # the message's prefix, never a message whose files are missing.
        for index, item in enumerate(files, start=1):
            key = (
                f"inbox/{message.conversation_id}/{message.id}/"
                f"{index}-{uuid.uuid4().hex[:8]}-{storage_safe(item.name)}"
            )
            await storage.put(key, item.data)
            message.attachments.append(
                Attachment(
                    message_id=message.id,
                    name=item.name,
                    content_type=item.content_type,
                    byte_size=len(item.data),
                    sha256=sha256_hex(item.data),
                    storage_key=key,
                )
            )
        await session.flush()

    async def is_empty(self, session: AsyncSession, conversation_id: int) -> bool:
        return await inbox_repository.message_count(session, conversation_id) == 0

    async def mark_read(
        self, session: AsyncSession, user: User, conversation: Conversation
    ) -> None:
        newest = await inbox_repository.newest_message_id(session, conversation.id)
        if user.id == conversation.buyer_user_id and conversation.buyer_read_id < newest:
            conversation.buyer_read_id = newest
        elif (
            user.id == conversation.freelancer_user_id and conversation.freelancer_read_id < newest
        ):
            conversation.freelancer_read_id = newest
        else:
            return
        await session.flush()

    async def attachment(
        self, session: AsyncSession, user: User, conversation_id: int, attachment_id: int
    ) -> Attachment:
        conversation = await self.for_reader(session, user, conversation_id)
        found = await inbox_repository.attachment(session, conversation.id, attachment_id)
        if found is None:
            raise NotFound("This conversation has no such file.")
        return found

    # ---- reading -------------------------------------------------------------------------

    async def page(
        self, session: AsyncSession, user: User, page: int, page_size: int = CONVERSATIONS_PER_PAGE
    ) -> Page[ConversationView]:
        rows, total = await inbox_repository.for_party(
            session, user.id, (page - 1) * page_size, page_size
        )
        check_page_in_range(page, page_size, total)
        return Page([await self._view(session, user, row) for row in rows], page, page_size, total)

    async def unread_total(self, session: AsyncSession, user: User) -> int:
        return await inbox_repository.unread_total(session, user.id)

    async def thread(
        self,
        session: AsyncSession,
        user: User,
        conversation_id: int,
        page: int = 1,
        page_size: int = MESSAGES_PER_PAGE,
        *,
        mark_read: bool = True,
    ) -> Thread:
        """One page of messages, oldest first; page 1 holds the newest. Reading the newest
        page marks the conversation read for a party."""
        conversation = await self.for_reader(session, user, conversation_id)
        total = await inbox_repository.message_count(session, conversation.id)
        check_page_in_range(page, page_size, total)
        messages = await inbox_repository.messages(
            session, conversation.id, (page - 1) * page_size, page_size
        )
        if mark_read and page == 1:
            await self.mark_read(session, user, conversation)
        unread = await inbox_repository.unread_in(session, conversation, user.id)
        offers = await inbox_repository.offers(
            session, {m.offer_id for m in messages if m.offer_id is not None}
        )
        return Thread(
            view=await self._view(session, user, ConversationRow(conversation, unread)),
            messages=Page(messages, page, page_size, total),
            offers=offers,
        )

    async def _view(
        self, session: AsyncSession, user: User, row: ConversationRow
    ) -> ConversationView:
        conversation = row.conversation
        buyer = await session.get(User, conversation.buyer_user_id)
        freelancer = await session.get(User, conversation.freelancer_user_id)
        assert buyer is not None and freelancer is not None
        profile = await profile_service.find(session, freelancer.id)
        if user.id == conversation.buyer_user_id:
            role = "buyer"
        elif user.id == conversation.freelancer_user_id:
            role = "freelancer"
        else:
            role = "admin"
        if conversation.order_id is not None:
            kind, title = "order", f"Order #{reference_of('order', conversation.order_id)}"
        elif conversation.gig_id is not None:
            gig = await session.get(Gig, conversation.gig_id)
            missing = f"Gig #{reference_of('gig', conversation.gig_id)}"
            kind, title = "gig", gig.title if gig is not None else missing
        else:
            kind, title = "general", "General"
        return ConversationView(
            conversation=conversation,
            buyer=buyer,
            freelancer=freelancer,
            freelancer_handle=profile.handle if profile is not None else None,
            role=role,
            unread=row.unread,
            subject_kind=kind,
            subject_title=title,
        )

    # ---- custom offers -------------------------------------------------------------------

    async def make_offer(
        self, session: AsyncSession, user: User, conversation_id: int, data: OfferIn
    ) -> Offer:
        conversation = await self.for_party(session, user, conversation_id)
        if user.id != conversation.freelancer_user_id:
            raise Forbidden("Only the freelancer makes offers in a conversation.")
        if data.kind in (OrderKind.AI, OrderKind.HYBRID) and not (
            await creation_service.active_for_owners(session, [user.id])
        ):
            raise Conflict(
                "You have no active AI model, so you cannot offer AI or hybrid work; offer "
                "work made by hand, or activate a model first.",
                field="kind",
            )
        days = data.expires_in_days or get_settings().inbox_offer_days
        offer = Offer(
            conversation_id=conversation.id,
            description=data.description,
            price_amount=data.price_amount,
            currency="USD",
            delivery_days=data.delivery_days,
            revisions=data.revisions,
            kind=data.kind,
            status=OfferStatus.OPEN,
            expires_at=utcnow() + timedelta(days=days),
        )
        await inbox_repository.add(session, offer)
        await self._add_message(
            session,
            conversation,
            AuthorKind.FREELANCER,
            user.id,
            user.display_name,
            f"Custom offer: {data.description}",
            offer_id=offer.id,
        )
        return offer

    async def accept_offer(
        self,
        session: AsyncSession,
        user: User,
        conversation_id: int,
        offer_id: int,
        idempotency_key: str | None = None,
    ) -> Offer:
        """The buyer accepts: an order on the offer's terms, its price into escrow, through
        the order domain's own escrow code. Each offer becomes one order at most (its order's
        request key is the offer's); a retry with the same Idempotency-Key returns it."""
        conversation = await self.for_party(session, user, conversation_id)
        offer = await inbox_repository.lock_offer(session, conversation.id, offer_id)
        if offer is None:
            raise NotFound("This conversation has no such offer.")
        if user.id != conversation.buyer_user_id:
            raise Forbidden("Only the buyer accepts an offer.")
        if offer.status == OfferStatus.ACCEPTED:
            if idempotency_key is not None and idempotency_key == offer.accept_key:
                return offer
            raise already_accepted(offer)
        self.check_still_open(offer)
        order = await order_service.place_custom(
            session,
            user,
            CustomTerms(
                freelancer_user_id=conversation.freelancer_user_id,
                gig_id=conversation.gig_id,
                kind=offer.kind,
                brief=offer.description,
                price_amount=offer.price_amount,
                currency=offer.currency,
                delivery_days=offer.delivery_days,
                revisions=offer.revisions,
            ),
            request_key=f"inbox-offer-{offer.id}",
        )
        offer.status = OfferStatus.ACCEPTED
        offer.order_id = order.id
        offer.accept_key = idempotency_key
        offer.closed_at = utcnow()
        await session.flush()
        return offer

    async def close_offer(
        self, session: AsyncSession, user: User, conversation_id: int, offer_id: int, action: str
    ) -> Offer:
        """``withdraw`` (the freelancer) or ``decline`` (the buyer) an open offer."""
        conversation = await self.for_party(session, user, conversation_id)
        offer = await inbox_repository.lock_offer(session, conversation.id, offer_id)
        if offer is None:
            raise NotFound("This conversation has no such offer.")
        if action == "withdraw" and user.id != conversation.freelancer_user_id:
            raise Forbidden("Only the freelancer who made the offer can withdraw it.")
        if action == "decline" and user.id != conversation.buyer_user_id:
            raise Forbidden("Only the buyer can decline an offer.")
        self.check_still_open(offer)
        offer.status = OfferStatus.WITHDRAWN if action == "withdraw" else OfferStatus.DECLINED
        offer.closed_at = utcnow()
        await session.flush()
        return offer

    def check_still_open(self, offer: Offer) -> None:
        state = offer.state(utcnow())
        if state == "expired":
            raise Conflict(
                f"This offer expired on {offer.expires_at:%Y-%m-%d %H:%M} UTC; ask the "
                "freelancer for a new one."
            )
        if state != "open":
            raise Conflict(f"This offer was {state}; it cannot be accepted or changed now.")

    async def offer(
        self, session: AsyncSession, user: User, conversation_id: int, offer_id: int
    ) -> Offer:
        """An offer of a conversation ``user`` may read."""
        conversation = await self.for_reader(session, user, conversation_id)
        found = (await inbox_repository.offers(session, {offer_id})).get(offer_id)
        if found is None or found.conversation_id != conversation.id:
            raise NotFound("This conversation has no such offer.")
        return found

    async def order_of(self, session: AsyncSession, offer: Offer) -> Order | None:
        return await session.get(Order, offer.order_id) if offer.order_id else None

    # ---- the assistant's state -----------------------------------------------------------

    async def take_over(
        self, session: AsyncSession, user: User, conversation_id: int
    ) -> Conversation:
        """The freelancer answers from now on; the assistant stays quiet here. Taking over a
        conversation the assistant already handed over keeps its reason and summary."""
        conversation = await self._freelancer_only(session, user, conversation_id)
        if conversation.assistant_state == AssistantState.HANDED_OVER:
            return conversation
        return await set_assistant_state(
            session, conversation.id, AssistantState.HANDED_OVER, reason="freelancer_took_over"
        )

    async def hand_back(
        self, session: AsyncSession, user: User, conversation_id: int
    ) -> Conversation:
        """The assistant may answer again."""
        conversation = await self._freelancer_only(session, user, conversation_id)
        return await set_assistant_state(session, conversation.id, AssistantState.ACTIVE)

    async def _freelancer_only(
        self, session: AsyncSession, user: User, conversation_id: int
    ) -> Conversation:
        conversation = await self.for_party(session, user, conversation_id)
        if user.id != conversation.freelancer_user_id:
            raise Forbidden("Only the freelancer decides when their assistant answers.")
        return conversation


inbox_service = InboxService()


# ---- what the assistant calls (see inbox.hooks) --------------------------------------------


async def set_assistant_state(
    session: AsyncSession,
    conversation_id: int,
    state: AssistantState | str,
    *,
    reason: str | None = None,
    summary: str | None = None,
) -> Conversation:
    """Set whether the assistant answers in a conversation. ``handed_over`` keeps the reason
    and summary for the freelancer; ``active`` clears them."""
    state = AssistantState(state)
    conversation = await inbox_repository.lock_conversation(session, conversation_id)
    if conversation is None:
        raise NotFound("There is no such conversation.")
    conversation.assistant_state = state
    if state == AssistantState.ACTIVE:
        conversation.handover_reason = None
        conversation.handover_summary = None
        conversation.handed_over_at = None
        conversation.handover_answered_at = None
    elif state == AssistantState.HANDED_OVER:
        conversation.handover_reason = reason[:60] if reason else None
        conversation.handover_summary = summary
        conversation.handed_over_at = utcnow()
        conversation.handover_answered_at = None
    await session.flush()
    return conversation


async def post_assistant_message(
    session: AsyncSession,
    conversation_id: int,
    text: str,
    assistant_name: str,
    *,
    handover: Handover | None = None,
) -> Message:
    """A reply from the freelancer's assistant, shown as "<assistant_name>, <freelancer>'s
    assistant". With ``handover`` the conversation is handed to the freelancer in the same
    unit of work. Refused (AssistantSilenced) once handed over or paused."""
    conversation = await inbox_repository.lock_conversation(session, conversation_id)
    if conversation is None:
        raise NotFound("There is no such conversation.")
    if conversation.assistant_state != AssistantState.ACTIVE:
        raise AssistantSilenced(
            f"The assistant is {conversation.assistant_state.replace('_', ' ')} in this "
            "conversation."
        )
    text = text.strip()
    if not text:
        raise ValidationFailed("The assistant's message is empty.", field="text")
    freelancer = await session.get(User, conversation.freelancer_user_id)
    assert freelancer is not None
    message = await inbox_service._add_message(
        session,
        conversation,
        AuthorKind.ASSISTANT,
        freelancer.id,
        assistant_author_name(assistant_name.strip() or "Assistant", freelancer.display_name)[:200],
        text,
    )
    if handover is not None:
        await set_assistant_state(
            session,
            conversation.id,
            AssistantState.HANDED_OVER,
            reason=handover.reason,
            summary=handover.summary,
        )
    return message


async def conversation_context(
    session: AsyncSession, conversation_id: int, *, limit: int = 20
) -> ConversationContext:
    """The conversation, its parties and its newest ``limit`` messages (oldest first). No
    access check: the caller is the platform acting for the freelancer."""
    conversation = await inbox_repository.conversation(session, conversation_id)
    if conversation is None:
        raise NotFound("There is no such conversation.")
    buyer = await session.get(User, conversation.buyer_user_id)
    freelancer = await session.get(User, conversation.freelancer_user_id)
    assert buyer is not None and freelancer is not None
    return ConversationContext(
        conversation=conversation,
        buyer=buyer,
        freelancer=freelancer,
        messages=await inbox_repository.messages(session, conversation.id, 0, limit),
    )
