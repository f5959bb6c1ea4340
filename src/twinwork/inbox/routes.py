from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from twinwork.account.models import User
from twinwork.config import get_settings
from twinwork.inbox.files import ACCEPTED, Upload
from twinwork.inbox.models import (
    REPORT_REASON_LABELS,
    Attachment,
    Message,
    Offer,
    ReportStatus,
)
from twinwork.inbox.offer_checkout import OfferCheckout, accept_offer, offer_checkout_summary
from twinwork.inbox.report import ReportView, report_service
from twinwork.inbox.schemas import (
    AdminReportOut,
    AttachmentOut,
    ConversationIn,
    ConversationOut,
    ConversationPageOut,
    ConversationSummaryOut,
    FileIn,
    HandoverOut,
    MessageIn,
    MessageOut,
    OfferAcceptIn,
    OfferIn,
    OfferOut,
    PartyOut,
    ReportIn,
    ReportOut,
    ReportPageOut,
    ReportResolutionIn,
    SubjectOut,
)
from twinwork.inbox.sending import send_message, start_conversation
from twinwork.inbox.service import ConversationView, Thread, inbox_service
from twinwork.kit.db import mark_rollback_only, utcnow
from twinwork.kit.encoding import decode_base64
from twinwork.kit.errors import DomainError, NotFound, ValidationFailed
from twinwork.kit.money import parse_dollars
from twinwork.kit.pagination import MAX_PAGE
from twinwork.kit.public_ids import (
    AttachmentId,
    ConversationId,
    GigId,
    OfferId,
    OrderId,
    ReportId,
    public_id,
    row_id,
)
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
    writes_on_get,
    writes_own_units,
)
from twinwork.web.downloads import attachment_response
from twinwork.web.forms import FormErrors, domain_errors, form_data, form_idempotency_key, validate
from twinwork.web.templating import render

api = APIRouter(prefix="/api/v1", tags=["inbox"])
pages = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)

Page = Annotated[int, Query(ge=1, le=MAX_PAGE)]


# ---- shaping answers -------------------------------------------------------------------------


def offer_out(offer: Offer) -> OfferOut:
    return OfferOut(
        id=offer.id,
        conversation_id=offer.conversation_id,
        description=offer.description,
        price_amount=offer.price_amount,
        currency=offer.currency,
        delivery_days=offer.delivery_days,
        revisions=offer.revisions,
        kind=offer.kind,
        status=offer.state(utcnow()),
        expires_at=offer.expires_at,
        order_id=offer.order_id,
        created_at=offer.created_at,
    )


def message_out(message: Message, offers: dict[int, Offer]) -> MessageOut:
    offer = offers.get(message.offer_id) if message.offer_id is not None else None
    return MessageOut(
        id=message.id,
        author_kind=message.author_kind,
        author_name=message.author_name,
        text=message.text,
        created_at=message.created_at,
        attachments=[AttachmentOut.model_validate(a) for a in message.attachments],
        offer=offer_out(offer) if offer is not None else None,
    )


def summary_out(view: ConversationView) -> dict[str, Any]:
    conversation = view.conversation
    handed_over = conversation.handover_reason is not None or conversation.handed_over_at
    return {
        "id": conversation.id,
        "role": view.role,
        "buyer": PartyOut(id=view.buyer.id, display_name=view.buyer.display_name),
        "freelancer": PartyOut(
            id=view.freelancer.id,
            display_name=view.freelancer.display_name,
            handle=view.freelancer_handle,
        ),
        "subject": SubjectOut(
            kind=view.subject_kind,
            gig_id=conversation.gig_id,
            order_id=conversation.order_id,
            title=view.subject_title,
        ),
        "assistant_state": conversation.assistant_state,
        "handover": (
            HandoverOut(
                reason=conversation.handover_reason,
                summary=conversation.handover_summary,
                at=conversation.handed_over_at,
                answered_at=conversation.handover_answered_at,
            )
            if handed_over
            else None
        ),
        "unread": view.unread,
        "last_message_at": conversation.last_message_at,
        "created_at": conversation.created_at,
    }


def thread_out(thread: Thread) -> ConversationOut:
    return ConversationOut(
        **summary_out(thread.view),
        messages=[message_out(m, thread.offers) for m in thread.messages.items],
        page=thread.messages.page,
        pages=thread.messages.pages,
        total_messages=thread.messages.total,
    )


def decode_file(item: FileIn) -> Upload:
    message = f"{item.name[:60]!r} is not valid base64."
    return Upload(item.name, decode_base64(item.content_base64, field="files", message=message))


def download(storage_data: bytes, item: Attachment) -> Response:
    return attachment_response(storage_data, item.name, item.content_type)


# ---- API -------------------------------------------------------------------------------------


@api.get("/conversations", response_model=ConversationPageOut)
async def list_conversations(
    user: ApiUser, session: DbSession, page: Page = 1
) -> ConversationPageOut:
    """Your conversations, as buyer and as freelancer, the latest message first, with the
    number of messages you have not read in each."""
    results = await inbox_service.page(session, user, page)
    return ConversationPageOut(
        items=[ConversationSummaryOut(**summary_out(view)) for view in results.items],
        page=results.page,
        pages=results.pages,
        total=results.total,
        unread=await inbox_service.unread_total(session, user),
    )


@api.post("/conversations", response_model=ConversationOut, status_code=status.HTTP_201_CREATED)
@writes_own_units
async def start(
    body: ConversationIn,
    user: ApiUser,
    session: DbSession,
    sessionmaker: SessionMaker,
    storage: Storage,
) -> ConversationOut:
    """Write to a freelancer (``freelancer_handle``), about a gig (``gig_id``) or about an
    order (``order_id``, either party). There is one conversation per buyer, freelancer and
    subject: writing again adds to it. The answer holds the newest messages, the
    assistant's reply among them when it answered."""
    conversation_id, _ = await start_conversation(
        session,
        sessionmaker,
        storage,
        user,
        body.text,
        [decode_file(f) for f in body.files],
        freelancer_handle=body.freelancer_handle,
        gig_id=body.gig_id,
        order_id=body.order_id,
    )
    return thread_out(await inbox_service.thread(session, user, conversation_id))


@api.get("/conversations/{conversation_id}", response_model=ConversationOut)
@writes_on_get
async def get_conversation(
    conversation_id: ConversationId, user: ApiUser, session: DbSession, page: Page = 1
) -> ConversationOut:
    """One page of messages, oldest first; page 1 holds the newest, and reading it marks the
    conversation read."""
    return thread_out(await inbox_service.thread(session, user, conversation_id, page))


@api.post(
    "/conversations/{conversation_id}/messages",
    response_model=ConversationOut,
    status_code=status.HTTP_201_CREATED,
)
@writes_own_units
async def post_message(
    conversation_id: ConversationId,
    body: MessageIn,
    user: ApiUser,
    session: DbSession,
    sessionmaker: SessionMaker,
    storage: Storage,
) -> ConversationOut:
    """Write ``text``, with ``files`` as ``[{name, content_base64}]`` (up to 5, 10 MB each
    by default; PNG, JPEG, WebP, PDF, plain text, MP3 or WAV, judged by their content)."""
    uploads = [decode_file(f) for f in body.files]
    await send_message(session, sessionmaker, storage, user, conversation_id, body.text, uploads)
    return thread_out(await inbox_service.thread(session, user, conversation_id))


@api.get("/conversations/{conversation_id}/attachments/{attachment_id}")
async def get_attachment(
    conversation_id: ConversationId,
    attachment_id: AttachmentId,
    user: ApiUser,
    session: DbSession,
    storage: Storage,
) -> Response:
    """A file sent in the conversation, always as a download."""
    item = await inbox_service.attachment(session, user, conversation_id, attachment_id)
    return download(await storage.get(item.storage_key), item)


@api.post(
    "/conversations/{conversation_id}/offers",
    response_model=OfferOut,
    status_code=status.HTTP_201_CREATED,
)
async def make_offer(
    conversation_id: ConversationId, body: OfferIn, user: ApiUser, session: DbSession
) -> OfferOut:
    """The freelancer offers custom work: what, the price in cents, delivery days, revisions
    and how it is made (human, ai, hybrid). It expires after ``expires_in_days`` (7)."""
    return offer_out(await inbox_service.make_offer(session, user, conversation_id, body))


@api.post("/conversations/{conversation_id}/offers/{offer_id}/accept", response_model=OfferOut)
@writes_own_units
async def accept_offer_api(
    conversation_id: ConversationId,
    offer_id: OfferId,
    user: ApiUser,
    session: DbSession,
    sessionmaker: SessionMaker,
    request_key: IdempotencyKey = None,
    body: OfferAcceptIn | None = None,
) -> OfferOut:
    """The buyer accepts: an order on the offer's terms, its price paid into escrow like any
    package order (``order_id`` in the answer): from the wallet, or with ``card_number`` a
    card pays what the wallet lacks (402 if it is short and no card is given). An offer
    becomes one order at most and is charged once; a retry with the same Idempotency-Key
    returns it, another request meanwhile answers 409."""
    card_number = body.card_number if body is not None else None
    await accept_offer(
        session, sessionmaker, user, conversation_id, offer_id, request_key, card_number
    )
    return offer_out(await inbox_service.offer(session, user, conversation_id, offer_id))


@api.post("/conversations/{conversation_id}/offers/{offer_id}/withdraw", response_model=OfferOut)
async def withdraw_offer(
    conversation_id: ConversationId, offer_id: OfferId, user: ApiUser, session: DbSession
) -> OfferOut:
    return offer_out(
        await inbox_service.close_offer(session, user, conversation_id, offer_id, "withdraw")
    )


@api.post("/conversations/{conversation_id}/offers/{offer_id}/decline", response_model=OfferOut)
async def decline_offer(
    conversation_id: ConversationId, offer_id: OfferId, user: ApiUser, session: DbSession
) -> OfferOut:
    return offer_out(
        await inbox_service.close_offer(session, user, conversation_id, offer_id, "decline")
    )


@api.post(
    "/conversations/{conversation_id}/reports",
    response_model=ReportOut,
    status_code=status.HTTP_201_CREATED,
)
async def report_conversation(
    conversation_id: ConversationId, body: ReportIn, user: ApiUser, session: DbSession
) -> ReportOut:
    """Report the conversation to the operators (either party): ``reason`` from a fixed list
    and a ``note``. While it is open an operator may read the conversation (never write in
    it); one open report per person and conversation (409 for a second)."""
    report = await report_service.report(session, user, conversation_id, body.reason, body.note)
    return ReportOut.model_validate(report)


def admin_report_out(view: ReportView) -> AdminReportOut:
    # dict(), not model_dump(): the fields stay row ids until the answer is written.
    return AdminReportOut(
        **dict(ReportOut.model_validate(view.report)),
        reporter=PartyOut(id=view.reporter.id, display_name=view.reporter.display_name),
        buyer=PartyOut(id=view.buyer.id, display_name=view.buyer.display_name),
        freelancer=PartyOut(id=view.freelancer.id, display_name=view.freelancer.display_name),
        resolution=view.report.resolution,
    )


def _report_status(value: str | None) -> ReportStatus | None:
    if value in (None, "", "all"):
        return None
    try:
        return ReportStatus(value)
    except ValueError:
        raise NotFound(f"No report status {str(value)[:20]!r}: open, resolved or all.") from None


ReportStatusQuery = Annotated[str | None, Query(alias="status", max_length=20)]


@api.get("/admin/reports", response_model=ReportPageOut)
async def list_reports(
    admin: ApiAdmin,
    session: DbSession,
    status_filter: ReportStatusQuery = ReportStatus.OPEN,
    page: Page = 1,
) -> ReportPageOut:
    """Reported conversations, the longest waiting first; ``status`` open (default),
    resolved or all. ``GET /api/v1/conversations/{conversation_id}`` reads one while its
    report is open."""
    results = await report_service.page(session, admin, _report_status(status_filter), page)
    return ReportPageOut(
        items=[admin_report_out(view) for view in results.items],
        page=results.page,
        pages=results.pages,
        total=results.total,
    )


@api.post("/admin/reports/{report_id}/resolve", response_model=ReportOut)
async def resolve_report(
    report_id: ReportId, body: ReportResolutionIn, admin: ApiAdmin, session: DbSession
) -> ReportOut:
    """Close a report with what was done; operators then no longer read the conversation
    (unless another report on it is open, or its order is disputed)."""
    report = await report_service.resolve(session, admin, report_id, body.resolution)
    return ReportOut.model_validate(report)


@api.post("/conversations/{conversation_id}/takeover", response_model=ConversationOut)
async def take_over(
    conversation_id: ConversationId, user: ApiUser, session: DbSession
) -> ConversationOut:
    """The freelancer answers from now on: the assistant stays quiet in this conversation."""
    await inbox_service.take_over(session, user, conversation_id)
    return thread_out(await inbox_service.thread(session, user, conversation_id))


@api.post("/conversations/{conversation_id}/handback", response_model=ConversationOut)
async def hand_back(
    conversation_id: ConversationId, user: ApiUser, session: DbSession
) -> ConversationOut:
    """The freelancer lets the assistant answer again in this conversation."""
    await inbox_service.hand_back(session, user, conversation_id)
    return thread_out(await inbox_service.thread(session, user, conversation_id))


# ---- pages -----------------------------------------------------------------------------------


@pages.get("/inbox")
async def inbox_page(
    request: Request, session: DbSession, user: PageUser, page: Page = 1
) -> Response:
    return render(
        request,
        "inbox.html",
        {
            "results": await inbox_service.page(session, user, page),
            "unread": await inbox_service.unread_total(session, user),
        },
    )


@pages.get("/inbox/new")
async def compose_page(
    request: Request,
    session: DbSession,
    user: PageUser,
    freelancer: Annotated[str | None, Query(max_length=40)] = None,
    gig: Annotated[GigId | None, Query()] = None,
    order: Annotated[OrderId | None, Query()] = None,
) -> Response:
    """The first message to a freelancer (from a gig, a profile or an order); a subject
    written about before opens that conversation instead. ``gig`` and ``order`` are public
    ids (``/inbox/new?gig=<gig's public id>``); one that names nothing answers 404."""
    if freelancer is None and gig is None and order is None:
        return RedirectResponse("/inbox", status_code=303)  # nobody to write to yet
    try:
        found = await inbox_service.existing(
            session, user, freelancer_handle=freelancer or None, gig_id=gig, order_id=order
        )
    except ValidationFailed as exc:
        return render(
            request,
            "compose.html",
            {
                "freelancer": "",
                "gig": None,
                "order": None,
                "values": {},
                "errors": domain_errors(exc),
                "accepted": ACCEPTED,
            },
            status_code=exc.status_code,
        )
    if found is not None:
        return RedirectResponse(thread_url(found.id), status_code=303)
    return render(
        request,
        "compose.html",
        {
            "freelancer": freelancer or "",
            "gig": gig,
            "order": order,
            "values": {},
            "errors": {},
            "accepted": ACCEPTED,
        },
    )


async def uploaded_files(request: Request) -> list[Upload]:
    form = await request.form()
    limit = get_settings().inbox_attachment_max_bytes
    files = []
    for upload in form.getlist("files"):
        if isinstance(upload, UploadFile) and upload.filename:
            # One byte over the limit is enough to refuse it with the file's size.
            files.append(Upload(upload.filename, await upload.read(limit + 1)))
    return files


def thread_url(conversation_id: int, query: str = "") -> str:
    """Where a conversation's page shows its newest message: ``/inbox/<public id>``."""
    return f"/inbox/{public_id('conversation', conversation_id)}{query}#latest"


def _form_id(kind: str, value: Any) -> int | None:
    """A public id from a hidden form field: None when the field is empty, ``NO_ROW`` when
    it names nothing (the lookup that follows then answers 404, as for a missing row)."""
    text = str(value or "").strip()
    return row_id(kind, text) if text else None


@pages.post("/inbox")
@writes_own_units
async def start_page(
    request: Request,
    session: DbSession,
    sessionmaker: SessionMaker,
    storage: Storage,
    user: PageUser,
) -> Response:
    data = await form_data(request)
    gig_id, order_id = _form_id("gig", data.get("gig")), _form_id("order", data.get("order"))
    try:
        body = validate(MessageIn, {"text": data.get("text", "")})
        conversation_id, _ = await start_conversation(
            session,
            sessionmaker,
            storage,
            user,
            body.text,
            await uploaded_files(request),
            freelancer_handle=str(data.get("freelancer") or "") or None,
            gig_id=gig_id,
            order_id=order_id,
        )
    except (FormErrors, DomainError) as exc:
        errors = exc.errors if isinstance(exc, FormErrors) else domain_errors(exc)
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        mark_rollback_only(session)
        context = {
            "freelancer": data.get("freelancer", ""),
            "gig": gig_id,
            "order": order_id,
            "values": data,
            "errors": errors,
            "accepted": ACCEPTED,
        }
        return render(request, "compose.html", context, status_code=status_code)
    return RedirectResponse(thread_url(conversation_id), status_code=303)


async def _thread_context(
    session: DbSession, user: User, conversation_id: int, page: int = 1
) -> dict[str, Any]:
    thread = await inbox_service.thread(session, user, conversation_id, page)
    conversation = thread.view.conversation
    is_admin_reader = thread.view.role == "admin"
    return {
        "thread": thread,
        "view": thread.view,
        "conversation": conversation,
        # A party sees only their own open report; the operator every open one.
        "my_report": (
            None if is_admin_reader else await report_service.mine_open(session, user, conversation)
        ),
        "open_reports": (
            await report_service.open_on(session, user, conversation) if is_admin_reader else []
        ),
        "report_reasons": REPORT_REASON_LABELS,
        "now": utcnow(),
        "accepted": ACCEPTED,
        "max_files": get_settings().inbox_attachment_max_files,
        "max_file_bytes": get_settings().inbox_attachment_max_bytes,
        "values": {},
        "errors": {},
    }


@pages.get("/inbox/orders/{order_id}")
async def order_conversation_page(
    order_id: OrderId, session: DbSession, user: PageUser
) -> Response:
    """The conversation about an order (linked from a disputed order's admin page)."""
    conversation = await inbox_service.about_order(session, user, order_id)
    return RedirectResponse(thread_url(conversation.id), status_code=303)


@pages.get("/inbox/{conversation_id}")
@writes_on_get
async def conversation_page(
    request: Request,
    conversation_id: ConversationId,
    session: DbSession,
    user: PageUser,
    page: Page = 1,
) -> Response:
    return render(
        request, "conversation.html", await _thread_context(session, user, conversation_id, page)
    )


@pages.get("/inbox/{conversation_id}/messages")
@writes_on_get
async def messages_fragment(
    request: Request, conversation_id: ConversationId, session: DbSession, user: PageUser
) -> Response:
    """The newest messages, polled by htmx while the conversation is open."""
    return render(request, "_messages.html", await _thread_context(session, user, conversation_id))


@pages.post("/inbox/{conversation_id}/messages")
@writes_own_units
async def post_message_page(
    request: Request,
    conversation_id: ConversationId,
    session: DbSession,
    sessionmaker: SessionMaker,
    storage: Storage,
    user: PageUser,
) -> Response:
    data = await form_data(request)
    try:
        body = validate(MessageIn, {"text": data.get("text", "")})
        uploads = await uploaded_files(request)
        await send_message(
            session, sessionmaker, storage, user, conversation_id, body.text, uploads
        )
    except (FormErrors, DomainError) as exc:
        return await _thread_error(request, session, user, conversation_id, data, exc)
    return RedirectResponse(thread_url(conversation_id), status_code=303)


async def _thread_error(
    request: Request,
    session: DbSession,
    user: User,
    conversation_id: int,
    data: dict[str, Any],
    exc: FormErrors | DomainError,
) -> Response:
    errors = exc.errors if isinstance(exc, FormErrors) else domain_errors(exc)
    status_code = exc.status_code if isinstance(exc, DomainError) else 422
    mark_rollback_only(session)
    context = await _thread_context(session, user, conversation_id)
    context.update(values=data, errors=errors)
    return render(request, "conversation.html", context, status_code=status_code)


@pages.get("/inbox/{conversation_id}/attachments/{attachment_id}")
async def attachment_page(
    conversation_id: ConversationId,
    attachment_id: AttachmentId,
    session: DbSession,
    storage: Storage,
    user: PageUser,
) -> Response:
    item = await inbox_service.attachment(session, user, conversation_id, attachment_id)
    return download(await storage.get(item.storage_key), item)


@pages.post("/inbox/{conversation_id}/offers")
async def make_offer_page(
    request: Request, conversation_id: ConversationId, session: DbSession, user: PageUser
) -> Response:
    data = await form_data(request)
    try:
        try:
            price = parse_dollars(str(data.get("price", "")))
        except ValueError as exc:
            raise FormErrors({"price": str(exc)}) from exc
        body = validate(
            OfferIn,
            {
                "description": data.get("description", ""),
                "price_amount": price if price is not None else "",
                "delivery_days": data.get("delivery_days", ""),
                "revisions": data.get("revisions", ""),
                "kind": data.get("kind", "human"),
                "expires_in_days": data.get("expires_in_days") or None,
            },
        )
        await inbox_service.make_offer(session, user, conversation_id, body)
    except (FormErrors, DomainError) as exc:
        return await _thread_error(request, session, user, conversation_id, data, exc)
    return RedirectResponse(thread_url(conversation_id, "?done=offer"), status_code=303)


@pages.get("/inbox/{conversation_id}/offers/{offer_id}/checkout")
async def offer_checkout_page(
    request: Request,
    conversation_id: ConversationId,
    offer_id: OfferId,
    session: DbSession,
    user: PageUser,
) -> Response:
    """The summary step between an offer and paying, as for a package: nothing is charged."""
    try:
        summary = await offer_checkout_summary(session, user, conversation_id, offer_id)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise  # a stranger's or a missing offer: the 404 of an id that does not exist
        return await _thread_error(request, session, user, conversation_id, {}, exc)
    return _offer_checkout(request, summary, _checkout_key())


def _checkout_key() -> str:
    """A fresh key for the checkout form: the accepted offer keeps it (``accept_key``), so
    the offer need not be named in it."""
    return f"offer-{uuid.uuid4().hex}"


def _offer_checkout(
    request: Request,
    summary: OfferCheckout,
    key: str | None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "offer_checkout.html",
        {"summary": summary, "key": key, "errors": errors or {}},
        status_code=status_code,
    )


@pages.post("/inbox/{conversation_id}/offers/{offer_id}/accept")
@writes_own_units
async def accept_offer_page(
    request: Request,
    conversation_id: ConversationId,
    offer_id: OfferId,
    session: DbSession,
    sessionmaker: SessionMaker,
    user: PageUser,
) -> Response:
    data = await form_data(request)
    key = form_idempotency_key(data)
    try:
        body = validate(OfferAcceptIn, {"card_number": data.get("card_number") or None})
        await accept_offer(
            session, sessionmaker, user, conversation_id, offer_id, key, body.card_number
        )
        offer = await inbox_service.offer(session, user, conversation_id, offer_id)
    except (FormErrors, DomainError) as exc:
        mark_rollback_only(session)
        errors = exc.errors if isinstance(exc, FormErrors) else domain_errors(exc)
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        try:
            # The summary again, with what went wrong and a new key: what is sent from it
            # (another card, say) is a new request; the failed one let go of the offer. An
            # offer that can no longer be paid shows the thread.
            summary = await offer_checkout_summary(session, user, conversation_id, offer_id)
        except DomainError as gone:
            return await _thread_error(request, session, user, conversation_id, data, gone)
        return _offer_checkout(request, summary, _checkout_key(), errors, status_code)
    assert offer.order_id is not None  # accepted: it has its order
    placed = f"/orders/{public_id('order', offer.order_id)}?placed=1"
    return RedirectResponse(placed, status_code=303)


@pages.post("/inbox/{conversation_id}/offers/{offer_id}/withdraw")
async def withdraw_offer_page(
    request: Request,
    conversation_id: ConversationId,
    offer_id: OfferId,
    session: DbSession,
    user: PageUser,
) -> Response:
    return await _close_offer(request, session, user, conversation_id, offer_id, "withdraw")


@pages.post("/inbox/{conversation_id}/offers/{offer_id}/decline")
async def decline_offer_page(
    request: Request,
    conversation_id: ConversationId,
    offer_id: OfferId,
    session: DbSession,
    user: PageUser,
) -> Response:
    return await _close_offer(request, session, user, conversation_id, offer_id, "decline")


async def _close_offer(
    request: Request,
    session: DbSession,
    user: User,
    conversation_id: int,
    offer_id: int,
    action: str,
) -> Response:
    data = await form_data(request)
    try:
        await inbox_service.close_offer(session, user, conversation_id, offer_id, action)
    except DomainError as exc:
        return await _thread_error(request, session, user, conversation_id, data, exc)
    return RedirectResponse(thread_url(conversation_id, f"?done={action}"), status_code=303)


@pages.post("/inbox/{conversation_id}/report")
async def report_page(
    request: Request, conversation_id: ConversationId, session: DbSession, user: PageUser
) -> Response:
    data = await form_data(request)
    try:
        body = validate(ReportIn, {"reason": data.get("reason", ""), "note": data.get("note", "")})
        await report_service.report(session, user, conversation_id, body.reason, body.note)
    except (FormErrors, DomainError) as exc:
        return await _thread_error(request, session, user, conversation_id, data, exc)
    return RedirectResponse(thread_url(conversation_id, "?done=report"), status_code=303)


@pages.get("/admin/reports")
async def reports_page(
    request: Request,
    session: DbSession,
    admin: PageAdmin,
    status_filter: ReportStatusQuery = ReportStatus.OPEN,
    page: Page = 1,
) -> Response:
    chosen = _report_status(status_filter)
    return render(
        request,
        "reports.html",
        {
            "results": await report_service.page(session, admin, chosen, page),
            "status_filter": chosen.value if chosen is not None else "all",
            "statuses": (ReportStatus.OPEN.value, ReportStatus.RESOLVED.value, "all"),
            "report_reasons": REPORT_REASON_LABELS,
        },
    )


@pages.post("/admin/reports/{report_id}/resolve")
async def resolve_report_page(
    request: Request, report_id: ReportId, session: DbSession, admin: PageAdmin
) -> Response:
    data = await form_data(request)
    back = _form_id("conversation", data.get("conversation_id"))
    try:
        body = validate(ReportResolutionIn, {"resolution": data.get("resolution", "")})
        await report_service.resolve(session, admin, report_id, body.resolution)
    except (FormErrors, DomainError) as exc:
        mark_rollback_only(session)
        message = "; ".join(exc.errors.values()) if isinstance(exc, FormErrors) else exc.detail
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        return render(
            request,
            "reports.html",
            {
                "results": await report_service.page(session, admin, ReportStatus.OPEN, 1),
                "status_filter": ReportStatus.OPEN.value,
                "statuses": (ReportStatus.OPEN.value, ReportStatus.RESOLVED.value, "all"),
                "report_reasons": REPORT_REASON_LABELS,
                "error": message,
                "failed_report": report_id,
                "failed_conversation": back,
            },
            status_code=status_code,
        )
    return RedirectResponse("/admin/reports?done=resolved", status_code=303)


@pages.post("/inbox/{conversation_id}/takeover")
async def take_over_page(
    request: Request, conversation_id: ConversationId, session: DbSession, user: PageUser
) -> Response:
    data = await form_data(request)
    try:
        await inbox_service.take_over(session, user, conversation_id)
    except DomainError as exc:
        return await _thread_error(request, session, user, conversation_id, data, exc)
    return RedirectResponse(thread_url(conversation_id, "?done=takeover"), status_code=303)


@pages.post("/inbox/{conversation_id}/handback")
async def hand_back_page(
    request: Request, conversation_id: ConversationId, session: DbSession, user: PageUser
) -> Response:
    data = await form_data(request)
    try:
        await inbox_service.hand_back(session, user, conversation_id)
    except DomainError as exc:
        return await _thread_error(request, session, user, conversation_id, data, exc)
    return RedirectResponse(thread_url(conversation_id, "?done=handback"), status_code=303)
