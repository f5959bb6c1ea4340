from __future__ import annotations

import csv
import io
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, status
from fastapi.responses import RedirectResponse, Response

from twinwork.account.models import User
from twinwork.billing.earnings import earnings_service
from twinwork.billing.receipt import receipt_service
from twinwork.billing.schemas import (
    CardIn,
    EarningsOut,
    EntryOut,
    InvoiceOut,
    LedgerCheckOut,
    PaymentOut,
    PayoutIn,
    PayoutOut,
    ReceiptOut,
    ReceiptPageOut,
    SubscriptionOut,
    TopUpIn,
    TopUpOut,
    TransactionOut,
    TransactionPageOut,
    WalletOut,
)
from twinwork.billing.service import DEFAULT_CURRENCY, wallet_service
from twinwork.billing.subscription import LIVE_STATUSES, RenewalCharge, subscription_service
from twinwork.billing.tasks import charge_and_record, send_payout, top_up_by_card
from twinwork.config import get_settings
from twinwork.kit.db import end_transaction_early, unit_of_work, utcnow
from twinwork.kit.errors import DomainError, NotFound
from twinwork.kit.jobs import enqueue_after_commit
from twinwork.kit.money import parse_dollars
from twinwork.kit.pagination import MAX_PAGE
from twinwork.ledger.service import FREELANCER_ACCOUNT_KINDS, ledger_service
from twinwork.web.deps import (
    PAGE_DEPENDENCIES,
    ApiUser,
    DbSession,
    IdempotencyKey,
    PageFreelancer,
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
async def top_up(
    body: TopUpIn,
    user: ApiUser,
    session: DbSession,
    sessionmaker: SessionMaker,
    idempotency_key: IdempotencyKey = None,
) -> TopUpOut:
    """Charge a card (sandbox: 4242 4242 4242 4242) and add the amount to the wallet. A
    declined card answers 402; the attempt is kept in your payments as "failed"."""
    await end_transaction_early(session)
    payment = await top_up_by_card(sessionmaker, user, body, idempotency_key)
    balance = await wallet_service.balance(session, user, payment.currency)
    return TopUpOut(
        payment=PaymentOut.model_validate(payment),
        wallet=WalletOut(balance_amount=balance, currency=payment.currency),
    )


@api.get("/wallet/top-ups", response_model=list[PaymentOut])
async def list_top_ups(user: ApiUser, session: DbSession) -> list[PaymentOut]:
    """Your card payments, newest first, declined ones included."""
    return [PaymentOut.model_validate(p) for p in await wallet_service.payments(session, user)]


@api.get("/receipts", response_model=ReceiptPageOut)
async def list_receipts(
    user: ApiUser, session: DbSession, page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1
) -> ReceiptPageOut:
    """A receipt for every payment you made (card top-ups, membership invoices, wallet
    payments for generations and orders) and every refund you got, newest first."""
    results = await receipt_service.page(session, user, page)
    return ReceiptPageOut(
        items=[ReceiptOut.model_validate(r) for r in results.items],
        page=results.page,
        pages=results.pages,
        total=results.total,
    )


@api.get("/receipts/{number}", response_model=ReceiptOut)
async def get_receipt(
    number: Annotated[str, Path(max_length=20)], user: ApiUser, session: DbSession
) -> ReceiptOut:
    return ReceiptOut.model_validate(await receipt_service.get(session, user, number))


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
            amount: int | str = parse_dollars(str(data.get("amount", ""))) or 0
        except ValueError:
            amount = str(data.get("amount", ""))
        body = validate(TopUpIn, {"amount": amount, "card_number": data.get("card_number", "")})
        await end_transaction_early(session)
        await top_up_by_card(sessionmaker, user, body, key)
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


@pages.get("/dashboard/receipts")
async def receipts_page(
    request: Request,
    session: DbSession,
    user: PageUser,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    results = await receipt_service.page(session, user, page)
    return render(request, "receipts.html", {"results": results})


@pages.get("/receipts/{number}")
async def receipt_page(
    request: Request,
    number: Annotated[str, Path(max_length=20)],
    session: DbSession,
    user: PageUser,
) -> Response:
    receipt = await receipt_service.get(session, user, number)
    return render(request, "receipt.html", {"receipt": receipt, "payer": user})


# ---- creation-program subscription ---------------------------------------------------------


async def subscription_out(session: DbSession, user: User) -> SubscriptionOut:
    subscription = await subscription_service.current(session, user)
    if subscription is None:
        raise NotFound("You have not joined the creation program. POST /api/v1/subscriptions.")
    return SubscriptionOut(
        id=subscription.id,
        status=subscription.status,
        member=subscription.status in LIVE_STATUSES,
        amount=subscription.amount,
        currency=subscription.currency,
        card_last4=subscription.card_last4,
        current_period_start=subscription.current_period_start,
        current_period_end=subscription.current_period_end,
        cancel_at_period_end=subscription.cancel_at_period_end,
        grace_until=subscription.grace_until,
        invoices=[
            InvoiceOut.model_validate(i) for i in await subscription_service.invoices(session, user)
        ],
    )


@api.post("/subscriptions", response_model=SubscriptionOut, status_code=status.HTTP_201_CREATED)
async def subscribe(
    body: CardIn,
    user: ApiUser,
    session: DbSession,
    sessionmaker: SessionMaker,
    idempotency_key: IdempotencyKey = None,
) -> SubscriptionOut:
    """Join the creation program: the first month is charged now, then every period. A retry
    with the same Idempotency-Key answers as the first request did, without a second charge."""
    await join_program(session, sessionmaker, user, body.card_number, idempotency_key)
    return await subscription_out(session, user)


async def join_program(
    session: DbSession,
    sessionmaker: SessionMaker,
    user: User,
    card_number: str,
    idempotency_key: str | None,
) -> None:
    """Commit the pending sign-up, charge the first period with no transaction open, record
    the answer in a unit of its own; then answer a decline (402) from the recorded row."""
    await end_transaction_early(session)
    async with unit_of_work(sessionmaker) as write:
        step = await subscription_service.start_subscription(
            write, user, card_number, idempotency_key
        )
    if isinstance(step, RenewalCharge):
        await charge_and_record(sessionmaker, step, utcnow())
        subscription_id = step.subscription_id
    else:
        subscription_id = step.id
    await subscription_service.signed_up(session, subscription_id)


@api.get("/subscriptions/current", response_model=SubscriptionOut)
async def current_subscription(user: ApiUser, session: DbSession) -> SubscriptionOut:
    return await subscription_out(session, user)


@api.delete("/subscriptions/current", response_model=SubscriptionOut)
async def cancel_subscription(user: ApiUser, session: DbSession) -> SubscriptionOut:
    """Stop renewing: membership lasts to the end of the paid period (at once while a renewal
    is unpaid), then your models are switched off, not erased."""
    await subscription_service.cancel(session, user)
    return await subscription_out(session, user)


@api.post("/subscriptions/current/resume", response_model=SubscriptionOut)
async def resume_subscription(user: ApiUser, session: DbSession) -> SubscriptionOut:
    await subscription_service.resume(session, user)
    return await subscription_out(session, user)


@api.put("/subscriptions/current/card", response_model=SubscriptionOut)
async def update_card(body: CardIn, user: ApiUser, session: DbSession) -> SubscriptionOut:
    """Use another card for renewals. An unpaid renewal is retried with it at its next daily
    retry during the grace period (a day after the last failed attempt), not at once."""
    await subscription_service.update_card(session, user, body.card_number)
    return await subscription_out(session, user)


@pages.get("/dashboard/program")
async def program_page(request: Request, session: DbSession, user: PageFreelancer) -> Response:
    return render(request, "program.html", await _program_context(session, user))


async def _program_context(session: DbSession, user: User) -> dict[str, object]:
    settings = get_settings()
    subscription = await subscription_service.current(session, user)
    return {
        "subscription": subscription,
        "member": subscription is not None and subscription.status in LIVE_STATUSES,
        "invoices": await subscription_service.invoices(session, user),
        "price_amount": settings.program_price_amount,
        "currency": settings.program_currency,
        "period_days": settings.program_period_days,
        "grace_days": settings.program_grace_days,
        "idempotency_key": secrets.token_urlsafe(16),
        "values": {},
        "errors": {},
    }


async def _program_action(
    request: Request, session: DbSession, user: User, action: str
) -> Response:
    data = await form_data(request)
    try:
        if action == "card":
            body = validate(CardIn, {"card_number": data.get("card_number", "")})
            await subscription_service.update_card(session, user, body.card_number)
        elif action == "cancel":
            await subscription_service.cancel(session, user)
        else:
            await subscription_service.resume(session, user)
    except (FormErrors, DomainError) as exc:
        errors = exc.errors if isinstance(exc, FormErrors) else domain_errors(exc)
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        context = await _program_context(session, user)
        data.pop("card_number", None)
        return form_error(request, session, "program.html", data, errors, status_code, context)
    return RedirectResponse(f"/dashboard/program?done={action}", status_code=303)


@pages.post("/dashboard/program/subscribe")
async def program_subscribe(
    request: Request, session: DbSession, sessionmaker: SessionMaker, user: PageFreelancer
) -> Response:
    data = await form_data(request)
    key = form_idempotency_key(data)
    try:
        body = validate(CardIn, {"card_number": data.get("card_number", "")})
        await join_program(session, sessionmaker, user, body.card_number, key)
    except (FormErrors, DomainError) as exc:
        errors = exc.errors if isinstance(exc, FormErrors) else domain_errors(exc)
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        context = await _program_context(session, user)
        data.pop("card_number", None)
        return form_error(request, session, "program.html", data, errors, status_code, context)
    return RedirectResponse("/dashboard/program?done=subscribe", status_code=303)


@pages.post("/dashboard/program/{action}")
async def program_action(
    request: Request, action: str, session: DbSession, user: PageFreelancer
) -> Response:
    if action not in ("card", "cancel", "resume"):
        raise NotFound("No such action.")
    return await _program_action(request, session, user, action)


# ---- earnings and payouts ------------------------------------------------------------------


@api.get("/earnings", response_model=EarningsOut)
async def earnings(user: ApiUser, session: DbSession) -> EarningsOut:
    balances = await earnings_service.balances(session, user)
    return EarningsOut(**balances.__dict__)


@api.post("/payouts", response_model=PayoutOut, status_code=status.HTTP_201_CREATED)
async def request_payout(
    body: PayoutIn, user: ApiUser, session: DbSession, idempotency_key: IdempotencyKey = None
) -> PayoutOut:
    """Withdraw from your available balance; the transfer runs as a job. A failed transfer
    puts the money back into your available balance."""
    payout = await earnings_service.request_payout(
        session, user, body.amount, body.bank_account, idempotency_key
    )
    if payout.status == "requested":
        enqueue_after_commit(session, send_payout, payout.id)
    return PayoutOut.model_validate(payout)


@api.get("/payouts", response_model=list[PayoutOut])
async def list_payouts(user: ApiUser, session: DbSession) -> list[PayoutOut]:
    return [PayoutOut.model_validate(p) for p in await earnings_service.payouts(session, user)]


@pages.get("/dashboard/earnings")
async def earnings_page(request: Request, session: DbSession, user: PageFreelancer) -> Response:
    return render(request, "earnings.html", await _earnings_context(session, user))


async def _earnings_context(session: DbSession, user: User) -> dict[str, object]:
    return {
        "earnings": await earnings_service.balances(session, user),
        "payouts": await earnings_service.payouts(session, user),
        "minimum_amount": get_settings().payout_minimum_amount,
        "clearing_days": get_settings().earnings_clearing_days,
        "idempotency_key": secrets.token_urlsafe(16),
        "values": {},
        "errors": {},
    }


@pages.post("/dashboard/earnings/payouts")
async def payout_page(request: Request, session: DbSession, user: PageFreelancer) -> Response:
    data = await form_data(request)
    key = str(data.pop("idempotency_key", "")) or None
    if key is not None and not 1 <= len(key) <= 120:
        key = None
    try:
        try:
            amount: int | str = parse_dollars(str(data.get("amount", ""))) or 0
        except ValueError:
            amount = str(data.get("amount", ""))
        body = validate(
            PayoutIn, {"amount": amount, "bank_account": data.get("bank_account") or None}
        )
        payout = await earnings_service.request_payout(
            session, user, body.amount, body.bank_account, key
        )
    except (FormErrors, DomainError) as exc:
        errors = exc.errors if isinstance(exc, FormErrors) else domain_errors(exc)
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        context = await _earnings_context(session, user)
        return form_error(request, session, "earnings.html", data, errors, status_code, context)
    if payout.status == "requested":
        enqueue_after_commit(session, send_payout, payout.id)
    return RedirectResponse("/dashboard/earnings?requested=1", status_code=303)


@pages.get("/dashboard/earnings/statement.csv")
async def statement_csv(session: DbSession, user: PageFreelancer) -> Response:
    """Every ledger entry on your freelancer accounts, oldest first: a statement for your
    books."""
    rows = await ledger_service.statement(session, user, FREELANCER_ACCOUNT_KINDS)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "account", "reason", "reference", "description", "amount", "currency"])
    for row in rows:
        writer.writerow(
            [
                row.created_at.isoformat(timespec="seconds"),
                row.account_kind,
                row.reason,
                f"{row.reference_type}:{row.reference_id}",
                row.description,
                f"{row.amount / 100:.2f}",
                row.currency,
            ]
        )
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="twinwork-statement.csv"'},
    )
