"""Accepting a custom offer as a checkout: the same summary and payment choices as a package
order (the wallet, or a card for what the wallet lacks), over several units of work.

The order domain's own rules do the paying: ``order_service.card_shortfall`` decides what a
card pays (the smallest card payment, its limits), ``top_up_by_card`` charges it with no
transaction open, and ``order_service.place_custom`` moves the price into escrow with the
package orders' escrow posting. What this module adds is the claim: before a card is charged
the paying request writes its key on the open offer and commits it, so a second window (another
key) is refused instead of charging the card again; a retry under the same key repeats the same
top-up, which the payment provider charges once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from twinwork.account.models import User
from twinwork.billing.schemas import TopUpIn
from twinwork.billing.wallet.service import wallet_service
from twinwork.billing.wallet.top_up import top_up_by_card
from twinwork.inbox.models import Conversation, Offer, OfferStatus
from twinwork.inbox.repository import inbox_repository
from twinwork.inbox.service import already_accepted, inbox_service
from twinwork.kit.db import end_transaction_early, unit_of_work, utcnow
from twinwork.kit.errors import Conflict, Forbidden, NotFound
from twinwork.order.service import order_service

CLAIM_STALE_AFTER = timedelta(minutes=5)
"""A claim this old belongs to a request that died (a card charge answers in seconds): another
request may take the offer over. Matches the wallet's STUCK_CHARGE_AFTER."""


@dataclass(frozen=True)
class OfferCheckout:
    """What the buyer reads before paying for an offer: nothing is charged or written."""

    offer: Offer
    conversation: Conversation
    freelancer: User
    wallet_balance_amount: int
    """In cents."""
    card_amount: int
    """What a card must pay because the wallet does not cover the price, in cents; 0 if none."""

    @property
    def balance_after_amount(self) -> int:
        """The wallet after paying, in cents (never negative: a card pays the rest)."""
        return max(self.wallet_balance_amount - self.offer.price_amount, 0)


@dataclass(frozen=True)
class Claim:
    offer_id: int
    accepted: bool
    """Accepted already under this very key: the retry's answer is the first one's."""
    card_amount: int
    """In cents."""
    currency: str


async def _open_offer_for_buyer(
    session: AsyncSession, user: User, conversation_id: int, offer_id: int, *, lock: bool
) -> tuple[Conversation, Offer]:
    conversation = await inbox_service.for_party(session, user, conversation_id)
    offer = (
        await inbox_repository.lock_offer(session, conversation.id, offer_id)
        if lock
        else (await inbox_repository.offers(session, {offer_id})).get(offer_id)
    )
    if offer is None or offer.conversation_id != conversation.id:
        raise NotFound("This conversation has no such offer.")
    if user.id != conversation.buyer_user_id:
        raise Forbidden("Only the buyer accepts an offer.")
    return conversation, offer


async def offer_checkout_summary(
    session: AsyncSession, user: User, conversation_id: int, offer_id: int
) -> OfferCheckout:
    """The offer's terms, the wallet and what a card would pay, checked as accepting would
    check them (an accepted, expired or closed offer is refused here, before any card)."""
    conversation, offer = await _open_offer_for_buyer(
        session, user, conversation_id, offer_id, lock=False
    )
    if offer.status == OfferStatus.ACCEPTED:
        raise already_accepted(offer)
    inbox_service.check_still_open(offer)
    freelancer = await session.get(User, conversation.freelancer_user_id)
    assert freelancer is not None
    return OfferCheckout(
        offer=offer,
        conversation=conversation,
        freelancer=freelancer,
        wallet_balance_amount=await wallet_service.balance(session, user, offer.currency),
        card_amount=await order_service.card_shortfall(session, user, offer, by_card=True),
    )


async def _claim(
    session: AsyncSession,
    user: User,
    conversation_id: int,
    offer_id: int,
    key: str,
    *,
    by_card: bool,
) -> Claim:
    """Step (1), committed before any card is charged: the offer is this request's to pay."""
    _, offer = await _open_offer_for_buyer(session, user, conversation_id, offer_id, lock=True)
    if offer.status == OfferStatus.ACCEPTED:
        if offer.accept_key == key:
            return Claim(offer.id, True, 0, offer.currency)
        raise already_accepted(offer)
    inbox_service.check_still_open(offer)
    now = utcnow()
    if (
        offer.accept_key not in (None, key)
        and offer.accept_started_at is not None
        and offer.accept_started_at > now - CLAIM_STALE_AFTER
    ):
        raise Conflict(
            "This offer is being paid for in another window or request; wait a moment, then "
            "reload the conversation to see the order."
        )
    # The wallet's check comes first: a short wallet without a card claims nothing.
    card_amount = await order_service.card_shortfall(session, user, offer, by_card=by_card)
    offer.accept_key = key
    offer.accept_started_at = now
    await session.flush()
    return Claim(offer.id, False, card_amount, offer.currency)


async def _release(
    sessionmaker: async_sessionmaker[AsyncSession],
    user: User,
    conversation_id: int,
    offer_id: int,
    key: str,
) -> None:
    """The paying request failed (a declined card, a wallet emptied meanwhile): another
    attempt may start at once instead of waiting for the claim to go stale."""
    async with unit_of_work(sessionmaker) as write:
        conversation = await inbox_service.for_party(write, user, conversation_id)
        offer = await inbox_repository.lock_offer(write, conversation.id, offer_id)
        if offer is not None and offer.status == OfferStatus.OPEN and offer.accept_key == key:
            offer.accept_key = None
            offer.accept_started_at = None


async def accept_offer(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    user: User,
    conversation_id: int,
    offer_id: int,
    request_key: str | None,
    card_number: str | None = None,
) -> int:
    """Claim the offer, charge a card for what the wallet lacks (only with ``card_number``),
    then place the order and move the price into escrow in one short unit of work. The
    request's own ``session`` is ended first. Returns the offer id; a retry with the same
    ``request_key`` returns the first answer and charges nothing more."""
    key = request_key or f"accept-{uuid.uuid4().hex}"
    await end_transaction_early(session)
    async with unit_of_work(sessionmaker) as write:
        buyer = await write.get(User, user.id)
        assert buyer is not None
        claim = await _claim(
            write, buyer, conversation_id, offer_id, key, by_card=card_number is not None
        )
    if claim.accepted:
        return claim.offer_id
    try:
        if claim.card_amount:
            assert card_number is not None
            top_up = TopUpIn(
                amount=claim.card_amount, currency=claim.currency, card_number=card_number
            )
            # Keyed by the offer and the request ("checkout-": a card payment at checkout on
            # the receipt): a retry repeats this top-up, never a second charge, and a first
            # attempt that charged but did not place the order left the money in the wallet,
            # so the retry's card amount is zero.
            await top_up_by_card(sessionmaker, user, top_up, f"checkout-offer-{offer_id}-{key}")
        async with unit_of_work(sessionmaker) as write:
            buyer = await write.get(User, user.id)
            assert buyer is not None
            offer = await inbox_service.accept_offer(write, buyer, conversation_id, offer_id, key)
            return offer.id
    except Exception:
        await _release(sessionmaker, user, conversation_id, offer_id, key)
        raise
