"""The assistant's API and pages: settings (with the FAQ), FAQ entries one by one, handovers
to read and requirement drafts to confirm."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import RedirectResponse, Response

from twinwork.account.models import User
from twinwork.assistant.models import REASON_LABELS, FaqEntry, Handover, RequirementDraft
from twinwork.assistant.schemas import (
    DAY_NAMES,
    LANGUAGES,
    DraftOut,
    FaqIn,
    FaqOut,
    FaqPageOut,
    FaqSuggestionOut,
    HandoverOut,
    HandoverPageOut,
    SettingsIn,
    SettingsOut,
)
from twinwork.assistant.service import assistant_service
from twinwork.assistant.tasks import reindex_knowledge
from twinwork.kit.errors import DomainError
from twinwork.kit.jobs import enqueue_after_commit
from twinwork.kit.pagination import MAX_PAGE
from twinwork.kit.public_ids import DraftId, FaqId, HandoverId
from twinwork.program.errors import ProgramRequired
from twinwork.web.deps import (
    PAGE_DEPENDENCIES,
    ApiUser,
    DbSession,
    PageFreelancer,
    page_freelancer,
)
from twinwork.web.forms import FormErrors, as_list, domain_errors, form_data, form_error, validate
from twinwork.web.templating import render

api = APIRouter(
    prefix="/api/v1/assistant",
    tags=["assistant"],
    # The assistant is part of the creation program (assistant.service: ProgramRequired).
    responses={402: {"description": "Creation program membership required."}},
)
pages = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)

PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE)]


def faq_out(entry: FaqEntry) -> FaqOut:
    return FaqOut(id=entry.id, q=entry.question, a=entry.answer, updated_at=entry.updated_at)


def handover_out(handover: Handover) -> HandoverOut:
    return HandoverOut(
        id=handover.id,
        conversation_id=handover.conversation_id,
        reason=handover.reason.value,
        reason_label=REASON_LABELS[handover.reason],
        summary=handover.summary,
        details=handover.details,
        status=handover.status.value,
        created_at=handover.created_at,
        follow_up_sent_at=handover.follow_up_sent_at,
    )


def draft_out(draft: RequirementDraft) -> DraftOut:
    return DraftOut(
        id=draft.id,
        conversation_id=draft.conversation_id,
        gig_id=draft.gig_id,
        package_name=draft.package_name,
        requirements=draft.requirements,
        status=draft.status.value,
        created_at=draft.created_at,
        confirmed_at=draft.confirmed_at,
    )


# ---- API ---------------------------------------------------------------------------------------


@api.get("/settings", response_model=SettingsOut)
async def get_settings(user: ApiUser, session: DbSession) -> SettingsOut:
    """Your assistant's settings and FAQ (creation-program members; off until you switch it
    on)."""
    return await assistant_service.view(session, user)


@api.patch("/settings", response_model=SettingsOut)
async def patch_settings(body: SettingsIn, user: ApiUser, session: DbSession) -> SettingsOut:
    """Change what you send; ``faq`` replaces the whole FAQ. The assistant's knowledge is
    re-indexed after the change."""
    await assistant_service.update(session, user, body)
    enqueue_after_commit(session, reindex_knowledge, user.id)
    return await assistant_service.view(session, user)


@api.get("/faq", response_model=FaqPageOut)
async def list_faq(user: ApiUser, session: DbSession, page: PageNumber = 1) -> FaqPageOut:
    results = await assistant_service.faq_page(session, user, page)
    return FaqPageOut(
        items=[faq_out(e) for e in results.items],
        page=results.page,
        pages=results.pages,
        total=results.total,
    )


@api.post("/faq", response_model=FaqOut, status_code=status.HTTP_201_CREATED)
async def add_faq(body: FaqIn, user: ApiUser, session: DbSession) -> FaqOut:
    entry = await assistant_service.add_faq(session, user, body)
    enqueue_after_commit(session, reindex_knowledge, user.id)
    return faq_out(entry)


@api.put("/faq/{entry_id}", response_model=FaqOut)
async def put_faq(entry_id: FaqId, body: FaqIn, user: ApiUser, session: DbSession) -> FaqOut:
    entry = await assistant_service.update_faq(session, user, entry_id, body)
    enqueue_after_commit(session, reindex_knowledge, user.id)
    return faq_out(entry)


@api.delete("/faq/{entry_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_faq(entry_id: FaqId, user: ApiUser, session: DbSession) -> Response:
    await assistant_service.delete_faq(session, user, entry_id)
    enqueue_after_commit(session, reindex_knowledge, user.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@api.get("/faq-suggestions", response_model=list[FaqSuggestionOut])
async def faq_suggestions(user: ApiUser, session: DbSession) -> list[FaqSuggestionOut]:
    """Questions your assistant handed to you for lack of an answer, each with the reply you
    wrote: accept one (or edit it first) with POST /faq-suggestions/{handover_id}."""
    return [
        FaqSuggestionOut(handover_id=s.handover_id, q=s.question, a=s.answer)
        for s in await assistant_service.faq_suggestions(session, user)
    ]


@api.post(
    "/faq-suggestions/{handover_id}",
    response_model=FaqOut,
    status_code=status.HTTP_201_CREATED,
)
async def accept_faq_suggestion(
    handover_id: HandoverId, body: FaqIn, user: ApiUser, session: DbSession
) -> FaqOut:
    entry = await assistant_service.accept_suggestion(session, user, handover_id, body)
    enqueue_after_commit(session, reindex_knowledge, user.id)
    return faq_out(entry)


@api.get("/handovers", response_model=HandoverPageOut)
async def list_handovers(
    user: ApiUser,
    session: DbSession,
    page: PageNumber = 1,
    which: Annotated[Literal["open", "all"], Query(alias="status")] = "open",
) -> HandoverPageOut:
    """Conversations your assistant handed to you, newest first, with the reason and a
    summary (what the client wants, budget, deadline, open questions)."""
    results = await assistant_service.handovers(session, user, page, open_only=which == "open")
    return HandoverPageOut(
        items=[handover_out(h) for h in results.items],
        page=results.page,
        pages=results.pages,
        total=results.total,
    )


@api.get("/drafts", response_model=list[DraftOut])
async def list_drafts(user: ApiUser, session: DbSession) -> list[DraftOut]:
    """Requirements your assistant gathered, waiting for your one-click confirmation."""
    return [draft_out(d) for d in await assistant_service.drafts(session, user)]


@api.post("/drafts/{draft_id}/confirm", response_model=DraftOut)
async def confirm_draft(draft_id: DraftId, user: ApiUser, session: DbSession) -> DraftOut:
    """Send the client the confirmed brief and the package to order."""
    return draft_out(await assistant_service.confirm_draft(session, user, draft_id))


@api.post("/drafts/{draft_id}/dismiss", response_model=DraftOut)
async def dismiss_draft(draft_id: DraftId, user: ApiUser, session: DbSession) -> DraftOut:
    return draft_out(await assistant_service.dismiss_draft(session, user, draft_id))


# ---- pages ---------------------------------------------------------------------------------------


async def _page_context(session: DbSession, user: User, page: int = 1) -> dict[str, Any]:
    try:
        settings = await assistant_service.view(session, user)
    except ProgramRequired as exc:
        return {"member": False, "join_message": exc.detail, "values": {}, "errors": {}}
    return {
        "member": True,
        "settings": settings,
        "faq": await assistant_service.faq_page(session, user, page),
        "handovers": await assistant_service.handovers(session, user, 1),
        "drafts": await assistant_service.drafts(session, user),
        "suggestions": await assistant_service.faq_suggestions(session, user),
        "reason_labels": REASON_LABELS,
        "day_names": DAY_NAMES,
        "languages": LANGUAGES,
        "values": _settings_values(settings),
        "errors": {},
    }


def _settings_values(settings: SettingsOut) -> dict[str, Any]:
    return {
        "enabled": settings.enabled,
        "name": settings.name,
        "new_clients_only": settings.new_clients_only,
        "timezone": settings.availability.timezone,
        "days": settings.availability.days,
        "start": settings.availability.start,
        "end": settings.availability.end,
        "out_of_office_until": settings.out_of_office_until.isoformat()
        if settings.out_of_office_until
        else "",
        "out_of_office_mode": settings.out_of_office_mode,
        "handover_keywords": ", ".join(settings.handover_keywords),
        "languages": settings.languages,
        "never": settings.never,
        "follow_up_hours": settings.follow_up_hours,
        "quiet_hours": settings.quiet_hours,
    }


@pages.get("/dashboard/assistant")
async def assistant_page(
    request: Request, session: DbSession, user: PageFreelancer, page: PageNumber = 1
) -> Response:
    return render(request, "assistant.html", await _page_context(session, user, page))


@pages.get("/dashboard/assistant/handover-count", dependencies=[Depends(page_freelancer)])
async def handover_count(request: Request, session: DbSession, user: PageFreelancer) -> Response:
    """The dashboard's live count of conversations waiting for the freelancer."""
    count = await assistant_service.open_handover_count(session, user)
    return render(request, "_handover_count.html", {"count": count})


def _settings_from_form(data: dict[str, Any]) -> SettingsIn:
    keywords = [w.strip() for w in str(data.get("handover_keywords", "")).split(",")]
    return validate(
        SettingsIn,
        {
            "enabled": data.get("enabled") == "on",
            "name": data.get("name", ""),
            "new_clients_only": data.get("new_clients_only") == "on",
            "availability": {
                "timezone": data.get("timezone", "UTC"),
                "days": as_list(data.get("days")),
                "start": data.get("start", ""),
                "end": data.get("end", ""),
            },
            "out_of_office_until": data.get("out_of_office_until") or None,
            "out_of_office_mode": data.get("out_of_office_mode", "note"),
            "handover_keywords": [w for w in keywords if w],
            "languages": as_list(data.get("languages")) or ["en"],
            "never": data.get("never", ""),
            "follow_up_hours": data.get("follow_up_hours", ""),
            "quiet_hours": data.get("quiet_hours", ""),
        },
    )


async def _form_failed(
    request: Request, session: DbSession, user: User, data: dict[str, Any], exc: Exception
) -> Response:
    errors = exc.errors if isinstance(exc, FormErrors) else domain_errors(exc)  # type: ignore[arg-type]
    status_code = exc.status_code if isinstance(exc, DomainError) else 422
    context = await _page_context(session, user)
    return form_error(request, session, "assistant.html", data, errors, status_code, context)


@pages.post("/dashboard/assistant/settings")
async def save_settings(request: Request, session: DbSession, user: PageFreelancer) -> Response:
    data = await form_data(request)
    try:
        await assistant_service.update(session, user, _settings_from_form(data))
    except (FormErrors, DomainError) as exc:
        data["days"] = as_list(data.get("days"))
        data["languages"] = as_list(data.get("languages"))
        return await _form_failed(request, session, user, data, exc)
    enqueue_after_commit(session, reindex_knowledge, user.id)
    return RedirectResponse("/dashboard/assistant?done=settings", status_code=303)


@pages.post("/dashboard/assistant/faq")
async def add_faq_page(request: Request, session: DbSession, user: PageFreelancer) -> Response:
    data = await form_data(request)
    try:
        body = validate(FaqIn, {"q": data.get("q", ""), "a": data.get("a", "")})
        await assistant_service.add_faq(session, user, body)
    except (FormErrors, DomainError) as exc:
        return await _form_failed(request, session, user, data, exc)
    enqueue_after_commit(session, reindex_knowledge, user.id)
    return RedirectResponse("/dashboard/assistant?done=faq#faq", status_code=303)


@pages.post("/dashboard/assistant/faq-suggestions/{handover_id}")
async def accept_suggestion_page(
    request: Request, handover_id: HandoverId, session: DbSession, user: PageFreelancer
) -> Response:
    data = await form_data(request)
    try:
        body = validate(FaqIn, {"q": data.get("q", ""), "a": data.get("a", "")})
        await assistant_service.accept_suggestion(session, user, handover_id, body)
    except (FormErrors, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status_code == 404:
            raise
        return await _form_failed(request, session, user, data, exc)
    enqueue_after_commit(session, reindex_knowledge, user.id)
    return RedirectResponse("/dashboard/assistant?done=faq#faq", status_code=303)


@pages.post("/dashboard/assistant/faq/{entry_id}/delete")
async def delete_faq_page(
    request: Request, entry_id: FaqId, session: DbSession, user: PageFreelancer
) -> Response:
    data = await form_data(request)
    try:
        await assistant_service.delete_faq(session, user, entry_id)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return await _form_failed(request, session, user, data, exc)
    enqueue_after_commit(session, reindex_knowledge, user.id)
    return RedirectResponse("/dashboard/assistant?done=faq_removed#faq", status_code=303)


@pages.post("/dashboard/assistant/drafts/{draft_id}/confirm")
async def confirm_draft_page(
    draft_id: DraftId, session: DbSession, user: PageFreelancer
) -> Response:
    await assistant_service.confirm_draft(session, user, draft_id)
    return RedirectResponse("/dashboard/assistant?done=confirmed#drafts", status_code=303)


@pages.post("/dashboard/assistant/drafts/{draft_id}/dismiss")
async def dismiss_draft_page(
    draft_id: DraftId, session: DbSession, user: PageFreelancer
) -> Response:
    await assistant_service.dismiss_draft(session, user, draft_id)
    return RedirectResponse("/dashboard/assistant?done=dismissed#drafts", status_code=303)
