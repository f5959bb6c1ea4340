"""The sandbox provider: it answers like a card network's test mode (the card numbers of
Stripe's test mode), with no network at all; it is what `make run` and the tests use."""

from __future__ import annotations

import secrets

from twinwork.billing.provider.port import ChargeResult, SavedCard

SANDBOX_CARDS = {
    "4242424242424242": None,
    "4000000000000002": ("card_declined", "Your card was declined."),
    "4000000000009995": ("insufficient_funds", "Your card has insufficient funds."),
}


class SandboxProvider:
    name = "sandbox"

    def __init__(self) -> None:
        self._by_key: dict[str, ChargeResult] = {}

    async def charge_card(
        self,
        card_number: str,
        amount: int,  # noqa: ARG002 - the sandbox answers by card number alone
        currency: str,  # noqa: ARG002
        description: str,  # noqa: ARG002
        idempotency_key: str | None,
    ) -> ChargeResult:
        if idempotency_key is not None and idempotency_key in self._by_key:
            return self._by_key[idempotency_key]
        result = self._answer(card_number)
        if idempotency_key is not None:
            self._by_key[idempotency_key] = result
        return result

    async def lookup(self, idempotency_key: str) -> ChargeResult | None:
        return self._by_key.get(idempotency_key)

    async def refund(
        self,
        external_id: str,  # noqa: ARG002 - the sandbox refunds whatever it is asked to
        amount: int,  # noqa: ARG002
        idempotency_key: str,
    ) -> ChargeResult:
        if idempotency_key not in self._by_key:
            self._by_key[idempotency_key] = ChargeResult(True, f"sbx_re_{secrets.token_hex(12)}")
        return self._by_key[idempotency_key]

    async def save_card(self, card_number: str) -> SavedCard:
        # Test card numbers are public, so the sandbox's token may carry the number: a renewal
        # then answers as that test card would.
        return SavedCard(f"{SANDBOX_TOKEN_PREFIX}{card_number}", card_number[-4:])

    async def charge_saved_card(
        self,
        token: str,
        amount: int,
        currency: str,
        description: str,
        idempotency_key: str,
    ) -> ChargeResult:
        card_number = token.removeprefix(SANDBOX_TOKEN_PREFIX)
        return await self.charge_card(card_number, amount, currency, description, idempotency_key)

    async def transfer(
        self,
        bank_account: str,
        amount: int,  # noqa: ARG002 - the sandbox answers by account number alone
        currency: str,  # noqa: ARG002
        description: str,  # noqa: ARG002
        idempotency_key: str,
    ) -> ChargeResult:
        if idempotency_key in self._by_key:
            return self._by_key[idempotency_key]
        external_id = f"sbx_tr_{secrets.token_hex(12)}"
        failure = SANDBOX_BANK_ACCOUNTS.get(bank_account, ("no_account", "No such bank account."))
        result = (
            ChargeResult(True, external_id)
            if failure is None
            else ChargeResult(False, external_id, failure[0], failure[1])
        )
        self._by_key[idempotency_key] = result
        return result

    @staticmethod
    def _answer(card_number: str) -> ChargeResult:
        external_id = f"sbx_ch_{secrets.token_hex(12)}"
        if card_number not in SANDBOX_CARDS:
            return ChargeResult(
                False,
                external_id,
                "card_declined",
                "This sandbox accepts the test card 4242 4242 4242 4242.",
            )
        failure = SANDBOX_CARDS[card_number]
        if failure is not None:
            return ChargeResult(False, external_id, failure[0], failure[1])
        return ChargeResult(True, external_id)


SANDBOX_TOKEN_PREFIX = "sbx_pm_"
# Stripe's test bank accounts: the first is paid, the second is closed.
SANDBOX_BANK_ACCOUNT = "000123456789"
SANDBOX_BANK_ACCOUNTS: dict[str, tuple[str, str] | None] = {
    SANDBOX_BANK_ACCOUNT: None,
    "000111111116": ("account_closed", "The bank account has been closed."),
}
