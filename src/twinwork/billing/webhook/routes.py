"""The payment provider's webhook endpoint and the operators' view of the inbox."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request

from twinwork.billing.schemas import WebhookAckOut, WebhookEventOut, WebhookEventPageOut
from twinwork.billing.webhook.service import webhook_service
from twinwork.billing.webhook.tasks import receive
from twinwork.kit.pagination import MAX_PAGE
from twinwork.web.deps import DbSession, SessionMaker, api_admin

api = APIRouter(prefix="/api/v1", tags=["webhooks"])


@api.post("/webhooks/stripe", response_model=WebhookAckOut)
async def stripe_webhook(
    request: Request,
    sessionmaker: SessionMaker,
    stripe_signature: Annotated[str | None, Header(alias="Stripe-Signature")] = None,
) -> WebhookAckOut:
    """Stripe's events (signed with the endpoint's secret). 200 once the event is stored: a
    redelivery changes nothing, and an event whose handling fails is retried by a job."""
    verified = webhook_service.verify_stripe(await request.body(), stripe_signature)
    receipt, status = await receive(sessionmaker, verified)
    return WebhookAckOut(received=True, duplicate=receipt.duplicate, status=status)


@api.get("/admin/webhooks", response_model=WebhookEventPageOut, dependencies=[Depends(api_admin)])
async def webhook_events(
    session: DbSession,
    status: Literal["received", "processed", "ignored", "failed"] | None = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> WebhookEventPageOut:
    """The webhook inbox, newest first; ``status=failed`` lists what the retry job could not
    handle, and handled events with an ``error`` need an operator's look."""
    results = await webhook_service.page(session, status, page)
    return WebhookEventPageOut(
        items=[WebhookEventOut.model_validate(e) for e in results.items],
        page=results.page,
        pages=results.pages,
        total=results.total,
    )
