"""Billing's errors a person meets, each with its status."""

from __future__ import annotations

from twinwork.kit.errors import DomainError


class PaymentDeclined(DomainError):
    status_code = 402
    title = "Payment declined"
    type_slug = "payment-declined"


class PayoutRefused(DomainError):
    status_code = 402
    title = "Payout refused"
    type_slug = "payout-refused"
