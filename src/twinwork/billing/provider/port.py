"""The payment-provider port: what every provider (the sandbox, Stripe) answers to.

A provider answers a charge or transfer with a ChargeResult only when the outcome is known;
when it is not (the network failed mid-call), it raises ProviderUnavailable, so the caller keeps
its row unrecorded and repeats the call under the same idempotency key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from twinwork.kit.errors import DomainError


class ProviderUnavailable(DomainError):
    """The provider could not be reached, or answered with an error on its side: whether the
    card was charged is unknown. A retry with the same idempotency key is safe."""

    status_code = 503
    title = "Payment provider unavailable"
    type_slug = "payment-provider-unavailable"


@dataclass(frozen=True)
class ChargeResult:
    succeeded: bool
    external_id: str
    failure_code: str | None = None
    failure_message: str | None = None
    card_last4: str | None = None
    """The charged card's last four digits, when the provider tells (Stripe: the card behind
    a PaymentMethod id, which this server never sees as a number)."""


@dataclass(frozen=True)
class SavedCard:
    token: str
    """The provider's reference to the card (a Stripe PaymentMethod id); never the number."""
    last4: str


class PaymentProvider(Protocol):
    name: str

    async def transfer(
        self,
        bank_account: str,
        amount: int,
        currency: str,
        description: str,
        idempotency_key: str,
    ) -> ChargeResult:
        """Pay a freelancer out, once per idempotency key."""
        ...

    async def save_card(self, card_number: str) -> SavedCard:
        """Keep a card on file for recurring charges (a subscription's renewals)."""
        ...

    async def charge_saved_card(
        self,
        token: str,
        amount: int,
        currency: str,
        description: str,
        idempotency_key: str,
    ) -> ChargeResult:
        """Charge a card on file, once per idempotency key."""
        ...

    async def charge_card(
        self,
        card_number: str,
        amount: int,
        currency: str,
        description: str,
        idempotency_key: str | None,
    ) -> ChargeResult:
        """Charge once per idempotency key: a repeated key returns the first result, as
        Stripe's Idempotency-Key does, so a retry after a crash never charges twice."""
        ...

    async def lookup(self, idempotency_key: str) -> ChargeResult | None:
        """The first answer given to a charge under this key, or None when no charge was made
        under it. What a job asks about a charge whose request died, without the card number
        to repeat it (Stripe: search PaymentIntents by the key in their metadata)."""
        ...

    async def refund(self, external_id: str, amount: int, idempotency_key: str) -> ChargeResult:
        """Give back ``amount`` (in cents) of the charge ``external_id``, once per key."""
        ...
