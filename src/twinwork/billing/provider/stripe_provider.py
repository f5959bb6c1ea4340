"""The payment-provider port on Stripe: PaymentIntents for card charges, Customers for cards on
file, Connect Transfers for payouts.

Card numbers never reach this server with Stripe: the browser turns the card into a
PaymentMethod with Stripe.js, and the API's ``card_number`` field carries its id (``pm_...``).
A raw card number is refused before any request. Payouts go to a Connect account id
(``acct_...``) given as the bank account.

The SDK's calls are synchronous (``requests``); each runs in a worker thread so the event loop
keeps serving. Every charge and transfer carries our idempotency key, so the SDK's own retries
and ours meet Stripe's first answer instead of a second charge.
"""

from __future__ import annotations

import asyncio
import logging

import stripe
from stripe.params import PaymentIntentCreateParams

from twinwork.billing.provider.port import ChargeResult, ProviderUnavailable, SavedCard
from twinwork.kit.errors import DomainError, ValidationFailed

log = logging.getLogger(__name__)

PAYMENT_METHOD_PREFIX = "pm_"
CONNECTED_ACCOUNT_PREFIX = "acct_"
KEY_METADATA = "twinwork_key"
"""PaymentIntent and Transfer metadata: our idempotency key, which webhooks match on."""
RAW_CARD_MESSAGE = (
    "Card numbers are not accepted with Stripe: send the PaymentMethod id (pm_...) that "
    "Stripe.js makes from the card in the browser."
)
# A PaymentIntent in any other state took no money (or not yet): never a success.
INTENT_FAILURES: dict[str, tuple[str, str]] = {
    "requires_action": (
        "authentication_required",
        "The card asks for authentication (3-D Secure) that this payment cannot complete; "
        "use another card.",
    ),
    "processing": (
        "processing",
        "The payment is still processing at the card network; it was not completed.",
    ),
    "requires_payment_method": ("card_declined", "The card was declined."),
    "requires_confirmation": ("not_confirmed", "The payment was not confirmed."),
    "requires_capture": ("not_captured", "The payment was authorised but not captured."),
    "canceled": ("canceled", "The payment was cancelled."),
}


class CardNotAccepted(DomainError):
    """Stripe refused to keep the card on file (declined when it was checked)."""

    status_code = 402
    title = "Payment declined"
    type_slug = "payment-declined"


class StripeProvider:
    name = "stripe"

    def __init__(
        self,
        secret_key: str,
        *,
        http_client: stripe.HTTPClient | None = None,
        max_network_retries: int = 2,
    ) -> None:
        self._client = stripe.StripeClient(
            secret_key, http_client=http_client, max_network_retries=max_network_retries
        )

    async def charge_card(
        self,
        card_number: str,
        amount: int,
        currency: str,
        description: str,
        idempotency_key: str | None,
    ) -> ChargeResult:
        if not card_number.startswith(PAYMENT_METHOD_PREFIX):
            return ChargeResult(False, "", "raw_card_refused", RAW_CARD_MESSAGE)
        params: PaymentIntentCreateParams = {
            "amount": amount,
            "currency": currency.lower(),
            "payment_method": card_number,
            "allowed_payment_method_types": ["card"],
            "confirm": True,
            "description": description,
            # The card's last four digits come back with the PaymentMethod, for receipts.
            "expand": ["payment_method"],
        }
        if idempotency_key is not None:
            params["metadata"] = {KEY_METADATA: idempotency_key}
        return await self._charge(params, idempotency_key)

    async def save_card(self, card_number: str) -> SavedCard:
        """Keep the PaymentMethod on a Customer of its own (created once per PaymentMethod),
        so renewals can charge it off-session."""
        if not card_number.startswith(PAYMENT_METHOD_PREFIX):
            raise ValidationFailed(RAW_CARD_MESSAGE, field="card_number", code="raw_card_refused")
        try:
            method = await asyncio.to_thread(self._client.v1.payment_methods.retrieve, card_number)
            if method.customer is None:
                await asyncio.to_thread(
                    self._client.v1.customers.create,
                    {
                        "payment_method": card_number,
                        "invoice_settings": {"default_payment_method": card_number},
                        "description": "twinwork card on file",
                    },
                    {"idempotency_key": f"save-card:{card_number}"},
                )
        except stripe.CardError as exc:
            raise CardNotAccepted(
                _message(exc, "The card was declined."), field="card_number", code=exc.code
            ) from exc
        except stripe.InvalidRequestError as exc:
            raise ValidationFailed(
                _message(exc, "Stripe does not know this PaymentMethod."),
                field="card_number",
                code=exc.code,
            ) from exc
        except stripe.StripeError as exc:
            raise _unavailable(exc) from exc
        last4 = method.card.last4 if method.card is not None else "0000"
        return SavedCard(token=method.id, last4=last4)

    async def charge_saved_card(
        self,
        token: str,
        amount: int,
        currency: str,
        description: str,
        idempotency_key: str,
    ) -> ChargeResult:
        if not token.startswith(PAYMENT_METHOD_PREFIX):
            # A card saved under another provider (the sandbox) cannot be charged on Stripe.
            return ChargeResult(
                False,
                "",
                "card_not_on_stripe",
                "The card on file was not saved with Stripe; add the card again.",
            )
        try:
            method = await asyncio.to_thread(self._client.v1.payment_methods.retrieve, token)
        except stripe.InvalidRequestError as exc:
            return _failed(exc)
        except stripe.StripeError as exc:
            raise _unavailable(exc) from exc
        customer = method.customer
        if customer is None:
            return ChargeResult(
                False, "", "card_not_saved", "The card on file is no longer saved; add it again."
            )
        params: PaymentIntentCreateParams = {
            "amount": amount,
            "currency": currency.lower(),
            "customer": customer if isinstance(customer, str) else customer.id,
            "payment_method": token,
            "allowed_payment_method_types": ["card"],
            "off_session": True,
            "confirm": True,
            "description": description,
            "metadata": {KEY_METADATA: idempotency_key},
        }
        return await self._charge(params, idempotency_key)

    async def transfer(
        self,
        bank_account: str,
        amount: int,
        currency: str,
        description: str,
        idempotency_key: str,
    ) -> ChargeResult:
        if not bank_account.startswith(CONNECTED_ACCOUNT_PREFIX):
            return ChargeResult(
                False,
                "",
                "no_connected_account",
                "Stripe pays out to a connected account id (acct_...), not a bank account number.",
            )
        try:
            transfer = await asyncio.to_thread(
                self._client.v1.transfers.create,
                {
                    "amount": amount,
                    "currency": currency.lower(),
                    "destination": bank_account,
                    "description": description,
                    "metadata": {KEY_METADATA: idempotency_key},
                },
                {"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            return _refusal(exc)
        return ChargeResult(True, transfer.id)

    async def _charge(
        self, params: PaymentIntentCreateParams, idempotency_key: str | None
    ) -> ChargeResult:
        options: stripe.RequestOptions = {}
        if idempotency_key is not None:
            options["idempotency_key"] = idempotency_key
        try:
            intent = await asyncio.to_thread(
                self._client.v1.payment_intents.create, params, options
            )
        except stripe.StripeError as exc:
            return _refusal(exc)
        return _intent_result(intent)

    async def lookup(self, idempotency_key: str) -> ChargeResult | None:
        """The PaymentIntent made under this key, found by the key in its metadata. Stripe's
        search lags writes by up to a minute (longer in an outage), so "None" is trusted only
        well after the charge began (the caller waits for that)."""
        query = f"metadata['{KEY_METADATA}']:'{_search_literal(idempotency_key)}'"
        try:
            found = await asyncio.to_thread(
                self._client.v1.payment_intents.search, {"query": query, "limit": 1}
            )
        except stripe.StripeError as exc:
            raise _unavailable(exc) from exc
        return _intent_result(found.data[0]) if found.data else None

    async def refund(self, external_id: str, amount: int, idempotency_key: str) -> ChargeResult:
        """Refund part or all of a PaymentIntent. A "pending" refund is accepted by Stripe and
        completes on its own (card refunds usually are), so it counts as made."""
        try:
            refund = await asyncio.to_thread(
                self._client.v1.refunds.create,
                {
                    "payment_intent": external_id,
                    "amount": amount,
                    "metadata": {KEY_METADATA: idempotency_key},
                },
                {"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            return _refusal(exc)
        if refund.status in ("succeeded", "pending"):
            return ChargeResult(True, refund.id)
        return ChargeResult(
            False,
            refund.id,
            refund.failure_reason or refund.status or "refund_failed",
            "The refund did not go through.",
        )


def _intent_result(intent: stripe.PaymentIntent) -> ChargeResult:
    if intent.status == "succeeded":
        return ChargeResult(True, intent.id, card_last4=_card_last4(intent))
    code, message = INTENT_FAILURES.get(
        intent.status, (intent.status, "The payment did not complete.")
    )
    error = intent.last_payment_error
    if error is not None and intent.status == "requires_payment_method":
        code = error.decline_code or error.code or code
        message = error.message or message
    return ChargeResult(False, intent.id, code, message)


def _card_last4(intent: stripe.PaymentIntent) -> str | None:
    method = getattr(intent, "payment_method", None)  # an object when expanded, else an id
    card = getattr(method, "card", None)
    last4 = getattr(card, "last4", None)
    return last4 if isinstance(last4, str) and len(last4) == 4 else None


def _search_literal(value: str) -> str:
    # Stripe's search language quotes with single quotes and escapes with a backslash.
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _refusal(exc: stripe.StripeError) -> ChargeResult:
    """A definite refusal as a failed result; anything whose outcome is unknown raised."""
    if isinstance(exc, stripe.IdempotencyError):
        # Not a refusal: the first request under this key may have gone through.
        raise _unavailable(exc) from exc
    if isinstance(exc, stripe.InvalidRequestError) and exc.code == "idempotency_key_in_use":
        # A retry met its own first request still in flight: ask again later.
        raise _unavailable(exc) from exc
    if isinstance(exc, stripe.CardError | stripe.InvalidRequestError):
        return _failed(exc)
    raise _unavailable(exc) from exc


def _failed(exc: stripe.StripeError) -> ChargeResult:
    """A definite refusal: Stripe answered, and no money moved under this request."""
    body = exc.json_body if isinstance(exc.json_body, dict) else {}
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    assert isinstance(error, dict)
    intent = error.get("payment_intent")
    external_id = str(intent.get("id", "")) if isinstance(intent, dict) else ""
    code = error.get("decline_code") or exc.code or "card_declined"
    return ChargeResult(False, external_id, str(code), _message(exc, "The card was declined."))


def _message(exc: stripe.StripeError, default: str) -> str:
    message = exc.user_message
    return str(message) if message else default


def _unavailable(exc: stripe.StripeError) -> ProviderUnavailable:
    # Unknown outcome (network, Stripe's 5xx, rate limit) or our own configuration (a wrong
    # key): recording a decline would be wrong either way, so the caller's row stays
    # unrecorded and the call is repeated under the same key.
    log.warning("Stripe call failed: %r", exc)
    return ProviderUnavailable(
        "The payment provider could not be reached; nothing was recorded. Try again in a "
        "moment: a retry with the same Idempotency-Key is never charged twice."
    )
