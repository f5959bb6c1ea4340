"""Posting balanced transactions and reading balances. The ledger is append-only: a correction
is a new transaction, never an edit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.kit.errors import Conflict, DomainError, ValidationFailed
from twinwork.kit.money import SUPPORTED_CURRENCIES
from twinwork.kit.pagination import Page, check_page_in_range
from twinwork.kit.public_ids import KINDS, public_id
from twinwork.ledger.models import ACCOUNT_KINDS, LedgerAccount, LedgerEntry, LedgerTransaction
from twinwork.ledger.repository import ledger_repository

PLATFORM = "platform"
FREELANCER_ACCOUNT_KINDS = ("freelancer_pending", "freelancer_available", "payouts_in_transit")


class InsufficientFunds(DomainError):
    status_code = 402
    title = "Insufficient funds"
    type_slug = "insufficient-funds"


class UnbalancedTransaction(ValueError):
    """A programming error, not a user's: the entries of a transaction must sum to zero."""


@dataclass(frozen=True)
class Leg:
    account: LedgerAccount
    amount: int
    """Signed, in cents: positive adds to the account, negative takes from it."""


@dataclass(frozen=True)
class StatementLine:
    transaction_id: int
    created_at: datetime
    account_kind: str
    reason: str
    reference_type: str
    reference_id: str
    description: str
    amount: int
    """Signed, in cents."""
    currency: str


@dataclass(frozen=True)
class LedgerCheck:
    balanced: bool
    total: int
    unbalanced_transaction_ids: list[int]
    negative_account_ids: list[int]


# A transaction's reference_type where it is not the name of the public-id kind it refers to.
_REFERENCE_KINDS = {"ledger_transaction": "transaction"}


def public_reference_id(reference_type: str, reference_id: str) -> str:
    """A transaction's reference as clients see it: the public id of the row it names where
    that kind of row has one. Rows keep their plain keys in the ledger (joins, idempotency);
    only what leaves the product changes."""
    kind = _REFERENCE_KINDS.get(reference_type, reference_type)
    if kind in KINDS and reference_id.isdigit() and int(reference_id) > 0:
        return public_id(kind, int(reference_id))
    return reference_id


def owner_key(user: User | None) -> str:
    return PLATFORM if user is None else f"user:{user.id}"


class LedgerService:
    async def account(
        self, session: AsyncSession, kind: str, currency: str, owner: User | None = None
    ) -> LedgerAccount:
        """The account of this kind for this owner, created on first use."""
        if kind not in ACCOUNT_KINDS:
            raise ValueError(f"unknown ledger account kind {kind!r}")
        if currency not in SUPPORTED_CURRENCIES:
            raise ValidationFailed(
                f"Currency {currency[:3]!r} is not supported; use one of "
                f"{', '.join(sorted(SUPPORTED_CURRENCIES))}.",
                field="currency",
            )
        key = owner_key(owner)
        found = await ledger_repository.find_account(session, kind, key, currency)
        if found is not None:
            return found
        account = LedgerAccount(
            kind=kind,
            owner_key=key,
            owner_user_id=owner.id if owner else None,
            currency=currency,
            allow_negative=ACCOUNT_KINDS[kind],
        )
        try:
            async with session.begin_nested():
                await ledger_repository.add(session, account)
        except IntegrityError:
            # Created by a concurrent request a moment ago: use that one.
            found = await ledger_repository.find_account(session, kind, key, currency)
            assert found is not None
            return found
        return account

    async def existing_account(
        self, session: AsyncSession, kind: str, currency: str, owner: User | None = None
    ) -> LedgerAccount | None:
        return await ledger_repository.find_account(session, kind, owner_key(owner), currency)

    async def post(
        self,
        session: AsyncSession,
        *,
        reason: str,
        reference_type: str,
        reference_id: str,
        legs: Sequence[Leg],
        idempotency_key: str | None = None,
        description: str = "",
    ) -> LedgerTransaction:
        """Post one balanced transaction, or return the one already posted under this key."""
        if idempotency_key is not None:
            existing = await ledger_repository.by_idempotency_key(session, idempotency_key)
            if existing is not None:
                return existing
        self._check_balanced(legs)
        await ledger_repository.lock_accounts(session, self._debited(legs))
        if idempotency_key is not None:
            # A concurrent retry may have posted while we waited for the lock.
            existing = await ledger_repository.by_idempotency_key(session, idempotency_key)
            if existing is not None:
                return existing
        await self._check_funds(session, legs)
        transaction = LedgerTransaction(
            reason=reason,
            reference_type=reference_type,
            reference_id=reference_id,
            idempotency_key=idempotency_key,
            description=description[:200],
            entries=[
                LedgerEntry(
                    account_id=leg.account.id, amount=leg.amount, currency=leg.account.currency
                )
                for leg in legs
            ],
        )
        try:
            async with session.begin_nested():
                await ledger_repository.add(session, transaction)
        except IntegrityError as exc:
            if idempotency_key is None:
                raise
            # The same key won a race with us: the unique constraint, not a read, decides.
            existing = await ledger_repository.by_idempotency_key(session, idempotency_key)
            if existing is None:
                raise Conflict("This request is being processed; retry in a moment.") from exc
            return existing
        return transaction

    async def balance(self, session: AsyncSession, account: LedgerAccount) -> int:
        return (await ledger_repository.balances(session, [account.id]))[account.id]

    async def user_transactions(
        self, session: AsyncSession, user: User, page: int, page_size: int = 25
    ) -> tuple[Page[LedgerTransaction], set[int]]:
        """The user's transactions, newest first, and the ids of the user's own accounts
        (a person sees only their own side of each transaction)."""
        accounts = await ledger_repository.accounts_of_owner(session, owner_key(user))
        ids = [a.id for a in accounts]
        items, total = await ledger_repository.transactions_touching(
            session, ids, (page - 1) * page_size, page_size
        )
        check_page_in_range(page, page_size, total)
        return Page(items, page, page_size, total), set(ids)

    async def statement(
        self, session: AsyncSession, user: User, kinds: Sequence[str]
    ) -> list[StatementLine]:
        """Every entry on the user's accounts of these kinds, oldest first."""
        accounts = [
            a
            for a in await ledger_repository.accounts_of_owner(session, owner_key(user))
            if a.kind in kinds
        ]
        kind_of = {a.id: a.kind for a in accounts}
        rows = await ledger_repository.entries_of_accounts(session, list(kind_of))
        return [
            StatementLine(
                transaction_id=t.id,
                created_at=t.created_at,
                account_kind=kind_of[e.account_id],
                reason=t.reason,
                reference_type=t.reference_type,
                reference_id=t.reference_id,
                description=t.description,
                amount=e.amount,
                currency=e.currency,
            )
            for e, t in rows
        ]

    async def account_kinds(self, session: AsyncSession, account_ids: set[int]) -> dict[int, str]:
        return await ledger_repository.kinds(session, sorted(account_ids))

    async def balances_by_kind(self, session: AsyncSession, currency: str) -> dict[str, int]:
        """Money by where it sits (every wallet together, escrow, pending earnings, ...), in
        cents: the operators' totals."""
        return await ledger_repository.balances_by_kind(session, currency)

    async def check(self, session: AsyncSession) -> LedgerCheck:
        unbalanced = await ledger_repository.unbalanced_transactions(session)
        negative = await ledger_repository.negative_accounts(session)
        total = await ledger_repository.total(session)
        return LedgerCheck(
            not unbalanced and total == 0 and not negative, total, unbalanced, negative
        )

    @staticmethod
    def _check_balanced(legs: Sequence[Leg]) -> None:
        if len(legs) < 2:
            raise UnbalancedTransaction("a transaction needs at least two entries")
        sums: dict[str, int] = defaultdict(int)
        for leg in legs:
            if not isinstance(leg.amount, int) or isinstance(leg.amount, bool) or leg.amount == 0:
                raise UnbalancedTransaction(f"entry amounts are non-zero int cents: {leg.amount!r}")
            sums[leg.account.currency] += leg.amount
        if any(sums.values()):
            raise UnbalancedTransaction(f"entries do not sum to zero: {dict(sums)}")

    @staticmethod
    def _debited(legs: Sequence[Leg]) -> list[int]:
        """Accounts this transaction takes from that must not go below zero."""
        return sorted(
            {leg.account.id for leg in legs if leg.amount < 0 and not leg.account.allow_negative}
        )

    async def _check_funds(self, session: AsyncSession, legs: Sequence[Leg]) -> None:
        """Called with the debited accounts locked (PostgreSQL) or the write lock held."""
        debited = self._debited(legs)
        balances = await ledger_repository.balances(session, debited)
        change: dict[int, int] = defaultdict(int)
        for leg in legs:
            change[leg.account.id] += leg.amount
        for account_id in debited:
            if balances[account_id] + change[account_id] < 0:
                raise InsufficientFunds(
                    "There is not enough money in the account for this. Top up your wallet "
                    "and try again.",
                )


ledger_service = LedgerService()
