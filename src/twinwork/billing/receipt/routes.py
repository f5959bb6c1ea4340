"""Receipts: the list and a printable page, and the same through the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from twinwork.billing.receipt.service import NUMBER_MAX_LENGTH, receipt_service
from twinwork.billing.schemas import ReceiptOut, ReceiptPageOut
from twinwork.kit.pagination import MAX_PAGE
from twinwork.web.deps import PAGE_DEPENDENCIES, ApiUser, DbSession, PageUser
from twinwork.web.templating import render

api = APIRouter(prefix="/api/v1", tags=["billing"])
pages = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)


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
    number: Annotated[str, Path(max_length=NUMBER_MAX_LENGTH)], user: ApiUser, session: DbSession
) -> ReceiptOut:
    return ReceiptOut.model_validate(await receipt_service.get(session, user, number))


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
    number: Annotated[str, Path(max_length=NUMBER_MAX_LENGTH)],
    session: DbSession,
    user: PageUser,
) -> Response:
    receipt = await receipt_service.get(session, user, number)
    return render(request, "receipt.html", {"receipt": receipt, "payer": user})
