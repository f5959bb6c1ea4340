"""Voice verification (API and page) and a voice model's page: the phrase to record, the
evidence each version trained on, and its held-out takes to hear."""

from __future__ import annotations

from pathlib import PurePosixPath

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from twinwork.config import get_settings
from twinwork.creation import artifacts
from twinwork.creation.service import creation_service
from twinwork.kit.encoding import decode_base64
from twinwork.kit.errors import DomainError, NotFound, ValidationFailed
from twinwork.kit.public_ids import ModelId, VersionId, public_id
from twinwork.portfolio.audio import RECORDING_MAX_BYTES
from twinwork.portfolio.service import portfolio_service
from twinwork.voice.schemas import PhraseOut, VerificationIn, VerificationOut
from twinwork.voice.service import PHRASE_VALID, voice_verification
from twinwork.web.deps import PAGE_DEPENDENCIES, ApiUser, DbSession, PageFreelancer, Storage
from twinwork.web.forms import domain_errors, form_error
from twinwork.web.templating import render

api = APIRouter(prefix="/api/v1", tags=["voice models"])
pages = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)

TAKE_TYPES = {".mp3": "audio/mpeg", ".png": "image/png"}


@api.get("/models/{model_id}/voice-verification", response_model=PhraseOut)
async def get_phrase(model_id: ModelId, user: ApiUser, session: DbSession) -> PhraseOut:
    """The sentence to record for voice verification: the same one until it is answered or
    30 minutes old, then a new one. A voice model trains only once a take of it matched the
    portfolio's recordings."""
    phrase = await voice_verification.phrase(session, user, model_id)
    passed = await voice_verification.passed(session, model_id)
    return PhraseOut(
        phrase=phrase.phrase,
        issued_at=phrase.issued_at,
        expires_at=phrase.issued_at + PHRASE_VALID,
        verified=passed is not None,
        threshold=get_settings().voice_verification_threshold,
    )


def _decode(content_base64: str) -> bytes:
    if len(content_base64) > (RECORDING_MAX_BYTES + 2) // 3 * 4:
        raise ValidationFailed("This take is too large: record just the sentence.", field="file")
    return decode_base64(
        content_base64,
        field="content_base64",
        message="content_base64 is not valid base64: send the recording's bytes base64-encoded.",
    )


@api.post("/models/{model_id}/voice-verification", response_model=VerificationOut)
async def post_take(
    model_id: ModelId, body: VerificationIn, user: ApiUser, session: DbSession, storage: Storage
) -> VerificationOut:
    """A take of the phrase (WAV, FLAC, MP3 or Ogg). ``verified`` says whether it matched the
    portfolio's voice above ``threshold``; a take that did not is kept as a failed attempt,
    and a new phrase is needed for the next one."""
    raw = _decode(body.content_base64)
    outcome = await voice_verification.verify(session, storage, user, model_id, raw, body.filename)
    checked = outcome.verification
    assert checked.similarity is not None and checked.threshold is not None
    assert checked.checked_at is not None
    return VerificationOut(
        verified=checked.verified,
        similarity=checked.similarity,
        threshold=checked.threshold,
        compared_samples=checked.compared_samples or 0,
        reason=checked.reason,
        checked_at=checked.checked_at,
    )


# ---- pages ---------------------------------------------------------------------------------


async def _context(session: DbSession, user: PageFreelancer, model_id: int) -> dict[str, object]:
    model = await creation_service.owned(session, user, model_id)
    phrase = await voice_verification.phrase(session, user, model_id)
    versions = await creation_service.versions(session, model)
    runs = {r.id: r for r in await creation_service.runs(session, model)}
    evidence = await voice_verification.evidence_for_runs(session, list(runs))
    totals = await portfolio_service.totals(session, user)
    return {
        "model": model,
        "phrase": phrase,
        "passed": await voice_verification.passed(session, model_id),
        "history": await voice_verification.history(session, model_id),
        "versions": sorted(versions, key=lambda v: v.number, reverse=True),
        "evidence": {v.id: evidence.get(v.run_id) for v in versions},
        "totals": totals,
        "limits": get_settings(),
        "values": {},
        "errors": {},
    }


@pages.get("/dashboard/models/{model_id}/voice")
async def voice_page(
    request: Request, model_id: ModelId, session: DbSession, user: PageFreelancer
) -> Response:
    return render(request, "voice_model.html", await _context(session, user, model_id))


@pages.post("/dashboard/models/{model_id}/voice/verification")
async def verify_page(
    request: Request, model_id: ModelId, session: DbSession, user: PageFreelancer, storage: Storage
) -> Response:
    await creation_service.owned(session, user, model_id)  # a stranger's: 404 first
    form = await request.form()
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed(
                "Record the sentence or choose a WAV, FLAC, MP3 or Ogg file of it.", field="file"
            )
        raw = await upload.read(RECORDING_MAX_BYTES + 1)
        outcome = await voice_verification.verify(
            session, storage, user, model_id, raw, upload.filename
        )
    except DomainError as exc:
        context = await _context(session, user, model_id)
        return form_error(
            request,
            session,
            "voice_model.html",
            {},
            {"verification": " ".join(domain_errors(exc).values())},
            exc.status_code,
            context,
        )
    result = "verified" if outcome.verified else "refused"
    return RedirectResponse(
        f"/dashboard/models/{public_id('model', model_id)}/voice?check={result}", status_code=303
    )


@pages.get("/dashboard/models/{model_id}/versions/{version_id}/takes/{name}")
async def take_page(
    model_id: ModelId,
    version_id: VersionId,
    name: str,
    session: DbSession,
    user: PageFreelancer,
    storage: Storage,
) -> Response:
    """A held-out take of a version's evaluation (MP3) or its picture (PNG), for the owner."""
    model = await creation_service.owned(session, user, model_id)
    version = await creation_service.version(session, version_id)
    suffix = PurePosixPath(name).suffix
    if (
        version is None
        or version.model_id != model.id
        or version.erased_at is not None
        or "/" in name
        or not name.startswith("take-")
        or suffix not in TAKE_TYPES
    ):
        raise NotFound("No such take.")
    local = await artifacts.fetch_adapter(
        storage, get_settings(), version.artifact_key, version.artifact_hash
    )
    path = local / "evaluation" / name
    if not path.is_file():
        raise NotFound("No such take.")
    return Response(
        path.read_bytes(),
        media_type=TAKE_TYPES[suffix],
        headers={
            "X-Content-Type-Options": "nosniff",
            "Cross-Origin-Resource-Policy": "same-origin",
            "Content-Disposition": f'inline; filename="{name}"',
        },
    )
