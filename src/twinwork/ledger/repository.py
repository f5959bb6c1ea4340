from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, String, cast, exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from twinwork.ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction


class LedgerRepository:
    async def find_account(
        self, session: AsyncSession, kind: str, owner_key: str, currency: str
    ) -> LedgerAccount | None:
        return await session.scalar(
            select(LedgerAccount).where(
                LedgerAccount.kind == kind,
                LedgerAccount.owner_key == owner_key,
                LedgerAccount.currency == currency,
            )
        )

    async def balances_by_kind(self, session: AsyncSession, currency: str) -> dict[str, int]:
        """What every account of a kind holds together, in cents (wallets, escrow, ...)."""
        result = await session.execute(
            select(LedgerAccount.kind, func.sum(LedgerEntry.amount))
            .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
            .where(LedgerAccount.currency == currency)
            .group_by(LedgerAccount.kind)
        )
        return {str(kind): int(total or 0) for kind, total in result}

    async def add(self, session: AsyncSession, row: LedgerAccount | LedgerTransaction) -> None:
        session.add(row)
        await session.flush()

    async def lock_accounts(self, session: AsyncSession, account_ids: Sequence[int]) -> None:
        """Row locks on PostgreSQL (in id order, so two transfers never deadlock); SQLite's
        writers are already serialised by BEGIN IMMEDIATE."""
        if not account_ids:
            return
        await session.execute(
            select(LedgerAccount.id)
            .where(LedgerAccount.id.in_(sorted(account_ids)))
            .order_by(LedgerAccount.id)
            .with_for_update()
        )

    async def balances(self, session: AsyncSession, account_ids: Sequence[int]) -> dict[int, int]:
        result = await session.execute(
            select(LedgerEntry.account_id, func.coalesce(func.sum(LedgerEntry.amount), 0))
            .where(LedgerEntry.account_id.in_(account_ids))
            .group_by(LedgerEntry.account_id)
        )
        found = {row[0]: int(row[1]) for row in result}
        return {account_id: found.get(account_id, 0) for account_id in account_ids}

    async def by_idempotency_key(self, session: AsyncSession, key: str) -> LedgerTransaction | None:
        return await session.scalar(
            select(LedgerTransaction).where(LedgerTransaction.idempotency_key == key)
        )

    async def transactions_touching(
        self, session: AsyncSession, account_ids: Sequence[int], offset: int, limit: int
    ) -> tuple[list[LedgerTransaction], int]:
        touching = select(LedgerEntry.transaction_id).where(LedgerEntry.account_id.in_(account_ids))
        total = await session.scalar(
            select(func.count())
            .select_from(LedgerTransaction)
            .where(LedgerTransaction.id.in_(touching))
        )
        rows = await session.scalars(
            select(LedgerTransaction)
            .where(LedgerTransaction.id.in_(touching))
            .order_by(LedgerTransaction.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return list(rows), int(total or 0)

    async def accounts_of_owner(self, session: AsyncSession, owner_key: str) -> list[LedgerAccount]:
        return list(
            await session.scalars(select(LedgerAccount).where(LedgerAccount.owner_key == owner_key))
        )

    async def entries_of_accounts(
        self, session: AsyncSession, account_ids: Sequence[int]
    ) -> list[tuple[LedgerEntry, LedgerTransaction]]:
        if not account_ids:
            return []
        result = await session.execute(
            select(LedgerEntry, LedgerTransaction)
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(LedgerEntry.account_id.in_(account_ids))
            .order_by(LedgerTransaction.created_at, LedgerEntry.id)
        )
        return [(row[0], row[1]) for row in result.all()]

    async def kinds(self, session: AsyncSession, account_ids: Sequence[int]) -> dict[int, str]:
        result = await session.execute(
            select(LedgerAccount.id, LedgerAccount.kind).where(LedgerAccount.id.in_(account_ids))
        )
        return {row[0]: row[1] for row in result}

    async def unbalanced_transactions(self, session: AsyncSession) -> list[int]:
        result = await session.execute(
            select(LedgerEntry.transaction_id)
            .group_by(LedgerEntry.transaction_id, LedgerEntry.currency)
            .having(func.sum(LedgerEntry.amount) != 0)
        )
        return sorted({row[0] for row in result})

    async def total(self, session: AsyncSession) -> int:
        return int(
            await session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0))) or 0
        )

    async def negative_accounts(self, session: AsyncSession) -> list[int]:
        result = await session.execute(
            select(LedgerEntry.account_id)
            .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
            .where(LedgerAccount.allow_negative.is_(False))
            .group_by(LedgerEntry.account_id)
            .having(func.sum(LedgerEntry.amount) < 0)
        )
        return [row[0] for row in result]


ledger_repository = LedgerRepository()


class ClearingRepository:
    async def uncleared_earnings(
        self,
        session: AsyncSession,
        reasons: Sequence[str],
        cutoff: datetime,
        owner_key: str | None = None,
        limit: int = 500,
    ) -> list[tuple[int, int, int, str]]:
        """(transaction id, owner user id, amount, currency) of pending earnings posted before
        ``cutoff`` that no clearing transaction has moved yet."""
        clearing = aliased(LedgerTransaction)
        key = literal("clearing:") + cast(LedgerTransaction.id, String)
        query = (
            select(
                LedgerTransaction.id,
                LedgerAccount.owner_user_id,
                LedgerEntry.amount,
                LedgerEntry.currency,
            )
            .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
            .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
            .where(
                LedgerTransaction.reason.in_(reasons),
                LedgerTransaction.created_at <= cutoff,
                LedgerAccount.kind == "freelancer_pending",
                LedgerEntry.amount > 0,
                ~exists(select(clearing.id).where(clearing.idempotency_key == key)),
            )
            .order_by(LedgerTransaction.id)
            .limit(limit)
        )
        if owner_key is not None:
            query = query.where(LedgerAccount.owner_key == owner_key)
        rows = (await session.execute(query)).all()
        # Pending accounts always have an owner: the query joins on kind freelancer_pending.
        return [(int(r[0]), int(r[1] or 0), int(r[2]), str(r[3])) for r in rows]


clearing_repository = ClearingRepository()


@dataclass(frozen=True)
class CreditedSale:
    """A sale as the freelancer's books see it: what reached their pending earnings and the
    platform's fee, from one ledger transaction."""

    transaction_id: int
    created_at: datetime
    reason: str
    reference_type: str
    reference_id: str
    description: str
    net_amount: int
    """Credited to the freelancer, in cents."""
    fee_amount: int
    """The platform's fee on the same sale, in cents."""
    currency: str


class SalesRepository:
    """Reads of sales credited to freelancers (the transactions ``billing.sale.post_sale``
    writes), by reason: one query shape for the earnings page and the equity programme."""

    def _credits(self, reasons: Sequence[str]) -> Select[int | None, int, str, datetime]:
        return (
            select(
                LedgerAccount.owner_user_id,
                LedgerEntry.amount,
                LedgerEntry.currency,
                LedgerTransaction.created_at,
            )
            .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(
                LedgerAccount.kind == "freelancer_pending",
                LedgerAccount.owner_user_id.is_not(None),
                LedgerEntry.amount > 0,
                LedgerTransaction.reason.in_(list(reasons)),
            )
        )

    async def totals_by_owner(
        self,
        session: AsyncSession,
        reasons: Sequence[str],
        currency: str,
        start: datetime,
        end: datetime,
        user_ids: Sequence[int] | None = None,
    ) -> dict[int, int]:
        """Each freelancer's credited sales in [start, end), in cents; none: left out."""
        credits = self._credits(reasons).where(
            LedgerEntry.currency == currency,
            LedgerTransaction.created_at >= start,
            LedgerTransaction.created_at < end,
        )
        if user_ids is not None:
            credits = credits.where(LedgerAccount.owner_user_id.in_(list(user_ids)))
        rows = credits.subquery()
        result = await session.execute(
            select(rows.c.owner_user_id, func.sum(rows.c.amount)).group_by(rows.c.owner_user_id)
        )
        return {int(user_id): int(total) for user_id, total in result if user_id is not None}

    async def of_owner(
        self,
        session: AsyncSession,
        owner_id: int,
        reasons: Sequence[str],
        offset: int,
        limit: int,
    ) -> tuple[list[CreditedSale], int]:
        """One freelancer's sales, newest first, with the fee of each."""
        where = [
            LedgerAccount.kind == "freelancer_pending",
            LedgerAccount.owner_user_id == owner_id,
            LedgerEntry.amount > 0,
            LedgerTransaction.reason.in_(list(reasons)),
        ]
        base = (
            select(LedgerTransaction, LedgerEntry.amount, LedgerEntry.currency)
            .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
            .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
            .where(*where)
        )
        total = int(await session.scalar(select(func.count()).select_from(base.subquery())) or 0)
        rows = (
            await session.execute(
                base.order_by(LedgerTransaction.created_at.desc(), LedgerTransaction.id.desc())
                .offset(offset)
                .limit(limit)
            )
        ).all()
        fees = await self._fees(session, [row[0].id for row in rows])
        sales = [
            CreditedSale(
                transaction_id=transaction.id,
                created_at=transaction.created_at,
                reason=transaction.reason,
                reference_type=transaction.reference_type,
                reference_id=transaction.reference_id,
                description=transaction.description,
                net_amount=int(amount),
                fee_amount=fees.get(transaction.id, 0),
                currency=str(currency),
            )
            for transaction, amount, currency in rows
        ]
        return sales, total

    async def _fees(self, session: AsyncSession, transaction_ids: Sequence[int]) -> dict[int, int]:
        if not transaction_ids:
            return {}
        result = await session.execute(
            select(LedgerEntry.transaction_id, func.sum(LedgerEntry.amount))
            .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
            .where(
                LedgerAccount.kind == "platform_revenue",
                LedgerEntry.transaction_id.in_(list(transaction_ids)),
            )
            .group_by(LedgerEntry.transaction_id)
        )
        return {int(transaction_id): int(fee) for transaction_id, fee in result}

    async def credits_of_owner(
        self, session: AsyncSession, owner_id: int, reasons: Sequence[str], since: datetime
    ) -> list[tuple[datetime, int, str]]:
        """(when, net amount in cents, currency) of each sale since ``since``, oldest first:
        the earnings chart buckets them by month in Python (the same on both databases)."""
        result = await session.execute(
            self._credits(reasons)
            .where(
                LedgerAccount.owner_user_id == owner_id,
                LedgerTransaction.created_at >= since,
            )
            .order_by(LedgerTransaction.created_at)
        )
        return [
            (created_at, int(amount), str(currency)) for _, amount, currency, created_at in result
        ]


sales_repository = SalesRepository()
