"""Previews streamed while the model writes them: the API's event stream and its page twin.

Both check the request the way the ordinary preview does before the stream starts (an unknown
or switched-off model, the daily allowance, the options: the usual problem answers, 4xx), then
run the same preview flow with the text streamed (``generation.streaming``). The page's form
works without them; ``static/app.js`` sends it here and writes the preview as it arrives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from twinwork.account.models import User
from twinwork.generation import files
from twinwork.generation.preview import check_brief, preview
from twinwork.generation.routes import (
    attachments_from_form,
    generation_out,
    options_from_form,
)
from twinwork.generation.schemas import GenerationIn
from twinwork.generation.service import GenerationView, generation_service, preview_notice
from twinwork.generation.streaming import HEADERS, MEDIA_TYPE, preview_events
from twinwork.kit.db import unit_of_work
from twinwork.kit.errors import NotFound
from twinwork.kit.public_ids import ModelId
from twinwork.kit.ratelimit import check_generation_attempt
from twinwork.kit.storage import ObjectStorage
from twinwork.ml.streaming import TextSink
from twinwork.web.deps import (
    PAGE_DEPENDENCIES,
    ApiUser,
    DbSession,
    PageUser,
    SessionMaker,
    Storage,
    writes_own_units,
)
from twinwork.web.forms import form_data, validate

api = APIRouter(prefix="/api/v1", tags=["generation"])
pages = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)

STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Server-Sent Events: `preview` `{delta}` while the model writes (the "
        "deltas add up to the stored preview without its closing “…”), then `generation` "
        "(the stored generation, as `POST /models/{model_id}/generations` answers it) or "
        "`error` (a problem: `{type, title, status, detail}`).",
        "content": {MEDIA_TYPE: {"schema": {"type": "string"}}},
    }
}


async def _checked(session: DbSession, user: User, model_id: int, body: GenerationIn) -> None:
    """What the preview flow checks before the model runs, answered before the stream starts."""
    ticket = await generation_service.ticket(session, user, model_id)
    check_brief(ticket.modality, body.brief)
    await files.check_input(ticket.modality, body.options_field, body.options, body.attachments)
    check_generation_attempt(user.id, count=False)  # a 429 before the stream starts


def _streamed(
    sessionmaker: SessionMaker,
    storage: ObjectStorage,
    user_id: int,
    model_id: int,
    body: GenerationIn,
    finished: Callable[[GenerationView], Mapping[str, Any]],
) -> StreamingResponse:
    async def run(sink: TextSink) -> GenerationView:
        # The request's own session ends with the endpoint: the stream opens its own.
        async with unit_of_work(sessionmaker, writes=False) as session:
            buyer = await session.get(User, user_id)
            if buyer is None:
                raise NotFound("This account no longer exists.")
            return await preview(
                session,
                sessionmaker,
                storage,
                buyer,
                model_id,
                body.brief,
                options_field=body.options_field,
                options=body.options,
                attachments=body.attachments,
                sink=sink,
            )

    return StreamingResponse(preview_events(run, finished), media_type=MEDIA_TYPE, headers=HEADERS)


@api.post(
    "/models/{model_id}/generations/stream",
    response_class=StreamingResponse,
    responses=STREAM_RESPONSES,
)
@writes_own_units
async def stream_generation(
    model_id: ModelId,
    body: GenerationIn,
    user: ApiUser,
    session: DbSession,
    sessionmaker: SessionMaker,
    storage: Storage,
) -> StreamingResponse:
    """``POST /models/{model_id}/generations`` with the preview streamed while the model
    writes it. Refusals before the model runs answer as there (404, 409, 410, 422, 429);
    later failures arrive as an `error` event. Closing the connection cancels the
    generation: nothing is stored or counted."""
    await _checked(session, user, model_id, body)
    return _streamed(
        sessionmaker,
        storage,
        user.id,
        model_id,
        body,
        lambda view: generation_out(view).model_dump(mode="json"),
    )


@pages.post("/models/{model_id}/generate/stream")
@writes_own_units
async def stream_generation_page(
    request: Request,
    model_id: ModelId,
    session: DbSession,
    sessionmaker: SessionMaker,
    storage: Storage,
    user: PageUser,
) -> StreamingResponse:
    """The model page's form, streamed (``static/app.js``); a refusal answers 4xx and the
    script sends the form the ordinary way, which shows it in the form."""
    data = await form_data(request)
    fields: dict[str, object] = {"brief": data.get("brief", "")}
    field = str(data.get("options_field", "")) or None
    if field is not None:
        fields[field] = options_from_form(data)
    body = validate(GenerationIn, fields)
    attachments = await attachments_from_form(request)
    if attachments:
        body = body.model_copy(update={"attachments": attachments})
    await _checked(session, user, model_id, body)

    def finished(view: GenerationView) -> dict[str, Any]:
        generation = view.generation
        return {
            "id": generation.public_id,
            "url": f"/generations/{generation.public_id}",
            "preview": generation.preview,
            "preview_notice": preview_notice(generation),
        }

    return _streamed(sessionmaker, storage, user.id, model_id, body, finished)
