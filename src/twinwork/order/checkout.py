"""Checkout: placing an order as one flow over several units of work.

A card charge (what the wallet lacks) and the freelancer's model (an AI or hybrid order's
draft) are slow and must not run inside a database transaction, so the order is checked and
quoted first, the card charged and the model run with no transaction open, and the order
written last in one short unit of work (with the purchase, for AI work).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from twinwork.account.models import User
from twinwork.billing.schemas import TopUpIn
from twinwork.billing.wallet.service import wallet_service
from twinwork.billing.wallet.top_up import top_up_by_card
from twinwork.config import get_settings
from twinwork.generation import files
from twinwork.generation.engine import generate_work
from twinwork.generation.service import Purchase, generation_service
from twinwork.kit.db import end_transaction_early, unit_of_work
from twinwork.kit.storage import ObjectStorage
from twinwork.order.models import OrderKind
from twinwork.order.schemas import OrderIn
from twinwork.order.service import Quote, order_fingerprint, order_service


@dataclass(frozen=True)
class CheckoutSummary:
    """What the buyer reads before paying: nothing is charged or written to show it."""

    quote: Quote
    package_title: str
    wallet_balance_amount: int
    """In cents."""
    card_amount: int
    """What a card must pay because the wallet does not cover the price, in cents; 0 if none."""

    @property
    def balance_after_amount(self) -> int:
        """The wallet after paying, in cents (never negative: a card pays the rest)."""
        return max(self.wallet_balance_amount - self.quote.price_amount, 0)


async def checkout_summary(session: AsyncSession, user: User, body: OrderIn) -> CheckoutSummary:
    """Check and price the order as placing it would (the same quote), and say what the
    wallet covers. Refuses here what placing it would refuse, before any card is asked for."""
    quote = await order_service.quote(session, user, body)
    package = quote.gig.package(body.package)
    assert package is not None
    return CheckoutSummary(
        quote=quote,
        package_title=package.title,
        wallet_balance_amount=await wallet_service.balance(session, user, quote.currency),
        # The same rule placing the order applies (the smallest card payment, its limits).
        card_amount=await order_service.card_shortfall(session, user, quote, by_card=True),
    )


async def checkout(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    user: User,
    body: OrderIn,
    request_key: str | None,
) -> int:
    """Check and quote, charge a card for what the wallet lacks, generate the AI part with no
    transaction open, then write the order (and for AI work, the purchase) in one short unit
    of work. The request's own ``session`` is ended first. Returns the order id; a retry with
    the same ``request_key`` returns the first order's."""
    fingerprint = order_fingerprint(body)
    earlier = await order_service.existing(session, user, request_key, fingerprint)
    if earlier is not None:
        return earlier.id
    quote = await order_service.quote(session, user, body)
    shortfall = await order_service.card_shortfall(
        session, user, quote, by_card=body.card_number is not None
    )
    draft = None
    ticket = None
    if quote.kind in (OrderKind.AI, OrderKind.HYBRID):
        assert quote.model is not None
        ticket = await generation_service.ticket(session, user, quote.model.id, for_order=True)
    # The request's transaction ends (and its connection goes back to the pool) before the
    # write unit takes one: holding both, a burst of orders would exhaust the pool.
    await end_transaction_early(session)
    if shortfall:
        assert body.card_number is not None
        # Keyed by the order request: a retry never charges the card a second time, and a
        # first attempt that charged but failed to place the order left the money in the
        # wallet, so the retry's shortfall is zero.
        checkout_key = f"checkout-{request_key}" if request_key else None
        top_up = TopUpIn(amount=shortfall, currency="USD", card_number=body.card_number)
        await top_up_by_card(sessionmaker, user, top_up, checkout_key)
    if ticket is not None:
        # The buyer's brief is all an order gives the model: a modality whose work is files
        # (designs) reads what it needs from it.
        draft = (ticket, await generate_work(get_settings(), storage, ticket, body.brief))
    generation = None
    try:
        async with unit_of_work(sessionmaker) as write:
            if draft is not None:
                ticket, work = draft
                generation = await generation_service.record(
                    write,
                    user,
                    ticket,
                    body.brief,
                    work.text,
                    for_order=True,
                    file_count=len(work.files),
                )
                if work.files:
                    await files.attach(write, storage, generation, ticket, work)
            if quote.kind == OrderKind.AI:
                assert generation is not None
                # Bought at the package's AI price (catalog.offer), not the model's per-use
                # price a preview is sold at: the licence and the sale take it from here.
                generation.price_amount = quote.price_amount
                key = request_key or f"order-{generation.id}"
                purchase = await generation_service.purchase(write, user, generation.id, key)
                order = await order_service.record_ai_order(
                    write, user, purchase.generation, body.gig_id, request_key, fingerprint
                )
            else:
                order = await order_service.place(write, user, body, request_key, draft=generation)
            return order.id
    except BaseException:
        # The files of a draft whose order was not written would be nobody's.
        if generation is not None and draft is not None and draft[1].files:
            await files.discard(storage, generation)
        raise


async def buy_generation(
    session: AsyncSession, buyer: User, generation_id: int, idempotency_key: str
) -> Purchase:
    """Buy a previewed generation from the wallet: the purchase, and the AI order that shows
    it among the orders of buyer and freelancer, in the caller's one unit of work."""
    purchase = await generation_service.purchase(session, buyer, generation_id, idempotency_key)
    await order_service.record_ai_order(session, buyer, purchase.generation, None)
    return purchase
