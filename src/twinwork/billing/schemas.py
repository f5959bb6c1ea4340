from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.config import JsonDict

from twinwork.config import get_settings
from twinwork.kit.public_ids import PaymentIdOut, PayoutIdOut, TransactionIdOut, WebhookIdOut

MIN_TOP_UP_AMOUNT = 100
"""$1, in cents."""
MAX_TOP_UP_AMOUNT = 1_000_000
"""$10,000, in cents."""


PAYMENT_METHOD_ID = re.compile(r"pm_[A-Za-z0-9_]{1,96}")
CARD_REFERENCE_SCHEMA: JsonDict = {
    # What card_reference accepts, for clients: 12 to 19 digits (spaces or dashes between
    # allowed) in the sandbox, or a Stripe PaymentMethod id. The validator stays the judge.
    "pattern": r"^(pm_[A-Za-z0-9_]{1,96}|[0-9][0-9 -]{10,40}[0-9])$",
    "examples": ["4242 4242 4242 4242", "pm_card_visa"],
}


def card_reference(card_number: str) -> str:
    """A card number (the sandbox), or with Stripe the PaymentMethod id that Stripe.js made in
    the browser (pm_...), which the provider charges instead of a number."""
    if card_number.startswith("pm_"):
        if not PAYMENT_METHOD_ID.fullmatch(card_number):
            raise ValueError("This is not a Stripe PaymentMethod id (pm_...).")
        return card_number
    if get_settings().payment_provider == "stripe":
        # With Stripe a card number must never reach this server (it would be in our logs).
        raise ValueError(
            "Send the PaymentMethod id (pm_...) that Stripe.js makes from the card, not the "
            "card number."
        )
    digits = card_number.replace(" ", "").replace("-", "")
    if not digits.isascii() or not digits.isdigit() or not 12 <= len(digits) <= 19:
        raise ValueError("Enter the card number as 12 to 19 digits.")
    return digits


class TopUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: int = Field(
        description="Amount in cents, $1 to $10,000.",
        # Declared for clients; the validator below refuses with a message that says dollars.
        json_schema_extra={"minimum": MIN_TOP_UP_AMOUNT, "maximum": MAX_TOP_UP_AMOUNT},
    )
    # One currency until wallets show a balance per currency.
    currency: Literal["USD"] = "USD"
    card_number: str = Field(min_length=4, max_length=100, json_schema_extra=CARD_REFERENCE_SCHEMA)

    @field_validator("amount")
    @classmethod
    def _amount_in_range(cls, amount: int) -> int:
        if not MIN_TOP_UP_AMOUNT <= amount <= MAX_TOP_UP_AMOUNT:
            raise ValueError("Top up between $1 and $10,000 (100 to 1000000 cents).")
        return amount

    @field_validator("card_number")
    @classmethod
    def _digits_only(cls, card_number: str) -> str:
        return card_reference(card_number)


class WalletOut(BaseModel):
    balance_amount: int
    """In cents."""
    currency: str


class PaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: PaymentIdOut
    amount: int
    currency: str
    provider: str
    status: Literal["pending", "succeeded", "failed"]
    external_id: str | None
    card_last4: str
    failure_code: str | None
    failure_message: str | None
    """Why a failed payment failed: the card's decline, or "not charged"."""
    created_at: datetime


class TopUpOut(BaseModel):
    payment: PaymentOut
    wallet: WalletOut


class EntryOut(BaseModel):
    account_kind: str
    amount: int
    currency: str


class TransactionOut(BaseModel):
    id: TransactionIdOut
    reason: str
    reference_type: str
    reference_id: str
    """The public id of the order, generation, invoice, payment or payout it concerns."""
    description: str
    created_at: datetime
    entries: list[EntryOut]
    """Only the entries on the caller's own accounts."""


class TransactionPageOut(BaseModel):
    items: list[TransactionOut]
    page: int
    pages: int
    total: int


class LedgerCheckOut(BaseModel):
    balanced: bool
    total: int
    unbalanced_transaction_ids: list[TransactionIdOut]
    negative_account_ids: list[int]


class CardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    card_number: str = Field(min_length=4, max_length=100, json_schema_extra=CARD_REFERENCE_SCHEMA)

    @field_validator("card_number")
    @classmethod
    def _digits_only(cls, card_number: str) -> str:
        return card_reference(card_number)


class EarningsOut(BaseModel):
    pending_amount: int
    """Sales still in the clearing period, in cents."""
    available_amount: int
    """Ready to withdraw, in cents."""
    in_transit_amount: int
    """Requested payouts not yet confirmed, in cents."""
    currency: str


class PayoutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: int = Field(gt=0, le=100_000_000, description="In cents.")
    bank_account: str | None = Field(
        default=None,
        min_length=4,
        max_length=34,
        description=(
            "Sandbox: 000123456789 is paid, 000111111116 is a closed account. "
            "Stripe: your connected account id (acct_...)."
        ),
    )


class PayoutOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: PayoutIdOut
    amount: int
    """In cents."""
    currency: str
    status: Literal["requested", "processing", "paid", "failed", "reversed"]
    bank_account_last4: str
    failure_message: str | None
    created_at: datetime


class WebhookAckOut(BaseModel):
    received: bool
    duplicate: bool
    """True when this event was delivered before: nothing was done twice."""
    status: str
    """The event's status in the inbox: processed, ignored, failed (retried by a job)."""


class WebhookEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: WebhookIdOut
    source: str
    external_id: str
    type: str
    status: Literal["received", "processed", "ignored", "failed"]
    error: str | None
    attempts: int
    received_at: datetime
    processed_at: datetime | None


class WebhookEventPageOut(BaseModel):
    items: list[WebhookEventOut]
    page: int
    pages: int
    total: int


class ReceiptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: str
    kind: Literal["card_payment", "membership", "wallet_payment", "refund"]
    issued_at: datetime
    description: str
    amount: int
    """In cents."""
    currency: str
    method: str
    status: Literal["paid", "refunded"]
    reference_url: str | None


class ReceiptPageOut(BaseModel):
    items: list[ReceiptOut]
    page: int
    pages: int
    total: int
