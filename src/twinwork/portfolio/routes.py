from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from twinwork.catalog.service import category_service, gig_service
from twinwork.config import get_settings
from twinwork.creation.service import creation_service
from twinwork.kit.errors import DomainError, ValidationFailed
from twinwork.kit.images import THUMBNAIL_SIDE, CleanImage, ImageKind
from twinwork.kit.pagination import MAX_PAGE
from twinwork.kit.public_ids import SampleId, public_id
from twinwork.portfolio.models import PortfolioSample
from twinwork.portfolio.schemas import (
    AnySampleIn,
    DataUseEntryOut,
    DataUseOut,
    SampleIn,
    SampleOut,
    SamplePageOut,
    SamplePatch,
)
from twinwork.portfolio.service import (
    AUDIO_KIND,
    AUDIO_MAX_BYTES,
    IMAGE_MAX_BYTES,
    decode_upload,
    portfolio_service,
)
from twinwork.web.deps import PAGE_DEPENDENCIES, ApiUser, DbSession, PageFreelancer, Storage
from twinwork.web.forms import FormErrors, domain_errors, form_error, validate
from twinwork.web.templating import render

api = APIRouter(prefix="/api/v1/portfolio", tags=["portfolio"])
pages = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)


def sample_out(sample: PortfolioSample, category_slugs: dict[int, str]) -> SampleOut:
    return SampleOut(
        id=sample.id,
        kind=sample.kind,
        title=sample.title,
        category=category_slugs.get(sample.category_id, ""),
        content_hash=sample.content_hash,
        byte_size=sample.byte_size,
        media_type=sample.media_type,
        width=sample.width,
        height=sample.height,
        thumbnail_url=(
            f"/api/v1/portfolio/samples/{sample.public_id}/thumbnail"
            if sample.storage_key and sample.kind != AUDIO_KIND
            else None
        ),
        duration_seconds=(sample.duration_ms / 1000 if sample.duration_ms is not None else None),
        transcript=sample.content if sample.kind == AUDIO_KIND else None,
        audio_url=(
            f"/api/v1/portfolio/samples/{sample.public_id}/audio"
            if sample.kind == AUDIO_KIND
            else None
        ),
        waveform_url=(
            f"/api/v1/portfolio/samples/{sample.public_id}/waveform"
            if sample.kind == AUDIO_KIND
            else None
        ),
        source=sample.source,
        ownership_attested=sample.ownership_attested,
        consent_to_train=sample.consent_to_train,
        consent_changed_at=sample.consent_changed_at,
        created_at=sample.created_at,
    )


async def _slugs(session: DbSession) -> dict[int, str]:
    return {c.id: c.slug for c in await category_service.all(session)}


@api.post("/samples", response_model=SampleOut, status_code=status.HTTP_201_CREATED)
async def add_sample(
    body: AnySampleIn, user: ApiUser, session: DbSession, storage: Storage
) -> SampleOut:
    """Add a sample of your own work: text (``kind`` "text", the default), or a design
    (``kind`` "image": PNG, JPEG, WebP or SVG as ``content_base64``, checked and stripped of
    metadata; a hostile or broken file is refused with 422 and nothing is stored). Consent to
    train is off unless you turn it on."""
    sample = await portfolio_service.add_sample(session, storage, user, body)
    return sample_out(sample, await _slugs(session))


@api.get("/samples", response_model=SamplePageOut)
async def list_samples(
    user: ApiUser, session: DbSession, page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1
) -> SamplePageOut:
    results, totals = await portfolio_service.page(session, user, page)
    slugs = await _slugs(session)
    return SamplePageOut(
        items=[sample_out(s, slugs) for s in results.items],
        page=results.page,
        pages=results.pages,
        total=results.total,
        total_bytes=totals.total_bytes,
        consented=totals.consented,
        designs_consented=totals.designs_consented,
        designs_needed=totals.designs_needed,
        recordings_consented=totals.recordings_consented,
        recorded_seconds=totals.recorded_seconds,
        recording_seconds_needed=totals.recording_seconds_needed,
    )


@api.patch("/samples/{sample_id}", response_model=SampleOut)
async def update_sample(
    sample_id: SampleId, body: SamplePatch, user: ApiUser, session: DbSession
) -> SampleOut:
    """Give or withdraw consent to train. Withdrawing takes effect for every run not yet
    started; runs already finished keep what they learned, and the data-use ledger says which."""
    sample = await portfolio_service.set_consent(session, user, sample_id, body.consent_to_train)
    return sample_out(sample, await _slugs(session))


@api.delete("/samples/{sample_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_sample(
    sample_id: SampleId, user: ApiUser, session: DbSession, storage: Storage
) -> Response:
    """Delete a sample's text or stored file. Runs that have not read it yet fail rather than
    read it; versions already trained on it keep what they learned (erase or retrain the model
    to drop it), and the data-use ledger keeps the sample's id and hash."""
    await portfolio_service.remove(session, user, sample_id, storage)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@api.get("/samples/{sample_id}/thumbnail")
async def sample_thumbnail(
    sample_id: SampleId, user: ApiUser, session: DbSession, storage: Storage
) -> Response:
    """A design's reduced copy (no side over 320 px), for its owner only."""
    picture = await portfolio_service.picture(session, storage, user, sample_id, THUMBNAIL_SIDE)
    return picture_response(picture)


@api.get("/samples/{sample_id}/audio")
async def sample_audio(
    sample_id: SampleId, user: ApiUser, session: DbSession, storage: Storage
) -> Response:
    """A recording as stored (FLAC: cleaned, loudness-normalised), for its owner only."""
    data = await portfolio_service.recording(session, storage, user, sample_id)
    return recording_response(data)


@api.get("/samples/{sample_id}/waveform")
async def sample_waveform(
    sample_id: SampleId, user: ApiUser, session: DbSession, storage: Storage
) -> Response:
    """A picture of a recording's waveform (PNG), for its owner only."""
    png = await portfolio_service.waveform(session, storage, user, sample_id)
    return picture_response(CleanImage(ImageKind.PNG, png, None, None))


def recording_response(data: bytes) -> Response:
    return Response(
        data,
        media_type="audio/flac",
        headers={
            "Content-Disposition": 'inline; filename="recording.flac"',
            "X-Content-Type-Options": "nosniff",
            "Cross-Origin-Resource-Policy": "same-origin",
            "Cache-Control": "private, max-age=300",
        },
    )


# Served pictures never run anything: no script, no outside resource, sandboxed; an SVG is a
# download when opened on its own, and shows only through <img>, where browsers run no script.
PICTURE_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"


def picture_response(picture: CleanImage) -> Response:
    disposition = "attachment" if picture.kind is ImageKind.SVG else "inline"
    return Response(
        picture.data,
        media_type=picture.mime_type,
        headers={
            "Content-Security-Policy": PICTURE_CSP,
            "Content-Disposition": f'{disposition}; filename="thumbnail.{picture.kind.extension}"',
            "X-Content-Type-Options": "nosniff",
            "Cross-Origin-Resource-Policy": "same-origin",
        },
    )


@api.get("/data-use", response_model=DataUseOut)
async def data_use(user: ApiUser, session: DbSession) -> DataUseOut:
    """Every read of your samples by a training run, hash-chained; ``chain_valid`` says
    whether the chain is intact."""
    chain, valid = await portfolio_service.data_use(session, user)
    return DataUseOut(entries=[DataUseEntryOut.model_validate(r) for r in chain], chain_valid=valid)


# ---- pages ---------------------------------------------------------------------------------


@pages.get("/dashboard/portfolio")
async def portfolio_page(
    request: Request,
    session: DbSession,
    user: PageFreelancer,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    return render(request, "portfolio.html", await _portfolio_context(session, user, page))


async def _portfolio_context(session: DbSession, user: ApiUser, page: int) -> dict[str, object]:
    results, totals = await portfolio_service.page(session, user, page)
    chain, valid = await portfolio_service.data_use(session, user)
    settings = get_settings()
    categories = await category_service.all(session)
    recent_reads = list(reversed(chain))[:50]
    return {
        "samples": results,
        "totals": totals,
        "categories": categories,
        "category_names": {c.id: c.name for c in categories},
        "data_use": recent_reads,
        # The ledger names what was read by title; the hashes stay in a fold.
        "sample_titles": await portfolio_service.titles(
            session, user, [r.sample_id for r in recent_reads]
        ),
        "model_names": {m.id: m.name for m in await creation_service.mine(session, user)},
        "data_use_total": len(chain),
        "chain_valid": valid,
        "limits": settings,
        "designs_consented": totals.designs_consented,
        # New samples are filed under what the freelancer sells, unless they choose otherwise.
        "default_category": await _usual_category(session, user),
        "designs_needed": totals.designs_needed,
        "recording_seconds_needed": totals.recording_seconds_needed,
        "values": {},
        "errors": {},
    }


async def _usual_category(session: DbSession, user: ApiUser) -> str | None:
    """The category most of the freelancer's gigs are in (the newest gig breaks a tie)."""
    gigs = await gig_service.mine(session, user)
    if not gigs:
        return None
    # Newest first, and most_common keeps the first seen among equals.
    return Counter(gig.category.slug for gig in gigs).most_common(1)[0][0]


@pages.post("/dashboard/portfolio/samples")
async def add_sample_page(
    request: Request, session: DbSession, user: PageFreelancer, storage: Storage
) -> Response:
    form = await request.form()
    data = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    upload = form.get("file")
    source = "paste"
    try:
        if data.get("kind") == "image":
            await _add_design_page(session, storage, user, data, upload)
        elif data.get("kind") == AUDIO_KIND:
            await _add_recording_page(session, storage, user, data, upload)
        else:
            if isinstance(upload, UploadFile) and upload.filename:
                limit = get_settings().sample_max_bytes
                raw = await upload.read(limit * 4 + 1)
                data["content"] = decode_upload(upload.filename, raw)
                source = "upload"
                if not data.get("title"):
                    data["title"] = upload.filename.rsplit(".", 1)[0][:120]
            body = validate(
                SampleIn,
                {
                    "title": data.get("title", ""),
                    "content": data.get("content", ""),
                    "category": data.get("category", ""),
                    "ownership_attested": data.get("ownership_attested") == "on",
                    "consent_to_train": data.get("consent_to_train") == "on",
                },
            )
            await portfolio_service.add(session, user, body, source=source)
    except (FormErrors, DomainError) as exc:
        errors = exc.errors if isinstance(exc, FormErrors) else domain_errors(exc)
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        if data.get("kind") == "image":
            # The design form shows its errors in one place, apart from the text form's.
            errors = {"design": " ".join(errors.values())}
            data = {}
        elif data.get("kind") == AUDIO_KIND:
            # Likewise the recording form; its script is kept for another try.
            errors = {"recording": " ".join(errors.values())}
            data = {"recording_transcript": data.get("transcript", "")}
        context = await _portfolio_context(session, user, 1)
        return form_error(request, session, "portfolio.html", data, errors, status_code, context)
    return RedirectResponse("/dashboard/portfolio?added=1", status_code=303)


async def _add_design_page(
    session: DbSession,
    storage: Storage,
    user: PageFreelancer,
    data: dict[str, str],
    upload: object,
) -> None:
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed("Choose a PNG, JPEG, WebP or SVG file.", field="file")
    raw = await upload.read(IMAGE_MAX_BYTES + 1)
    title = (data.get("title") or "").strip() or upload.filename.rsplit(".", 1)[0][:120]
    await portfolio_service.add_image_bytes(
        session,
        storage,
        user,
        raw,
        filename=upload.filename,
        title=title[:120],
        category=data.get("category", ""),
        ownership_attested=data.get("ownership_attested") == "on",
        consent_to_train=data.get("consent_to_train") == "on",
    )


async def _add_recording_page(
    session: DbSession,
    storage: Storage,
    user: PageFreelancer,
    data: dict[str, str],
    upload: object,
) -> None:
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed("Choose a WAV, FLAC, MP3 or Ogg recording.", field="file")
    raw = await upload.read(AUDIO_MAX_BYTES + 1)
    title = (data.get("title") or "").strip() or upload.filename.rsplit(".", 1)[0][:120]
    await portfolio_service.add_audio_bytes(
        session,
        storage,
        user,
        raw,
        filename=upload.filename,
        title=title[:120],
        transcript=data.get("transcript", ""),
        category=data.get("category", ""),
        ownership_attested=data.get("ownership_attested") == "on",
        consent_to_train=data.get("consent_to_train") == "on",
    )


@pages.get("/dashboard/portfolio/samples/{sample_id}/audio")
async def audio_page(
    sample_id: SampleId, session: DbSession, user: PageFreelancer, storage: Storage
) -> Response:
    return recording_response(await portfolio_service.recording(session, storage, user, sample_id))


@pages.get("/dashboard/portfolio/samples/{sample_id}/waveform")
async def waveform_page(
    sample_id: SampleId, session: DbSession, user: PageFreelancer, storage: Storage
) -> Response:
    png = await portfolio_service.waveform(session, storage, user, sample_id)
    return picture_response(CleanImage(ImageKind.PNG, png, None, None))


@pages.get("/dashboard/portfolio/samples/{sample_id}/thumbnail")
async def thumbnail_page(
    sample_id: SampleId, session: DbSession, user: PageFreelancer, storage: Storage
) -> Response:
    picture = await portfolio_service.picture(session, storage, user, sample_id, THUMBNAIL_SIDE)
    return picture_response(picture)


@pages.post("/dashboard/portfolio/samples/{sample_id}/consent")
async def consent_page(
    request: Request, sample_id: SampleId, session: DbSession, user: PageFreelancer
) -> Response:
    form = await request.form()
    consent = form.get("consent") == "on"
    await portfolio_service.set_consent(session, user, sample_id, consent)
    return RedirectResponse("/dashboard/portfolio", status_code=303)


@pages.post("/dashboard/portfolio/samples/{sample_id}/remove")
async def remove_sample_page(
    sample_id: SampleId, session: DbSession, user: PageFreelancer, storage: Storage
) -> Response:
    await portfolio_service.remove(session, user, sample_id, storage)
    return RedirectResponse("/dashboard/portfolio?removed=1", status_code=303)


@pages.get("/dashboard/portfolio/data-use.csv")
async def data_use_csv(session: DbSession, user: PageFreelancer) -> Response:
    chain, _valid = await portfolio_service.data_use(session, user)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "sequence",
            "read_at",
            "sample_id",
            "content_hash",
            "model_id",
            "run_id",
            "prev_hash",
            "record_hash",
        ]
    )
    for r in chain:
        writer.writerow(
            [
                r.sequence,
                r.read_at.isoformat(),
                public_id("sample", r.sample_id),
                r.content_hash,
                public_id("model", r.model_id),
                public_id("run", r.run_id),
                r.prev_hash,
                r.record_hash,
            ]
        )
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="twinwork-data-use.csv"'},
    )
