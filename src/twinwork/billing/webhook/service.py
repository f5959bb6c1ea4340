"""Provider webhooks: verify, store once in the inbox, then handle once.

An event is verified (its signature), stored in ``webhook_events`` and committed before it is
handled: a redelivery meets the unique (source, external_id) and changes nothing, and an event
whose handling fails stays in the inbox as "failed" for the retry job (``webhook_tasks``).
Handling runs in a unit of work of its own, with the event row locked, so two handlings of
one event never both act.

Who acts on an event is registered, not known here: the domain that owns the record an event
is about registers a handler for its type (``register_handler``): billing's own for top-ups
and payouts (``stripe_events.py``), the creation program's for its invoices. A handler
answers None when the event is not about one of its records; the first that answers decides.
When none does, the type's fallback (``register_unmatched``) decides; with none, the event is
"ignored". A type nobody registered is stored as "ignored".

On a handled event, ``error`` says what an operator must look at (a charge that matches no
record of ours, a partial reversal); on a failed one, why handling failed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import stripe
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.billing.models import WebhookEvent, WebhookEventStatus
from twinwork.billing.provider.stripe_provider import KEY_METADATA
from twinwork.billing.webhook.repository import webhook_event_repository
from twinwork.config import get_settings
from twinwork.kit.db import utcnow
from twinwork.kit.errors import DomainError
from twinwork.kit.pagination import Page, check_page_in_range

log = logging.getLogger(__name__)

STRIPE = "stripe"
FINAL_STATUSES = (WebhookEventStatus.PROCESSED, WebhookEventStatus.IGNORED)
MAX_ATTEMPTS = 10
"""Handlings of one event before the retry job leaves it "failed" for an operator."""


class WebhookNotConfigured(DomainError):
    status_code = 503
    title = "Webhooks not configured"
    type_slug = "webhooks-not-configured"


class WebhookRejected(DomainError):
    status_code = 400
    title = "Invalid webhook"
    type_slug = "invalid-webhook"


class NotYetReconcilable(Exception):
    """Our side is not ready for this event (its row is not committed or recorded yet): the
    event fails now and the retry job handles it again later."""


@dataclass(frozen=True)
class VerifiedEvent:
    source: str
    external_id: str
    type: str
    payload: str


@dataclass(frozen=True)
class Receipt:
    event_id: int
    status: str
    duplicate: bool


@dataclass(frozen=True)
class Outcome:
    status: WebhookEventStatus
    """Processed or ignored."""
    note: str | None = None
    """What an operator must look at, if anything."""


Handler = Callable[[AsyncSession, dict[str, Any]], Awaitable[Outcome | None]]
"""Handles an event's ``data.object``; None: the event is not about a record of the
registering domain's."""
Fallback = Callable[[AsyncSession, dict[str, Any]], Awaitable[Outcome]]

HANDLERS: dict[tuple[str, str], list[Handler]] = {}
UNMATCHED: dict[tuple[str, str], Fallback] = {}


def register_handler(source: str, event_type: str, handler: Handler) -> None:
    """Let ``handler`` act on events of this type (in the order registered); registering the
    same handler twice (a module imported again) changes nothing."""
    handlers = HANDLERS.setdefault((source, event_type), [])
    if handler not in handlers:
        handlers.append(handler)


def register_unmatched(source: str, event_type: str, fallback: Fallback) -> None:
    """What an event of this type that no handler claims comes to."""
    UNMATCHED[(source, event_type)] = fallback


def event_key(data: dict[str, Any]) -> str | None:
    """Our idempotency key, which our PaymentIntents and Transfers carry in their metadata."""
    metadata = data.get("metadata")
    key = metadata.get(KEY_METADATA) if isinstance(metadata, dict) else None
    return key if isinstance(key, str) and key else None


async def dispatch(session: AsyncSession, event: WebhookEvent) -> Outcome:
    handlers = HANDLERS.get((event.source, event.type))
    if not handlers:
        return Outcome(WebhookEventStatus.IGNORED)
    data = json.loads(event.payload).get("data", {}).get("object", {})
    for handler in handlers:
        outcome = await handler(session, data)
        if outcome is not None:
            return outcome
    fallback = UNMATCHED.get((event.source, event.type))
    if fallback is None:
        return Outcome(WebhookEventStatus.IGNORED, "No record of twinwork's matches this event.")
    return await fallback(session, data)


class WebhookService:
    # ---- receiving -----------------------------------------------------------------------

    def verify_stripe(self, payload: bytes, signature: str | None) -> VerifiedEvent:
        """Check the Stripe-Signature header against the raw body (and its timestamp against
        replays); nothing unverified goes any further."""
        secret = get_settings().stripe_webhook_secret
        if not secret:
            raise WebhookNotConfigured(
                "Stripe webhooks are not configured on this server: set "
                "TWINWORK_STRIPE_WEBHOOK_SECRET to the endpoint's signing secret (whsec_...)."
            )
        try:
            stripe.Webhook.construct_event(payload, signature, secret)
        except stripe.SignatureVerificationError as exc:
            raise WebhookRejected(
                "The Stripe-Signature header does not match this body and the endpoint's "
                "signing secret, or it is too old; nothing was stored."
            ) from exc
        except ValueError as exc:  # not UTF-8 or not JSON
            raise WebhookRejected("The body is not a Stripe event; nothing was stored.") from exc
        event = json.loads(payload)
        event_id, event_type = event.get("id"), event.get("type")
        if not isinstance(event_id, str) or not event_id or not isinstance(event_type, str):
            raise WebhookRejected("The event has no id or type; nothing was stored.")
        return VerifiedEvent(STRIPE, event_id[:255], event_type[:100], payload.decode())

    async def store(self, session: AsyncSession, verified: VerifiedEvent) -> Receipt:
        """Insert into the inbox; a redelivery finds the first row."""
        event = WebhookEvent(
            source=verified.source,
            external_id=verified.external_id,
            type=verified.type,
            payload=verified.payload,
            status=WebhookEventStatus.RECEIVED,
            attempts=0,
        )
        if await webhook_event_repository.add(session, event):
            return Receipt(event.id, event.status, duplicate=False)
        first = await webhook_event_repository.by_external_id(
            session, verified.source, verified.external_id
        )
        assert first is not None
        return Receipt(first.id, first.status, duplicate=True)

    # ---- handling ------------------------------------------------------------------------

    async def handle(self, session: AsyncSession, event_id: int) -> str:
        """Handle a stored event once; returns its status afterwards. Raises when handling
        fails (the caller's unit of work rolls back and marks the event failed)."""
        event = await webhook_event_repository.lock(session, event_id)
        if event is None:
            return "missing"
        if event.status in FINAL_STATUSES:
            return event.status
        outcome = await dispatch(session, event)
        event.status = outcome.status
        event.error = outcome.note[:500] if outcome.note else None
        event.attempts += 1
        event.processed_at = utcnow()
        await session.flush()
        return event.status

    async def mark_failed(self, session: AsyncSession, event_id: int, error: str) -> str:
        event = await webhook_event_repository.lock(session, event_id)
        if event is None:
            return "missing"
        if event.status in FINAL_STATUSES:
            return event.status  # handled meanwhile by another delivery
        event.status = WebhookEventStatus.FAILED
        event.error = error[:500]
        event.attempts += 1
        await session.flush()
        return event.status

    async def due_for_retry(self, session: AsyncSession, received_before: datetime) -> list[int]:
        return await webhook_event_repository.retry_ids(session, received_before, MAX_ATTEMPTS)

    async def page(
        self, session: AsyncSession, status: str | None, page: int, page_size: int = 50
    ) -> Page[WebhookEvent]:
        items, total = await webhook_event_repository.page(
            session, status, (page - 1) * page_size, page_size
        )
        check_page_in_range(page, page_size, total)
        return Page(items, page, page_size, total)


webhook_service = WebhookService()
