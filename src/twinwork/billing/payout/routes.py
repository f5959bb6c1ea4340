"""Earnings and payouts: balances, withdrawing to a bank account, a CSV statement."""

from __future__ import annotations

import csv
import io
import secrets
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import RedirectResponse, Response

from twinwork.account.models import User
from twinwork.billing.payout.sales import monthly_totals, sales_page
from twinwork.billing.payout.service import earnings_service
from twinwork.billing.payout.tasks import send_payout
from twinwork.billing.schemas import EarningsOut, PayoutIn, PayoutOut
from twinwork.config import get_settings
from twinwork.kit.charts import bar_chart
from twinwork.kit.errors import DomainError
from twinwork.kit.jobs import enqueue_after_commit
from twinwork.kit.money import format_amount, format_decimal, parse_dollars
from twinwork.kit.pagination import MAX_PAGE
from twinwork.ledger.service import FREELANCER_ACCOUNT_KINDS, ledger_service, public_reference_id
from twinwork.web.deps import (
    PAGE_DEPENDENCIES,
    ApiUser,
    DbSession,
    IdempotencyKey,
    PageFreelancer,
)
from twinwork.web.forms import FormErrors, domain_errors, form_data, form_error, validate
from twinwork.web.templating import render

api = APIRouter(prefix="/api/v1", tags=["billing"])
pages = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)


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
async def earnings_page(
    request: Request,
    session: DbSession,
    user: PageFreelancer,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    return render(request, "earnings.html", await _earnings_context(session, user, page))


async def _earnings_context(session: DbSession, user: User, page: int = 1) -> dict[str, object]:
    months = await monthly_totals(session, user)
    balances = await earnings_service.balances(session, user)
    return {
        "earnings": balances,
        "withdrawable_amount": await earnings_service.withdrawable(session, user, balances),
        "sales": await sales_page(session, user, page),
        "months": months,
        "chart": bar_chart(
            [month.label for month in months],
            [month.net_amount for month in months],
            title="Your earnings by month",
            description="Net earnings after the platform fee, each of the last 12 months.",
            chart_id="earnings-chart",
            value_format=lambda cents: format_amount(int(cents)),
        ),
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
            amount = parse_dollars(str(data.get("amount", ""))) or 0
        except ValueError as exc:
            # Never hand the raw text to pydantic: it reads "1_000" as 1,000 cents.
            raise FormErrors({"amount": str(exc)}) from exc
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
                f"{row.reference_type}:{public_reference_id(row.reference_type, row.reference_id)}",
                row.description,
                format_decimal(row.amount),
                row.currency,
            ]
        )
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="twinwork-statement.csv"'},
    )
