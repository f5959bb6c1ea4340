"""Pages for gig galleries and avatars: upload, choose from the portfolio, reorder, remove,
and the pictures themselves."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from twinwork.catalog.gallery.service import (
    AVATAR_MAX_BYTES,
    GALLERY_MAX_BYTES,
    StoredPicture,
    gallery_service,
)
from twinwork.catalog.routes import _dashboard_context, _gig_form_context
from twinwork.catalog.service import gig_service
from twinwork.kit.db import mark_rollback_only
from twinwork.kit.errors import DomainError, NotFound, ValidationFailed
from twinwork.kit.public_ids import GigId, ImageId, public_id, row_id
from twinwork.portfolio.routes import PICTURE_CSP
from twinwork.portfolio.service import IMAGE_KIND, portfolio_service
from twinwork.web.deps import (
    PAGE_DEPENDENCIES,
    DbSession,
    PageFreelancer,
    PageUserOptional,
    Storage,
)
from twinwork.web.forms import domain_errors
from twinwork.web.templating import render

pages = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)

GalleryAction = Literal["up", "down", "first", "remove"]


def picture_response(picture: StoredPicture) -> Response:
    return Response(
        picture.data,
        media_type=picture.media_type,
        headers={
            "Content-Security-Policy": PICTURE_CSP,
            "X-Content-Type-Options": "nosniff",
            "Cross-Origin-Resource-Policy": "same-origin",
            # An image id or avatar key never points at other bytes: cacheable when public.
            "Cache-Control": "public, max-age=86400" if picture.public else "private, no-store",
        },
    )


@pages.get("/gig-images/{image_id}")
async def gig_image(
    image_id: ImageId,
    session: DbSession,
    storage: Storage,
    viewer: PageUserOptional,
    size: Annotated[Literal["large", "card"], Query()] = "large",
) -> Response:
    return picture_response(await gallery_service.picture(session, storage, viewer, image_id, size))


@pages.get("/freelancers/{handle}/avatar")
async def avatar(handle: str, session: DbSession, storage: Storage) -> Response:
    return picture_response(await gallery_service.avatar(session, storage, handle[:40]))


def _back_to_gallery(gig_id: int, tail: str) -> Response:
    """The gig's form again after a change to its gallery (``gig_id`` is the row id)."""
    return RedirectResponse(f"/dashboard/gigs/{public_id('gig', gig_id)}/edit{tail}", 303)


async def _upload(request: Request, limit: int) -> tuple[bytes, str | None, dict[str, str]]:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed("Choose a PNG, JPEG or WebP picture to upload.", field="file")
    # One byte over the limit is enough for kit.images to refuse it with the limit named.
    return await upload.read(limit + 1), upload.filename, fields


async def _gallery_error(
    request: Request, session: DbSession, user: PageFreelancer, gig_id: int, exc: DomainError
) -> Response:
    """The gig's form again, the gallery's refusal shown beside the gallery; nothing of the
    refused picture is kept (it was checked before anything was stored)."""
    mark_rollback_only(session)
    gig = await gig_service.owned(session, user, gig_id)
    context = await _gig_form_context(session, user, gig)
    context["gallery_error"] = " ".join(domain_errors(exc).values())
    return render(request, "gig_form.html", context, status_code=exc.status_code)


@pages.post("/dashboard/gigs/{gig_id}/gallery")
async def upload_gallery_image(
    gig_id: GigId, request: Request, session: DbSession, user: PageFreelancer, storage: Storage
) -> Response:
    await gig_service.owned(session, user, gig_id)  # another's gig: 404 before anything else
    try:
        raw, filename, fields = await _upload(request, GALLERY_MAX_BYTES)
        await gallery_service.add(
            session,
            storage,
            user,
            gig_id,
            raw,
            filename=filename,
            alt_text=fields.get("alt_text", "")[:120],
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return await _gallery_error(request, session, user, gig_id, exc)
    return _back_to_gallery(gig_id, "?pictures=1#gallery")


@pages.post("/dashboard/gigs/{gig_id}/gallery/from-portfolio")
async def add_from_portfolio(
    gig_id: GigId, request: Request, session: DbSession, user: PageFreelancer, storage: Storage
) -> Response:
    await gig_service.owned(session, user, gig_id)
    form = await request.form()
    try:
        raw_id = str(form.get("sample_id", "")).strip()
        if not raw_id:
            raise ValidationFailed("Choose a design from your portfolio.", field="sample_id")
        # The sample's public id; one that names nothing is 404 like another's sample.
        sample_id = row_id("sample", raw_id)
        sample = await portfolio_service.owned(session, user, sample_id)
        if sample.kind != IMAGE_KIND:
            raise ValidationFailed(
                f"“{sample.title}” is text; choose a design (a picture).", field="sample_id"
            )
        raw = await portfolio_service.fetch_file(storage, sample)
        await gallery_service.add(
            session,
            storage,
            user,
            gig_id,
            raw,
            filename=None,
            alt_text=sample.title,
            portfolio_sample_id=sample.id,
        )
    except DomainError as exc:
        if isinstance(exc, NotFound) and exc.field is None:
            raise
        return await _gallery_error(request, session, user, gig_id, exc)
    return _back_to_gallery(gig_id, "?pictures=1#gallery")


@pages.post("/dashboard/gigs/{gig_id}/gallery/{image_id}/{action}")
async def change_gallery_image(
    gig_id: GigId,
    image_id: ImageId,
    action: GalleryAction,
    session: DbSession,
    user: PageFreelancer,
    storage: Storage,
) -> Response:
    if action == "remove":
        await gallery_service.remove(session, storage, user, gig_id, image_id)
    else:
        await gallery_service.move(session, user, gig_id, image_id, action)
    return _back_to_gallery(gig_id, "#gallery")


@pages.post("/dashboard/profile/avatar")
async def change_avatar(
    request: Request, session: DbSession, user: PageFreelancer, storage: Storage
) -> Response:
    form = await request.form()
    if form.get("remove") == "1":
        await gallery_service.remove_avatar(session, storage, user)
        return RedirectResponse("/dashboard/freelancer?avatar=removed#profile", status_code=303)
    try:
        raw, filename, _fields = await _upload(request, AVATAR_MAX_BYTES)
        await gallery_service.set_avatar(session, storage, user, raw, filename)
    except DomainError as exc:
        mark_rollback_only(session)
        context = await _dashboard_context(session, user)
        context["avatar_error"] = " ".join(domain_errors(exc).values())
        return render(request, "freelancer_dashboard.html", context, status_code=exc.status_code)
    return RedirectResponse("/dashboard/freelancer?avatar=saved#profile", status_code=303)
