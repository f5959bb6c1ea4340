from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from twinwork.account.models import User
from twinwork.config import get_settings
from twinwork.generation.service import generation_service
from twinwork.kit.db import mark_rollback_only
from twinwork.kit.encoding import decode_base64
from twinwork.kit.errors import DomainError, NotFound
from twinwork.kit.money import parse_dollars
from twinwork.kit.pagination import MAX_PAGE
from twinwork.kit.public_ids import DisputeId, FileId, OrderId, public_id, row_id
from twinwork.order.checkout import checkout, checkout_summary
from twinwork.order.dispute import dispute_service
from twinwork.order.models import DeliveryFile, DisputeStatus, Order, OrderKind
from twinwork.order.schemas import (
    DeliveryFileIn,
    DeliveryIn,
    DeliveryOut,
    DisputeIn,
    DisputeOut,
    DisputePageOut,
    DisputeResolutionIn,
    DisputeResponseIn,
    OrderIn,
    OrderOut,
    OrderPageOut,
    RequirementsIn,
    ReviewIn,
    RevisionIn,
)
from twinwork.order.service import Attachment, order_service
from twinwork.order.timeline import order_summary
from twinwork.web.deps import (
    PAGE_DEPENDENCIES,
    ApiAdmin,
    ApiUser,
    DbSession,
    IdempotencyKey,
    PageAdmin,
    PageUser,
    SessionMaker,
    Storage,
    writes_own_units,
)
from twinwork.web.downloads import attachment_response
from twinwork.web.forms import (
    FormErrors,
    domain_errors,
    form_data,
    form_error,
    form_idempotency_key,
    validate,
)
from twinwork.web.templating import render

api = APIRouter(prefix="/api/v1", tags=["orders"])
pages = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)


async def order_out(session: DbSession, order: Order, user: User) -> OrderOut:
    review = await order_service.review_of(session, order)
    dispute = await dispute_service.latest_of(session, order)
    return OrderOut(
        id=order.id,
        role="buyer" if order.buyer_user_id == user.id else "freelancer",
        buyer_user_id=order.buyer_user_id,
        freelancer_user_id=order.freelancer_user_id,
        gig_id=order.gig_id,
        package=order.package_name,
        kind=order.kind,
        status=order.status,
        brief=order.brief,
        price_amount=order.price_amount,
        currency=order.currency,
        revisions_allowed=order.revisions_allowed,
        revisions_used=order.revisions_used,
        delivery_days=order.delivery_days,
        due_at=order.due_at,
        auto_accept_at=order.auto_accept_at,
        created_at=order.created_at,
        completed_at=order.completed_at,
        deliveries=[
            DeliveryOut.model_validate(d) for d in await order_service.deliveries(session, order)
        ],
        review=None if review is None else {"rating": review.rating, "text": review.text},
        dispute=None if dispute is None else DisputeOut.model_validate(dispute),
    )


@api.post("/orders", response_model=OrderOut, status_code=status.HTTP_201_CREATED)
@writes_own_units
async def place_order(
    body: OrderIn,
    user: ApiUser,
    session: DbSession,
    sessionmaker: SessionMaker,
    storage: Storage,
    request_key: IdempotencyKey = None,
) -> OrderOut:
    """Order a gig package: ``human`` (paid into escrow until you accept), ``ai`` (generated
    at once from the freelancer's model and charged like a purchase) or ``hybrid`` (the AI
    draft at once, refined by hand within the package's delivery time; escrow as for human)."""
    order_id = await checkout(session, sessionmaker, storage, user, body, request_key)
    order = await order_service.for_party(session, user, order_id)
    return await order_out(session, order, user)


@api.get("/orders", response_model=OrderPageOut)
async def list_orders(
    user: ApiUser, session: DbSession, page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1
) -> OrderPageOut:
    """Your orders, as buyer and as freelancer, newest first."""
    results = await order_service.page(session, user, page)
    return OrderPageOut(
        items=[await order_out(session, o, user) for o in results.items],
        page=results.page,
        pages=results.pages,
        total=results.total,
    )


@api.get("/orders/{order_id}", response_model=OrderOut)
async def get_order(order_id: OrderId, user: ApiUser, session: DbSession) -> OrderOut:
    return await order_out(session, await order_service.for_party(session, user, order_id), user)


@api.post("/orders/{order_id}/requirements", response_model=OrderOut)
async def submit_requirements(
    order_id: OrderId, body: RequirementsIn, user: ApiUser, session: DbSession
) -> OrderOut:
    """The buyer of an order placed without a brief says what they need; the package's
    delivery time starts now."""
    order = await order_service.submit_requirements(session, user, order_id, body.requirements)
    return await order_out(session, order, user)


@api.post("/orders/{order_id}/deliveries", response_model=OrderOut, status_code=201)
async def deliver(
    order_id: OrderId, body: DeliveryIn, user: ApiUser, session: DbSession, storage: Storage
) -> OrderOut:
    """Hand over the work: ``text``, and ``files`` as ``[{name, content_base64,
    content_type?}]`` (up to 10, 20 MB each by default)."""
    attachments = [decode_file(f) for f in body.files]
    order = await order_service.deliver(session, user, order_id, body.text, attachments, storage)
    return await order_out(session, order, user)


def decode_file(item: DeliveryFileIn) -> Attachment:
    message = f"{item.name[:60]!r} is not valid base64."
    data = decode_base64(item.content_base64, field="files", message=message)
    return Attachment(item.name, item.content_type, data)


@api.get("/orders/{order_id}/files/{file_id}")
async def download_file(
    order_id: OrderId, file_id: FileId, user: ApiUser, session: DbSession, storage: Storage
) -> Response:
    """A delivered file's bytes, for the order's buyer and freelancer."""
    return await file_response(session, storage, user, order_id, file_id)


async def file_response(
    session: DbSession, storage: Storage, user: User, order_id: int, file_id: int
) -> Response:
    item = await order_service.delivery_file(session, user, order_id, file_id)
    return await download(storage, item)


async def download(storage: Storage, item: DeliveryFile) -> Response:
    data = await storage.get(item.storage_key)
    return attachment_response(data, item.name, item.content_type)


@api.post("/orders/{order_id}/accept", response_model=OrderOut)
async def accept(order_id: OrderId, user: ApiUser, session: DbSession) -> OrderOut:
    """Accept the delivery: escrow is released to the freelancer, less the platform fee."""
    return await order_out(session, await order_service.accept(session, user, order_id), user)


@api.post("/orders/{order_id}/revisions", response_model=OrderOut)
async def revise(
    order_id: OrderId, body: RevisionIn, user: ApiUser, session: DbSession
) -> OrderOut:
    order = await order_service.request_revision(session, user, order_id, body.message)
    return await order_out(session, order, user)


@api.post("/orders/{order_id}/cancel", response_model=OrderOut)
async def cancel(order_id: OrderId, user: ApiUser, session: DbSession) -> OrderOut:
    """Before delivery, either party may cancel; the buyer's wallet is refunded."""
    return await order_out(session, await order_service.cancel(session, user, order_id), user)


@api.post("/orders/{order_id}/reviews", response_model=OrderOut, status_code=201)
async def review(order_id: OrderId, body: ReviewIn, user: ApiUser, session: DbSession) -> OrderOut:
    await order_service.review(session, user, order_id, body)
    return await order_out(session, await order_service.for_party(session, user, order_id), user)


@api.post("/orders/{order_id}/disputes", response_model=OrderOut, status_code=201)
async def open_dispute(
    order_id: OrderId, body: DisputeIn, user: ApiUser, session: DbSession
) -> OrderOut:
    """The buyer asks the platform to step in while the price is in escrow; the order is
    frozen (no delivery, acceptance or auto-acceptance) until the dispute ends."""
    await dispute_service.open(session, user, order_id, body.reason)
    return await order_out(session, await order_service.for_party(session, user, order_id), user)


@api.post("/orders/{order_id}/dispute/response", response_model=OrderOut)
async def respond_to_dispute(
    order_id: OrderId, body: DisputeResponseIn, user: ApiUser, session: DbSession
) -> OrderOut:
    """The freelancer's side of the story, shown to the admin who resolves the dispute."""
    await dispute_service.respond(session, user, order_id, body.response)
    return await order_out(session, await order_service.for_party(session, user, order_id), user)


@api.post("/orders/{order_id}/dispute/withdraw", response_model=OrderOut)
async def withdraw_dispute(order_id: OrderId, user: ApiUser, session: DbSession) -> OrderOut:
    """The buyer closes the dispute; the order goes back to where it was."""
    await dispute_service.withdraw(session, user, order_id)
    return await order_out(session, await order_service.for_party(session, user, order_id), user)


def _dispute_status(status_filter: str | None) -> DisputeStatus | None:
    if status_filter is None or status_filter in ("", "all"):
        return None
    try:
        return DisputeStatus(status_filter)
    except ValueError:
        raise NotFound(f"No dispute status {status_filter[:20]!r}.") from None


@api.get("/admin/disputes", response_model=DisputePageOut)
async def list_disputes(
    _admin: ApiAdmin,
    session: DbSession,
    status_filter: Annotated[str | None, Query(alias="status", max_length=20)] = DisputeStatus.OPEN,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> DisputePageOut:
    """Disputes, oldest first; ``status`` is open (default), withdrawn, resolved or all."""
    results = await dispute_service.page(session, _dispute_status(status_filter), page)
    return DisputePageOut(
        items=[DisputeOut.model_validate(d) for d in results.items],
        page=results.page,
        pages=results.pages,
        total=results.total,
    )


@api.post("/admin/disputes/{dispute_id}/resolve", response_model=DisputeOut)
async def resolve_dispute(
    dispute_id: DisputeId, body: DisputeResolutionIn, admin: ApiAdmin, session: DbSession
) -> DisputeOut:
    """Split the escrow: ``refund_amount`` back to the buyer, the rest to the freelancer less
    the platform fee, in one ledger transaction."""
    dispute = await dispute_service.resolve(
        session, admin, dispute_id, body.refund_amount, body.note
    )
    return DisputeOut.model_validate(dispute)


# ---- pages ---------------------------------------------------------------------------------


@pages.post("/orders/checkout")
async def checkout_page(request: Request, session: DbSession, user: PageUser) -> Response:
    """The summary step between a gig's order form and paying: nothing is charged here."""
    data = await form_data(request)
    try:
        body = validate(OrderIn, _order_fields(data))
        summary = await checkout_summary(session, user, body)
    except (FormErrors, DomainError) as exc:
        return _order_not_placed(request, session, exc, data.get("gig_id"))
    return render(
        request,
        "checkout.html",
        {"summary": summary, "body": body, "key": form_idempotency_key(data)},
    )


def _order_fields(data: dict[str, Any]) -> dict[str, object]:
    return {
        "gig_id": data.get("gig_id", ""),
        "package": data.get("package", ""),
        "kind": data.get("kind", OrderKind.HUMAN),
        "brief": data.get("brief", ""),
        "card_number": data.get("card_number") or None,
    }


def _order_not_placed(
    request: Request, session: DbSession, exc: FormErrors | DomainError, gig_id: object
) -> Response:
    message = "; ".join(exc.errors.values()) if isinstance(exc, FormErrors) else exc.detail
    status_code = exc.status_code if isinstance(exc, DomainError) else 422
    mark_rollback_only(session)
    # The way back names the gig by its public id, whatever the form sent: a value that names
    # no gig gets no link (and is never echoed into one).
    gig_row = row_id("gig", gig_id) if isinstance(gig_id, str) else None
    return render(
        request,
        "order_error.html",
        {"message": message, "gig_id": gig_row or None},
        status_code=status_code,
    )


@pages.post("/orders")
@writes_own_units
async def place_order_page(
    request: Request,
    session: DbSession,
    sessionmaker: SessionMaker,
    storage: Storage,
    user: PageUser,
) -> Response:
    data = await form_data(request)
    key = form_idempotency_key(data)
    try:
        body = validate(OrderIn, _order_fields(data))
        order_id = await checkout(session, sessionmaker, storage, user, body, key)
    except (FormErrors, DomainError) as exc:
        return _order_not_placed(request, session, exc, data.get("gig_id"))
    return RedirectResponse(f"/orders/{public_id('order', order_id)}?placed=1", status_code=303)


async def _order_context(session: DbSession, user: User, order_id: int) -> dict[str, object]:
    order = await order_service.for_party(session, user, order_id)
    deliveries = await order_service.deliveries(session, order)
    drafts = [delivery for delivery in deliveries if delivery.is_draft]
    return {
        "order": order,
        "summary": await order_summary(session, order, user),
        # The model's files (designs): the AI work itself, or the draft a freelancer refines.
        "model_files": (
            await generation_service.files_of(session, order.generation_id)
            if order.generation_id
            else []
        ),
        # A hybrid order's AI draft is where the freelancer's delivery starts.
        "ai_draft": drafts[-1] if drafts and len(drafts) == len(deliveries) else None,
        "requirements_question": await order_service.requirements_question(session, order),
        "role": "buyer" if order.buyer_user_id == user.id else "freelancer",
        "deliveries": deliveries,
        "review": await order_service.review_of(session, order),
        "dispute": await dispute_service.latest_of(session, order),
        "max_files": get_settings().delivery_max_files,
        "max_file_bytes": get_settings().delivery_file_max_bytes,
        "values": {},
        "errors": {},
    }


@pages.get("/orders/{order_id}")
async def order_page(
    request: Request, order_id: OrderId, session: DbSession, user: PageUser
) -> Response:
    return render(request, "order.html", await _order_context(session, user, order_id))


@pages.get("/orders/{order_id}/files/{file_id}")
async def download_file_page(
    order_id: OrderId, file_id: FileId, session: DbSession, storage: Storage, user: PageUser
) -> Response:
    return await file_response(session, storage, user, order_id, file_id)


async def uploaded_files(request: Request) -> list[Attachment]:
    form = await request.form()
    limit = get_settings().delivery_file_max_bytes
    files = []
    for upload in form.getlist("files"):
        if isinstance(upload, UploadFile) and upload.filename:
            # One byte over the limit is enough to refuse it with the file's size.
            files.append(
                Attachment(upload.filename, upload.content_type, await upload.read(limit + 1))
            )
    return files


@pages.post("/orders/{order_id}/{action}")
async def order_action(
    request: Request,
    order_id: OrderId,
    action: str,
    session: DbSession,
    storage: Storage,
    user: PageUser,
) -> Response:
    data = await form_data(request)
    try:
        if action == "requirements":
            answer = validate(RequirementsIn, {"requirements": data.get("requirements", "")})
            await order_service.submit_requirements(session, user, order_id, answer.requirements)
        elif action == "deliver":
            text = validate(DeliveryIn, {"text": data.get("text", "")}).text
            attachments = await uploaded_files(request)
            await order_service.deliver(session, user, order_id, text, attachments, storage)
        elif action == "accept":
            await order_service.accept(session, user, order_id)
        elif action == "revise":
            message = validate(RevisionIn, {"message": data.get("message", "")}).message
            await order_service.request_revision(session, user, order_id, message)
        elif action == "cancel":
            await order_service.cancel(session, user, order_id)
        elif action == "dispute":
            reason = validate(DisputeIn, {"reason": data.get("reason", "")}).reason
            await dispute_service.open(session, user, order_id, reason)
        elif action == "dispute-response":
            response = validate(DisputeResponseIn, {"response": data.get("response", "")})
            await dispute_service.respond(session, user, order_id, response.response)
        elif action == "dispute-withdraw":
            await dispute_service.withdraw(session, user, order_id)
        elif action == "review":
            review_in = validate(
                ReviewIn, {"rating": data.get("rating", ""), "text": data.get("text", "")}
            )
            await order_service.review(session, user, order_id, review_in)
        else:
            raise NotFound("No such action.")
    except (FormErrors, DomainError) as exc:
        errors = exc.errors if isinstance(exc, FormErrors) else domain_errors(exc)
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        mark_rollback_only(session)
        context = await _order_context(session, user, order_id)
        return form_error(request, session, "order.html", data, errors, status_code, context)
    return RedirectResponse(
        f"/orders/{public_id('order', order_id)}?done={action}", status_code=303
    )


@pages.get("/dashboard/orders")
async def orders_page(
    request: Request,
    session: DbSession,
    user: PageUser,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    return render(
        request,
        "orders.html",
        {"results": await order_service.page(session, user, page), "user_id": user.id},
    )


# ---- admin: disputes -----------------------------------------------------------------------


@pages.get("/admin/disputes")
async def disputes_page(
    request: Request,
    session: DbSession,
    _admin: PageAdmin,
    status_filter: Annotated[str | None, Query(alias="status", max_length=20)] = DisputeStatus.OPEN,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    results = await dispute_service.page(session, _dispute_status(status_filter), page)
    orders = await dispute_service.orders_of(session, results.items)
    return render(
        request,
        "disputes.html",
        {
            "results": results,
            "orders": orders,
            "status_filter": status_filter or "all",
            "statuses": (
                DisputeStatus.OPEN,
                DisputeStatus.RESOLVED,
                DisputeStatus.WITHDRAWN,
                "all",
            ),
        },
    )


async def _dispute_context(session: DbSession, dispute_id: int) -> dict[str, object]:
    dispute = await dispute_service.get(session, dispute_id)
    order = (await dispute_service.orders_of(session, [dispute]))[dispute.order_id]
    buyer, freelancer = await order_service.parties(session, order)
    return {
        "dispute": dispute,
        "order": order,
        "buyer": buyer,
        "freelancer": freelancer,
        "deliveries": await order_service.deliveries(session, order),
        "values": {},
        "errors": {},
    }


@pages.get("/admin/disputes/{dispute_id}")
async def dispute_page(
    request: Request, dispute_id: DisputeId, session: DbSession, _admin: PageAdmin
) -> Response:
    return render(request, "dispute.html", await _dispute_context(session, dispute_id))


@pages.get("/admin/disputes/{dispute_id}/files/{file_id}")
async def dispute_file(
    dispute_id: DisputeId, file_id: FileId, session: DbSession, storage: Storage, _admin: PageAdmin
) -> Response:
    """A file delivered on a disputed order, for the admin weighing it."""
    return await download(
        storage, await dispute_service.delivered_file(session, dispute_id, file_id)
    )


@pages.post("/admin/disputes/{dispute_id}/resolve")
async def resolve_dispute_page(
    request: Request, dispute_id: DisputeId, session: DbSession, admin: PageAdmin
) -> Response:
    data = await form_data(request)
    try:
        try:
            refund = parse_dollars(str(data.get("refund", "")))
        except ValueError as exc:
            raise FormErrors({"refund": str(exc)}) from exc
        if refund is None:
            raise FormErrors({"refund": "Enter the refund, 0 to pay the freelancer in full."})
        body = validate(
            DisputeResolutionIn, {"refund_amount": refund, "note": data.get("note", "")}
        )
        await dispute_service.resolve(session, admin, dispute_id, body.refund_amount, body.note)
    except (FormErrors, DomainError) as exc:
        errors = exc.errors if isinstance(exc, FormErrors) else domain_errors(exc)
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        mark_rollback_only(session)
        context = await _dispute_context(session, dispute_id)
        return form_error(request, session, "dispute.html", data, errors, status_code, context)
    target = f"/admin/disputes/{public_id('dispute', dispute_id)}?done=1"
    return RedirectResponse(target, status_code=303)
