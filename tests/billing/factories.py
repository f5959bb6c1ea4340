"""Money in the books for tests, and a payment provider whose process dies mid-charge."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.billing.models import Payment
from twinwork.billing.provider import ChargeResult, payment_provider
from twinwork.billing.schemas import TopUpIn
from twinwork.billing.wallet.service import wallet_service


async def top_up_in_session(
    session: AsyncSession, user: User, body: TopUpIn, idempotency_key: str | None
) -> Payment:
    """All three steps of a top-up in one session (no commit between them, unlike a
    request); a decline is recorded and then raised, as the route does."""
    return await wallet_service.top_up_in_one_unit(session, user, body, idempotency_key)


class Killed(Exception):
    """The process dies here: nothing after this line of the request or job runs."""


class DyingProvider:
    """The sandbox behind a process that dies once, right after a charge reached the card
    network (or right before it, with ``before=True``); ``charge_keys`` has the key of each
    charge that reached it.
    Patched in where the services look their provider up."""

    def __init__(self, *, before: bool = False) -> None:
        self.inner = payment_provider()
        self.name = self.inner.name
        self.before = before
        self.dying = True
        self.charge_keys: list[str | None] = []

    async def _charged(
        self, key: str | None, charge: Callable[[], Awaitable[ChargeResult]]
    ) -> ChargeResult:
        if self.dying and self.before:
            self.dying = False
            raise Killed("killed before the charge")
        self.charge_keys.append(key)
        answer = await charge()
        if self.dying:
            self.dying = False
            raise Killed("killed after the charge")
        return answer

    async def charge_card(
        self, card: str, amount: int, currency: str, text: str, idempotency_key: str | None
    ) -> ChargeResult:
        return await self._charged(
            idempotency_key,
            lambda: self.inner.charge_card(card, amount, currency, text, idempotency_key),
        )

    async def charge_saved_card(
        self, token: str, amount: int, currency: str, text: str, idempotency_key: str
    ) -> ChargeResult:
        return await self._charged(
            idempotency_key,
            lambda: self.inner.charge_saved_card(token, amount, currency, text, idempotency_key),
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def patch_provider(monkeypatch: pytest.MonkeyPatch, provider: object) -> None:
    for module in (
        "twinwork.billing.wallet.service",
        "twinwork.program.subscription",
    ):
        monkeypatch.setattr(f"{module}.payment_provider", lambda: provider)
