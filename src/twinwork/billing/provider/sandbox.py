"""The sandbox provider: it answers like a card network's test mode (the card numbers of
Stripe's test mode), with no network at all; it is what `make run` and the tests use.

Like a real provider it lives outside any one of our processes: its answers, by idempotency
key, are kept in a journal (a small SQLite file in the data dir) that the web process and every
worker share. A process that dies between a charge and recording it is then recovered exactly
as with Stripe: the lookup finds the charge, and a retry under the same key charges nothing new.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from pathlib import Path

from twinwork.billing.provider.port import ChargeResult, SavedCard


class SandboxJournal:
    """First answer wins, per idempotency key, across threads and processes."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._memory: dict[str, ChargeResult] = {}
        self._lock = threading.Lock()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as conn:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS answers (idempotency_key TEXT PRIMARY KEY, "
                    "succeeded INTEGER NOT NULL, external_id TEXT NOT NULL, failure_code TEXT, "
                    "failure_message TEXT, card_last4 TEXT, amount INTEGER, "
                    "created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
                )

    def _connect(self) -> sqlite3.Connection:
        assert self.path is not None
        return sqlite3.connect(self.path, timeout=30, isolation_level=None)

    def get(self, key: str) -> ChargeResult | None:
        if self.path is None:
            return self._memory.get(key)
        with self._connect() as conn:
            row = conn.execute(
                "SELECT succeeded, external_id, failure_code, failure_message, card_last4 "
                "FROM answers WHERE idempotency_key = ?",
                (key,),
            ).fetchone()
        return None if row is None else ChargeResult(bool(row[0]), *row[1:])

    def keep_first(self, key: str, answer: ChargeResult, amount: int | None) -> ChargeResult:
        """Store ``answer`` unless the key has one; return the one that is kept."""
        if self.path is None:
            with self._lock:
                return self._memory.setdefault(key, answer)
        with self._connect() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO answers (idempotency_key, succeeded, external_id, "
                "failure_code, failure_message, card_last4, amount) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    int(answer.succeeded),
                    answer.external_id,
                    answer.failure_code,
                    answer.failure_message,
                    answer.card_last4,
                    amount,
                ),
            )
        kept = self.get(key)
        assert kept is not None
        return kept


SANDBOX_CARDS = {
    "4242424242424242": None,
    "4000000000000002": ("card_declined", "Your card was declined."),
    "4000000000009995": ("insufficient_funds", "Your card has insufficient funds."),
}


class SandboxProvider:
    name = "sandbox"

    def __init__(self, journal_path: Path | None = None) -> None:
        """``journal_path``: where answers are kept for every process; None keeps them in this
        object only (a provider of a test's own)."""
        self.journal = SandboxJournal(journal_path)

    async def charge_card(
        self,
        card_number: str,
        amount: int,
        currency: str,  # noqa: ARG002 - the sandbox answers by card number alone
        description: str,  # noqa: ARG002
        idempotency_key: str | None,
    ) -> ChargeResult:
        if idempotency_key is None:
            return self._answer(card_number)
        kept = self.journal.get(idempotency_key)
        if kept is not None:
            return kept
        return self.journal.keep_first(idempotency_key, self._answer(card_number), amount)

    async def lookup(self, idempotency_key: str) -> ChargeResult | None:
        return self.journal.get(idempotency_key)

    async def refund(
        self,
        external_id: str,  # noqa: ARG002 - the sandbox refunds whatever it is asked to
        amount: int,
        idempotency_key: str,
    ) -> ChargeResult:
        kept = self.journal.get(idempotency_key)
        if kept is not None:
            return kept
        refund = ChargeResult(True, f"sbx_re_{secrets.token_hex(12)}")
        return self.journal.keep_first(idempotency_key, refund, -amount)

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
        amount: int,
        currency: str,  # noqa: ARG002 - the sandbox answers by account number alone
        description: str,  # noqa: ARG002
        idempotency_key: str,
    ) -> ChargeResult:
        kept = self.journal.get(idempotency_key)
        if kept is not None:
            return kept
        external_id = f"sbx_tr_{secrets.token_hex(12)}"
        failure = SANDBOX_BANK_ACCOUNTS.get(bank_account, ("no_account", "No such bank account."))
        result = (
            ChargeResult(True, external_id)
            if failure is None
            else ChargeResult(False, external_id, failure[0], failure[1])
        )
        return self.journal.keep_first(idempotency_key, result, -amount)

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
