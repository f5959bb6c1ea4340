"""Idempotency keys: a retry under a key must be the same request as the first one.

Next to each key the first request's fingerprint is stored: a SHA-256 over the canonical JSON
of the fields that decide what the request does (amount, currency, the card's last four digits
or PaymentMethod id, never a card number). A retry with the same key and another fingerprint
is refused, as Stripe does, instead of silently answering with the first request's result.
"""

from __future__ import annotations

import hashlib
import json

from twinwork.kit.errors import DomainError


class IdempotencyKeyReused(DomainError):
    status_code = 400
    title = "Idempotency key reused"
    type_slug = "idempotency-key-reused"


def request_fingerprint(**fields: object) -> str:
    """64 hex characters identifying a request by its significant ``fields``."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def card_fingerprint_part(card: str | None) -> str | None:
    """What identifies a card in a fingerprint: a PaymentMethod id, else its last four
    digits. A whole card number is never hashed: there are too few to keep one secret."""
    if card is None:
        return None
    return card if card.startswith("pm_") else card[-4:]


def ensure_same_request(stored: str | None, fingerprint: str) -> None:
    """Raise unless a retry matches the first request. Rows written before fingerprints
    existed (``stored`` None) accept any retry."""
    if stored is not None and stored != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used for a different request. Send a new key "
            "for a new request; reuse a key only to retry exactly the same request."
        )
