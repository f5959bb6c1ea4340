from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, status

from twinwork.billing.schemas import (
    EntryOut,
    LedgerCheckOut,
    PaymentOut,
    TopUpIn,
    TopUpOut,
    TransactionOut,
    TransactionPageOut,
    WalletOut,
)
from twinwork.billing.service import DEFAULT_CURRENCY, wallet_service
from twinwork.kit.pagination import MAX_PAGE
from twinwork.ledger.service import ledger_service
from twinwork.web.deps import ApiUser, DbSession, api_admin

api = APIRouter(prefix="/api/v1", tags=["billing"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=120,
        description="Retrying with the same key returns the first result and charges once.",
    ),
]


@api.get("/wallet", response_model=WalletOut)
async def wallet(user: ApiUser, session: DbSession) -> WalletOut:
    balance = await wallet_service.balance(session, user)
    return WalletOut(balance_amount=balance, currency=DEFAULT_CURRENCY)


@api.post("/wallet/top-ups", response_model=TopUpOut, status_code=status.HTTP_201_CREATED)
async def top_up(
    body: TopUpIn, user: ApiUser, session: DbSession, idempotency_key: IdempotencyKey = None
) -> TopUpOut:
    """Charge a card (sandbox: 4242 4242 4242 4242) and add the amount to the wallet."""
    payment = await wallet_service.top_up(session, user, body, idempotency_key)
    balance = await wallet_service.balance(session, user, payment.currency)
    return TopUpOut(
        payment=PaymentOut.model_validate(payment),
        wallet=WalletOut(balance_amount=balance, currency=payment.currency),
    )


@api.get("/ledger/transactions", response_model=TransactionPageOut)
async def my_transactions(
    user: ApiUser,
    session: DbSession,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> TransactionPageOut:
    """Your own ledger transactions, newest first, with the entries on your accounts only."""
    results, own_accounts = await ledger_service.user_transactions(session, user, page)
    kinds = await ledger_service.account_kinds(session, own_accounts)
    return TransactionPageOut(
        items=[
            TransactionOut(
                id=t.id,
                reason=t.reason,
                reference_type=t.reference_type,
                reference_id=t.reference_id,
                description=t.description,
                created_at=t.created_at,
                entries=[
                    EntryOut(account_kind=kinds[e.account_id], amount=e.amount, currency=e.currency)
                    for e in t.entries
                    if e.account_id in own_accounts
                ],
            )
            for t in results.items
        ],
        page=results.page,
        pages=results.pages,
        total=results.total,
    )


@api.get("/admin/ledger/check", response_model=LedgerCheckOut, dependencies=[Depends(api_admin)])
async def ledger_check(session: DbSession) -> LedgerCheckOut:
    """Every transaction sums to zero, all entries sum to zero, no forbidden negative balance."""
    check = await ledger_service.check(session)
    return LedgerCheckOut(
        balanced=check.balanced,
        total=check.total,
        unbalanced_transaction_ids=check.unbalanced_transaction_ids,
        negative_account_ids=check.negative_account_ids,
    )
