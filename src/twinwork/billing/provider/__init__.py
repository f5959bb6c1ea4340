"""Which payment provider moves money: the sandbox (``sandbox.py``) unless
`TWINWORK_PAYMENT_PROVIDER=stripe` puts Stripe (``stripe_provider.py``) behind the same port
(``port.py``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from twinwork.billing.provider.port import (
    ChargeResult,
    PaymentProvider,
    ProviderUnavailable,
    SavedCard,
)
from twinwork.billing.provider.sandbox import (
    SANDBOX_BANK_ACCOUNT,
    SANDBOX_TOKEN_PREFIX,
    SandboxProvider,
)
from twinwork.billing.provider.stripe_provider import StripeProvider
from twinwork.config import get_settings

SANDBOX_JOURNAL = "sandbox-provider.db"
"""The sandbox's own memory of its answers, in the data dir, shared by every process."""


def payment_provider() -> PaymentProvider:
    """The sandbox unless TWINWORK_PAYMENT_PROVIDER=stripe (Settings refuses that setting
    without a secret key)."""
    settings = get_settings()
    if settings.payment_provider == "stripe" and settings.stripe_secret_key:
        return _stripe(settings.stripe_secret_key)
    return _sandbox(settings.resolved_data_dir / SANDBOX_JOURNAL)


@lru_cache(maxsize=2)
def _sandbox(journal: Path) -> SandboxProvider:
    return SandboxProvider(journal)


@lru_cache(maxsize=2)
def _stripe(secret_key: str) -> StripeProvider:
    return StripeProvider(secret_key)


__all__ = [
    "SANDBOX_BANK_ACCOUNT",
    "SANDBOX_JOURNAL",
    "SANDBOX_TOKEN_PREFIX",
    "ChargeResult",
    "PaymentProvider",
    "ProviderUnavailable",
    "SandboxProvider",
    "SavedCard",
    "StripeProvider",
    "payment_provider",
]
