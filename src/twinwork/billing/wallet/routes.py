"""The wallet: balance, card top-ups, the ledger history of one's own accounts, and the
operators' check that the books balance."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import RedirectResponse, Response

from twinwork.account.models import User
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
from twinwork.billing.wallet.service import DEFAULT_CURRENCY, wallet_service
from twinwork.billing.wallet.top_up import top_up
from twinwork.kit.errors import DomainError
from twinwork.kit.money import parse_dollars
from twinwork.kit.pagination import MAX_PAGE
from twinwork.ledger.service import ledger_service, public_reference_id
from twinwork.web.deps import (
    PAGE_DEPENDENCIES,
    ApiUser,
    DbSession,
    IdempotencyKey,
    PageUser,
    SessionMaker,
    api_admin,
)
from twinwork.web.forms import (
    FormErrors,
    domain_errors,
    form_data,
    form_error,
    form_idempotency_key,
    validate,
)
from twinwork.web.templating import render

api = APIRouter(prefix="/api/v1", tags=["billing"])
pages = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)


@api.get("/wallet", response_model=WalletOut)
async def wallet(user: ApiUser, session: DbSession) -> WalletOut:
    balance = await wallet_service.balance(session, user)
    return WalletOut(balance_amount=balance, currency=DEFAULT_CURRENCY)


@api.post("/wallet/top-ups", response_model=TopUpOut, status_code=status.HTTP_201_CREATED)
async def top_up_wallet(
    body: TopUpIn,
    user: ApiUser,
    session: DbSession,
    sessionmaker: SessionMaker,
    idempotency_key: IdempotencyKey = None,
) -> TopUpOut:
    """Charge a card (sandbox: 4242 4242 4242 4242) and add the amount to the wallet. A
    declined card answers 402; the attempt is kept in your payments as "failed"."""
    payment = await top_up(session, sessionmaker, user, body, idempotency_key)
    balance = await wallet_service.balance(session, user, payment.currency)
    return TopUpOut(
        payment=PaymentOut.model_validate(payment),
        wallet=WalletOut(balance_amount=balance, currency=payment.currency),
    )


@api.get("/wallet/top-ups", response_model=list[PaymentOut])
async def list_top_ups(user: ApiUser, session: DbSession) -> list[PaymentOut]:
    """Your card payments, newest first, declined ones included."""
    return [PaymentOut.model_validate(p) for p in await wallet_service.payments(session, user)]


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
                reference_id=public_reference_id(t.reference_type, t.reference_id),
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


# ---- pages ---------------------------------------------------------------------------------


@pages.get("/dashboard/wallet")
async def wallet_page(
    request: Request,
    session: DbSession,
    user: PageUser,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    return render(request, "wallet.html", await _wallet_context(session, user, page))


@pages.post("/dashboard/wallet/top-up")
async def wallet_top_up(
    request: Request, session: DbSession, sessionmaker: SessionMaker, user: PageUser
) -> Response:
    data = await form_data(request)
    key = form_idempotency_key(data)
    try:
        try:
            amount = parse_dollars(str(data.get("amount", ""))) or 0
        except ValueError as exc:
            # Never hand the raw text to pydantic: it reads "1_000" as 1,000 cents.
            raise FormErrors({"amount": str(exc)}) from exc
        body = validate(TopUpIn, {"amount": amount, "card_number": data.get("card_number", "")})
        await top_up(session, sessionmaker, user, body, key)
    except (FormErrors, DomainError) as exc:
        errors = exc.errors if isinstance(exc, FormErrors) else domain_errors(exc)
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        context = await _wallet_context(session, user, 1)
        data.pop("card_number", None)  # never echo a card number back into the page
        return form_error(request, session, "wallet.html", data, errors, status_code, context)
    return RedirectResponse("/dashboard/wallet?topped_up=1", status_code=303)


async def _wallet_context(session: DbSession, user: User, page: int) -> dict[str, object]:
    results, own_accounts = await ledger_service.user_transactions(session, user, page)
    rows = [
        {
            "created_at": t.created_at,
            "reason": t.reason,
            "description": t.description,
            "amount": sum(e.amount for e in t.entries if e.account_id in own_accounts),
            "currency": t.entries[0].currency,
        }
        for t in results.items
    ]
    return {
        "balance_amount": await wallet_service.balance(session, user),
        "currency": DEFAULT_CURRENCY,
        "history": {"rows": rows, "page": results.page, "pages": results.pages},
        "card_payments": (await wallet_service.payments(session, user))[:10],
        "idempotency_key": secrets.token_urlsafe(16),
        "values": {},
        "errors": {},
    }
