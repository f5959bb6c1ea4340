"""The Stripe provider through the real SDK, with only its HTTP client replaced: requests are
built, keyed and sent by the SDK, and Stripe's answers are canned JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import stripe
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup
from tests.program.factories import admit_api_user
from twinwork.billing import provider as provider_module
from twinwork.billing.provider import (
    ChargeResult,
    ProviderUnavailable,
    SandboxProvider,
    payment_provider,
)
from twinwork.billing.provider.stripe_provider import StripeProvider
from twinwork.config import Settings, get_settings
from twinwork.kit.errors import ValidationFailed

PM = "pm_1QaBcDeFgHiJkLmN"
INTENT_PATH = "/v1/payment_intents"
Answer = tuple[int, dict[str, Any]]


@dataclass(frozen=True)
class Sent:
    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, str]


class FakeStripe(stripe.HTTPClient):
    """Answers each (method, path) with the next canned answer (the last one repeats) and
    records what the SDK sent."""

    name = "fake"

    def __init__(self, answers: dict[tuple[str, str], list[Answer]]) -> None:
        super().__init__()
        self.answers = answers
        self.sent: list[Sent] = []

    def request(
        self,
        method: str,
        url: str,
        headers: Any,
        post_data: Any = None,
        *,
        _usage: Any = None,
    ) -> tuple[str, int, dict[str, str]]:
        parts = urlsplit(url)
        body = post_data.decode() if isinstance(post_data, bytes) else post_data or parts.query
        self.sent.append(
            Sent(method.lower(), parts.path, dict(headers or {}), dict(parse_qsl(body or "")))
        )
        queue = self.answers[(method.lower(), parts.path)]
        status, answer = queue.pop(0) if len(queue) > 1 else queue[0]
        return json.dumps(answer), status, {"request-id": "req_test"}

    def close(self) -> None:
        pass


def intent(status: str, intent_id: str = "pi_test", **extra: Any) -> Answer:
    return 200, {
        "id": intent_id,
        "object": "payment_intent",
        "status": status,
        "amount": 2500,
        "currency": "usd",
        "last_payment_error": None,
        **extra,
    }


def method(customer: str | None = None) -> Answer:
    return 200, {
        "id": PM,
        "object": "payment_method",
        "type": "card",
        "customer": customer,
        "card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030},
    }


DECLINED: Answer = (
    402,
    {
        "error": {
            "type": "card_error",
            "code": "card_declined",
            "decline_code": "insufficient_funds",
            "message": "Your card has insufficient funds.",
            "payment_intent": {
                "id": "pi_declined",
                "object": "payment_intent",
                "status": "requires_payment_method",
            },
        }
    },
)
OUTAGE: Answer = (500, {"error": {"type": "api_error", "message": "Something went wrong."}})


def provider(
    answers: dict[tuple[str, str], list[Answer]], retries: int = 0
) -> tuple[StripeProvider, FakeStripe]:
    fake = FakeStripe(answers)
    return StripeProvider("sk_test_fake", http_client=fake, max_network_retries=retries), fake


async def test_charge_confirms_a_payment_intent_under_our_idempotency_key() -> None:
    stripe_provider, fake = provider({("post", INTENT_PATH): [intent("succeeded", "pi_ok")]})
    result = await stripe_provider.charge_card(PM, 2500, "USD", "twinwork top-up", "top-up:7:k1")
    assert result.succeeded and result.external_id == "pi_ok"
    [sent] = fake.sent
    assert sent.headers["Idempotency-Key"] == "top-up:7:k1"
    assert sent.headers["Authorization"] == "Bearer sk_test_fake"
    assert sent.params["payment_method"] == PM
    assert sent.params["confirm"] == "true"
    assert (sent.params["amount"], sent.params["currency"]) == ("2500", "usd")
    assert sent.params["metadata[twinwork_key]"] == "top-up:7:k1"


async def test_a_charge_reports_the_cards_last_four_digits_from_the_payment_method() -> None:
    _, card = method()
    answer = intent("succeeded", "pi_card", payment_method=card)
    stripe_provider, fake = provider({("post", INTENT_PATH): [answer]})
    result = await stripe_provider.charge_card(PM, 2500, "USD", "top-up", "k-last4")
    assert result.succeeded and result.card_last4 == "4242"
    assert fake.sent[0].params["expand[0]"] == "payment_method"


@pytest.mark.parametrize(
    "error",
    [
        {"type": "invalid_request_error", "code": "idempotency_key_in_use", "message": "In use"},
        {"type": "idempotency_error", "message": "Keys for idempotent requests can only be..."},
    ],
)
async def test_an_idempotency_conflict_is_never_recorded_as_a_decline(
    error: dict[str, str],
) -> None:
    stripe_provider, _ = provider({("post", INTENT_PATH): [(409, {"error": error})]})
    with pytest.raises(ProviderUnavailable):  # the first request may yet charge the card
        await stripe_provider.charge_card(PM, 2500, "USD", "top-up", "k-conflict")


async def test_a_declined_card_is_a_failed_result_with_stripes_code_and_message() -> None:
    stripe_provider, _ = provider({("post", INTENT_PATH): [DECLINED]})
    result = await stripe_provider.charge_card(PM, 2500, "USD", "top-up", "k2")
    assert not result.succeeded
    assert result.failure_code == "insufficient_funds"
    assert result.failure_message == "Your card has insufficient funds."
    assert result.external_id == "pi_declined"


@pytest.mark.parametrize(
    ("status", "code"),
    [("requires_action", "authentication_required"), ("processing", "processing")],
)
async def test_a_payment_intent_that_did_not_succeed_is_not_a_success(
    status: str, code: str
) -> None:
    stripe_provider, _ = provider({("post", INTENT_PATH): [intent(status, "pi_pending")]})
    result = await stripe_provider.charge_card(PM, 2500, "USD", "top-up", "k3")
    assert not result.succeeded
    assert (result.failure_code, result.external_id) == (code, "pi_pending")


async def test_raw_card_numbers_are_refused_without_any_request() -> None:
    stripe_provider, fake = provider({})
    result = await stripe_provider.charge_card("4242424242424242", 2500, "USD", "top-up", "k4")
    assert not result.succeeded and result.failure_code == "raw_card_refused"
    assert result.failure_message is not None and "PaymentMethod" in result.failure_message
    with pytest.raises(ValidationFailed, match="PaymentMethod"):
        await stripe_provider.save_card("4242424242424242")
    assert fake.sent == []


async def test_saving_a_card_puts_the_payment_method_on_a_customer() -> None:
    stripe_provider, fake = provider(
        {
            ("get", f"/v1/payment_methods/{PM}"): [method(customer=None)],
            ("post", "/v1/customers"): [(200, {"id": "cus_1", "object": "customer"})],
        }
    )
    card = await stripe_provider.save_card(PM)
    assert (card.token, card.last4) == (PM, "4242")
    created = fake.sent[-1]
    assert created.path == "/v1/customers" and created.params["payment_method"] == PM
    assert created.headers["Idempotency-Key"] == f"save-card:{PM}"


async def test_a_saved_card_is_charged_off_session_for_its_customer() -> None:
    stripe_provider, fake = provider(
        {
            ("get", f"/v1/payment_methods/{PM}"): [method(customer="cus_1")],
            ("post", INTENT_PATH): [intent("succeeded", "pi_renewal")],
        }
    )
    result = await stripe_provider.charge_saved_card(PM, 2500, "USD", "renewal", "inv_ab-2")
    assert result.succeeded and result.external_id == "pi_renewal"
    charge = fake.sent[-1]
    assert charge.params["customer"] == "cus_1" and charge.params["off_session"] == "true"
    assert charge.headers["Idempotency-Key"] == "inv_ab-2"


async def test_a_payout_is_a_connect_transfer_to_the_account_id() -> None:
    stripe_provider, fake = provider(
        {("post", "/v1/transfers"): [(200, {"id": "tr_1", "object": "transfer"})]}
    )
    refused = await stripe_provider.transfer("000123456789", 3000, "USD", "payout", "po_1")
    assert not refused.succeeded and refused.failure_code == "no_connected_account"
    assert fake.sent == []
    result = await stripe_provider.transfer("acct_1Abc", 3000, "USD", "payout", "po_1")
    assert result.succeeded and result.external_id == "tr_1"
    [sent] = fake.sent
    assert sent.params["destination"] == "acct_1Abc" and sent.params["amount"] == "3000"
    assert sent.headers["Idempotency-Key"] == "po_1"


async def test_lookup_finds_the_charge_made_under_a_key_by_its_metadata() -> None:
    search = "/v1/payment_intents/search"
    found, fake = provider(
        {("get", search): [(200, {"object": "search_result", "data": [intent("succeeded")[1]]})]}
    )
    result = await found.lookup("pay_abc")
    assert result is not None and result.succeeded and result.external_id == "pi_test"
    assert fake.sent[0].params["query"] == "metadata['twinwork_key']:'pay_abc'"
    nothing, _ = provider({("get", search): [(200, {"object": "search_result", "data": []})]})
    assert await nothing.lookup("pay_never_charged") is None


async def test_a_refund_is_made_once_per_key_and_pending_counts_as_made() -> None:
    stripe_provider, fake = provider(
        {("post", "/v1/refunds"): [(200, {"id": "re_1", "object": "refund", "status": "pending"})]}
    )
    result = await stripe_provider.refund("pi_paid", 2500, "refund:inv_1")
    assert result.succeeded and result.external_id == "re_1"
    [sent] = fake.sent
    assert sent.params["payment_intent"] == "pi_paid" and sent.params["amount"] == "2500"
    assert sent.headers["Idempotency-Key"] == "refund:inv_1"


async def test_an_outage_is_retried_under_one_key_and_never_reported_as_a_decline() -> None:
    stripe_provider, fake = provider(
        {("post", INTENT_PATH): [OUTAGE, intent("succeeded", "pi_after_retry")]}, retries=1
    )
    result = await stripe_provider.charge_card(PM, 2500, "USD", "top-up", "k5")
    assert result.succeeded and result.external_id == "pi_after_retry"
    assert [s.headers["Idempotency-Key"] for s in fake.sent] == ["k5", "k5"]

    down, _ = provider({("post", INTENT_PATH): [OUTAGE]})
    with pytest.raises(ProviderUnavailable):  # unknown outcome: the caller records nothing
        await down.charge_card(PM, 2500, "USD", "top-up", "k6")


# ---- selection and the API with Stripe --------------------------------------------------


@pytest.fixture
def stripe_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(get_settings(), "payment_provider", "stripe")
    monkeypatch.setattr(get_settings(), "stripe_secret_key", "sk_test_fake")
    yield


def test_the_sandbox_is_the_default_and_stripe_is_chosen_by_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert isinstance(payment_provider(), SandboxProvider)
    monkeypatch.setattr(get_settings(), "payment_provider", "stripe")
    monkeypatch.setattr(get_settings(), "stripe_secret_key", "sk_test_fake")
    chosen = payment_provider()
    assert isinstance(chosen, StripeProvider) and payment_provider() is chosen


def test_stripe_without_a_secret_key_fails_at_start_up() -> None:
    with pytest.raises(ValidationError, match="TWINWORK_STRIPE_SECRET_KEY"):
        Settings(payment_provider="stripe", stripe_secret_key=None)


async def test_a_top_up_with_stripe_takes_a_payment_method_and_refuses_card_numbers(
    client: httpx.AsyncClient, stripe_on: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    stripe_provider, fake = provider({("post", INTENT_PATH): [intent("succeeded", "pi_top")]})
    monkeypatch.setattr(provider_module, "_stripe", lambda _key: stripe_provider)
    _, headers = await api_signup(client)

    refused = await client.post(
        "/api/v1/wallet/top-ups",
        json={"amount": 1000, "card_number": "4242 4242 4242 4242"},
        headers=headers,
    )
    # Refused at the edge: a card number is never handed on, nor kept as a payment row.
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "PaymentMethod" in refused.text and fake.sent == []
    history = await client.get("/api/v1/wallet/top-ups", headers=headers)
    assert history.json() == []

    paid = await client.post(
        "/api/v1/wallet/top-ups",
        json={"amount": 1000, "card_number": PM},
        headers={**headers, "Idempotency-Key": "stripe-1"},
    )
    assert paid.status_code == 201, paid.text
    body = paid.json()
    assert body["payment"]["provider"] == "stripe"
    assert body["payment"]["external_id"] == "pi_top"
    assert body["wallet"]["balance_amount"] == 1000
    # Stripe gets the payment's own random key, and the key again in the metadata (webhooks).
    [sent] = fake.sent
    assert sent.headers["Idempotency-Key"].startswith("pay_")
    assert sent.params["metadata[twinwork_key]"] == sent.headers["Idempotency-Key"]
    again = await client.post(
        "/api/v1/wallet/top-ups",
        json={"amount": 1000, "card_number": PM},
        headers={**headers, "Idempotency-Key": "stripe-1"},
    )
    assert again.json()["payment"]["id"] == body["payment"]["id"] and len(fake.sent) == 1


async def test_joining_the_program_with_stripe_saves_the_card_and_charges_it(
    client: httpx.AsyncClient, stripe_on: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    stripe_provider, fake = provider(
        {
            ("get", f"/v1/payment_methods/{PM}"): [method(None), method("cus_9")],
            ("post", "/v1/customers"): [(200, {"id": "cus_9", "object": "customer"})],
            ("post", INTENT_PATH): [intent("succeeded", "pi_first")],
        }
    )
    monkeypatch.setattr(provider_module, "_stripe", lambda _key: stripe_provider)
    user, headers = await api_signup(client, roles=("freelancer",))
    await admit_api_user(client, user)
    raw = await client.post(
        "/api/v1/subscriptions", json={"card_number": "4242424242424242"}, headers=headers
    )
    assert raw.status_code == 422 and fake.sent == []
    joined = await client.post("/api/v1/subscriptions", json={"card_number": PM}, headers=headers)
    assert joined.status_code == 201, joined.text
    assert joined.json()["card_last4"] == "4242"
    charge = fake.sent[-1]
    assert charge.params["customer"] == "cus_9" and charge.params["off_session"] == "true"


async def test_refusals_without_a_stripe_id_are_recorded_for_every_buyer(
    session: AsyncSession,
) -> None:
    """A refusal Stripe gives before any PaymentIntent exists has no id: two of them (two
    buyers) must not meet in the unique external id and turn into a 500."""
    from tests.account.factories import create_user
    from twinwork.billing.schemas import TopUpIn
    from twinwork.billing.wallet.service import TopUpCharge, wallet_service
    from twinwork.kit.db import utcnow

    refusal = ChargeResult(False, "", "card_declined", "Declined before a PaymentIntent.")
    for _ in range(2):
        buyer = await create_user(session)
        body = TopUpIn(amount=1000, card_number="4242424242424242")
        charge = await wallet_service.start_top_up(session, buyer, body, None)
        assert isinstance(charge, TopUpCharge)
        payment = await wallet_service.record_top_up(session, charge.payment_id, refusal, utcnow())
        assert (payment.status, payment.external_id) == ("failed", None)
