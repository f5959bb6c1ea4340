from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, status

from twinwork.account.models import User
from twinwork.config import get_settings
from twinwork.generation.engine import generate_text
from twinwork.generation.service import generation_service
from twinwork.kit.db import end_transaction_early, unit_of_work
from twinwork.kit.ids import IdPath
from twinwork.kit.pagination import MAX_PAGE
from twinwork.order.models import Order
from twinwork.order.schemas import (
    DeliveryIn,
    DeliveryOut,
    OrderIn,
    OrderOut,
    OrderPageOut,
    ReviewIn,
    RevisionIn,
)
from twinwork.order.service import order_service
from twinwork.web.deps import ApiUser, DbSession, SessionMaker, Storage, writes_own_units

api = APIRouter(prefix="/api/v1", tags=["orders"])

RequestKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=100,
        description="Retrying with the same key returns the first order; charged once.",
    ),
]


async def order_out(session: DbSession, order: Order, user: User) -> OrderOut:
    review = await order_service.review_of(session, order)
    return OrderOut(
        id=order.id,
        role="buyer" if order.buyer_user_id == user.id else "freelancer",
        buyer_user_id=order.buyer_user_id,
        freelancer_user_id=order.freelancer_user_id,
        gig_id=order.gig_id,
        package=order.package_name,
        kind=order.kind,
        status=order.status,
        brief=order.brief,
        price_amount=order.price_amount,
        currency=order.currency,
        revisions_allowed=order.revisions_allowed,
        revisions_used=order.revisions_used,
        due_at=order.due_at,
        auto_accept_at=order.auto_accept_at,
        created_at=order.created_at,
        completed_at=order.completed_at,
        deliveries=[
            DeliveryOut.model_validate(d) for d in await order_service.deliveries(session, order)
        ],
        review=None if review is None else {"rating": review.rating, "text": review.text},
    )


@api.post("/orders", response_model=OrderOut, status_code=status.HTTP_201_CREATED)
@writes_own_units
async def place_order(
    body: OrderIn,
    user: ApiUser,
    session: DbSession,
    sessionmaker: SessionMaker,
    storage: Storage,
    request_key: RequestKey = None,
) -> OrderOut:
    """Order a gig package: ``human`` (paid into escrow until you accept), ``ai`` (generated
    at once from the freelancer's model and charged like a purchase) or ``hybrid`` (the AI
    draft at once, refined by hand within the package's delivery time; escrow as for human)."""
    earlier = await order_service.existing(session, user, request_key)
    if earlier is not None:
        return await order_out(session, earlier, user)
    quote = await order_service.quote(session, user, body)
    draft = None
    if quote.kind in ("ai", "hybrid"):
        assert quote.model is not None
        ticket = await generation_service.ticket(session, user, quote.model.id)
        await end_transaction_early(session)
        text = await generate_text(
            get_settings(),
            storage,
            artifact_key=ticket.artifact_key,
            artifact_hash=ticket.artifact_hash,
            brief=body.brief,
        )
        draft = (ticket, text)
    async with unit_of_work(sessionmaker) as write:
        generation = None
        if draft is not None:
            generation = await generation_service.record(
                write, user, draft[0], body.brief, draft[1]
            )
        if quote.kind == "ai":
            assert generation is not None
            key = request_key or f"order-{generation.id}"
            purchase = await generation_service.purchase(write, user, generation.id, key)
            order = await order_service.record_ai_order(
                write, user, purchase.generation, body.gig_id
            )
        else:
            order = await order_service.place(write, user, body, request_key, draft=generation)
        order_id = order.id
    order = await order_service.for_party(session, user, order_id)
    return await order_out(session, order, user)


@api.get("/orders", response_model=OrderPageOut)
async def list_orders(
    user: ApiUser, session: DbSession, page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1
) -> OrderPageOut:
    """Your orders, as buyer and as freelancer, newest first."""
    results = await order_service.page(session, user, page)
    return OrderPageOut(
        items=[await order_out(session, o, user) for o in results.items],
        page=results.page,
        pages=results.pages,
        total=results.total,
    )


@api.get("/orders/{order_id}", response_model=OrderOut)
async def get_order(order_id: IdPath, user: ApiUser, session: DbSession) -> OrderOut:
    return await order_out(session, await order_service.for_party(session, user, order_id), user)


@api.post("/orders/{order_id}/deliveries", response_model=OrderOut, status_code=201)
async def deliver(
    order_id: IdPath, body: DeliveryIn, user: ApiUser, session: DbSession
) -> OrderOut:
    order = await order_service.deliver(session, user, order_id, body.text)
    return await order_out(session, order, user)


@api.post("/orders/{order_id}/accept", response_model=OrderOut)
async def accept(order_id: IdPath, user: ApiUser, session: DbSession) -> OrderOut:
    """Accept the delivery: escrow is released to the freelancer, less the platform fee."""
    return await order_out(session, await order_service.accept(session, user, order_id), user)


@api.post("/orders/{order_id}/revisions", response_model=OrderOut)
async def revise(order_id: IdPath, body: RevisionIn, user: ApiUser, session: DbSession) -> OrderOut:
    order = await order_service.request_revision(session, user, order_id, body.message)
    return await order_out(session, order, user)


@api.post("/orders/{order_id}/cancel", response_model=OrderOut)
async def cancel(order_id: IdPath, user: ApiUser, session: DbSession) -> OrderOut:
    """Before delivery, either party may cancel; the buyer's wallet is refunded."""
    return await order_out(session, await order_service.cancel(session, user, order_id), user)


@api.post("/orders/{order_id}/reviews", response_model=OrderOut, status_code=201)
async def review(order_id: IdPath, body: ReviewIn, user: ApiUser, session: DbSession) -> OrderOut:
    await order_service.review(session, user, order_id, body)
    return await order_out(session, await order_service.for_party(session, user, order_id), user)
