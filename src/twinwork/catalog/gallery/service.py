"""Gig galleries and avatars: checked, resized, stripped of metadata, then stored.

Every picture goes through ``kit.images.clean_upload`` (the type from the content, no bombs,
polyglots or animation, EXIF and other metadata dropped) and is re-encoded at the sizes the
pages show, so the original bytes are never stored or served. Everything is checked before
anything is stored: a refused picture leaves nothing behind. Files are written before their
row; a failed commit leaves an unreferenced file, never a row whose file is missing.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageOps
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.catalog.gallery.repository import gallery_repository
from twinwork.catalog.models import FreelancerProfile, Gig, GigImage
from twinwork.catalog.service import gig_service, profile_service
from twinwork.kit.errors import Conflict, NotFound, ValidationFailed
from twinwork.kit.images import (
    JPEG_QUALITY,
    WEBP_QUALITY,
    CleanImage,
    ImageKind,
    ImageRejected,
    clean_upload,
    sniff,
    thumbnail,
)
from twinwork.kit.signing import sha256_hex
from twinwork.kit.storage import ObjectNotFound, ObjectStorage

GALLERY_MAX_IMAGES = 8
GALLERY_MAX_BYTES = 10_000_000
"""Per picture, as uploaded (before it is resized)."""
GALLERY_MIN_SIDE = 200
LARGE_SIDE = 1280
"""The gig page's copy: no side longer."""
CARD_SIDE = 640
"""The card's copy (cards are about 300 px wide; twice that for sharp screens)."""
AVATAR_SIDE = 256
AVATAR_MAX_BYTES = 5_000_000
AVATAR_MIN_SIDE = 64
RASTER_ONLY = "Upload a PNG, JPEG or WebP picture"

Size = Literal["large", "card"]
Move = Literal["up", "down", "first"]


@dataclass(frozen=True)
class StoredPicture:
    data: bytes
    media_type: str
    public: bool
    """Whether anyone may see it (a published gig, a profile): public caching is fine."""


def checked_picture(
    raw: bytes, filename: str | None, *, max_bytes: int, min_side: int
) -> CleanImage:
    """A raster picture cleaned by ``kit.images``, or ImageRejected with what to do instead.
    SVG is refused here: a gallery shows photographs and renders, and a square avatar needs
    pixels to crop."""
    if raw and len(raw) <= max_bytes and sniff(raw) is ImageKind.SVG:
        raise ImageRejected(f"SVG drawings cannot be used here. {RASTER_ONLY}.")
    clean = clean_upload(raw, filename, max_bytes=max_bytes)
    width, height = clean.width or 0, clean.height or 0
    if min(width, height) < min_side:
        raise ImageRejected(
            f"The picture is {width}×{height} pixels; it needs at least {min_side} pixels on "
            "each side to look sharp. Upload a larger one."
        )
    return clean


def square(image: CleanImage, side: int = AVATAR_SIDE) -> CleanImage:
    """The picture cropped to its centre square (a little above centre, where faces are)
    and scaled to ``side``; re-encoded with no metadata."""
    with Image.open(io.BytesIO(image.data)) as opened:
        opened.load()
        fitted = ImageOps.fit(opened, (side, side), Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    out = io.BytesIO()
    if image.kind is ImageKind.JPEG:
        fitted.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif image.kind is ImageKind.WEBP:
        fitted.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        fitted.save(out, "PNG", optimize=True)
    return CleanImage(image.kind, out.getvalue(), side, side)


class GalleryService:
    async def images(self, session: AsyncSession, gig_id: int) -> list[GigImage]:
        return await gallery_repository.for_gig(session, gig_id)

    async def portfolio_sample_ids(self, session: AsyncSession, gig_id: int) -> set[int]:
        """Portfolio samples already in the gig's gallery (the picker marks them)."""
        return await gallery_repository.sample_ids(session, gig_id)

    async def add(
        self,
        session: AsyncSession,
        storage: ObjectStorage,
        user: User,
        gig_id: int,
        raw: bytes,
        *,
        filename: str | None,
        alt_text: str = "",
        portfolio_sample_id: int | None = None,
    ) -> GigImage:
        gig = await gig_service.owned(session, user, gig_id)
        count = await gallery_repository.count(session, gig.id)
        if count >= GALLERY_MAX_IMAGES:
            raise Conflict(
                f"A gallery holds at most {GALLERY_MAX_IMAGES} pictures; remove one before "
                "adding another.",
                field="file",
            )
        clean = checked_picture(
            raw, filename, max_bytes=GALLERY_MAX_BYTES, min_side=GALLERY_MIN_SIDE
        )
        large = thumbnail(clean, LARGE_SIDE)
        card = thumbnail(clean, CARD_SIDE)
        digest = sha256_hex(large.data)
        if await gallery_repository.by_hash(session, gig.id, digest) is not None:
            raise Conflict("This picture is in the gallery already.", field="file")
        stem = f"gigs/{gig.id}/{uuid.uuid4().hex}"
        image = GigImage(
            gig_id=gig.id,
            position=count,
            large_key=f"{stem}-large.{large.kind.extension}",
            card_key=f"{stem}-card.{card.kind.extension}",
            media_type=large.mime_type,
            width=large.width or 0,
            height=large.height or 0,
            byte_size=len(large.data),
            content_hash=digest,
            alt_text=(alt_text.strip() or gig.title)[:120],
            portfolio_sample_id=portfolio_sample_id,
        )
        await storage.put(image.large_key, large.data)
        await storage.put(image.card_key, card.data)
        try:
            async with session.begin_nested():
                await gallery_repository.add(session, image)
        except IntegrityError as exc:  # the same picture sent twice at once
            await storage.delete(image.large_key)
            await storage.delete(image.card_key)
            raise Conflict("This picture is in the gallery already.", field="file") from exc
        await self._renumber(session, gig)
        return image

    async def remove(
        self, session: AsyncSession, storage: ObjectStorage, user: User, gig_id: int, image_id: int
    ) -> None:
        gig = await gig_service.owned(session, user, gig_id)
        image = await self._of_gig(session, gig, image_id)
        keys = (image.large_key, image.card_key)
        await gallery_repository.delete(session, image)
        await self._renumber(session, gig)
        # After the row is gone: should the commit fail, the row is back without its files
        # and the page shows a missing picture rather than keeping files nobody can remove.
        for key in keys:
            await storage.delete(key)

    async def move(
        self, session: AsyncSession, user: User, gig_id: int, image_id: int, where: Move
    ) -> list[GigImage]:
        """Move a picture one place up or down, or to the front (it becomes the card image)."""
        gig = await gig_service.owned(session, user, gig_id)
        image = await self._of_gig(session, gig, image_id)
        images = await gallery_repository.for_gig(session, gig.id)
        index = images.index(image)
        images.pop(index)
        target = {"up": index - 1, "down": index + 1, "first": 0}[where]
        images.insert(max(0, min(target, len(images))), image)
        return await self._renumber(session, gig, images)

    async def picture(
        self,
        session: AsyncSession,
        storage: ObjectStorage,
        viewer: User | None,
        image_id: int,
        size: Size,
    ) -> StoredPicture:
        """A gallery picture for anyone who may see its gig (published, or the owner's)."""
        image = await gallery_repository.get(session, image_id)
        if image is None:
            raise NotFound("There is no such picture.")
        gig = await gig_service.public(session, image.gig_id, viewer)
        key = image.large_key if size == "large" else image.card_key
        try:
            data = await storage.get(key)
        except ObjectNotFound as exc:
            raise NotFound("This picture is missing from storage.") from exc
        return StoredPicture(data, image.media_type, public=gig.status == "published")

    # ---- avatars -------------------------------------------------------------------------

    async def set_avatar(
        self,
        session: AsyncSession,
        storage: ObjectStorage,
        user: User,
        raw: bytes,
        filename: str | None,
    ) -> FreelancerProfile:
        profile = await profile_service.for_user(session, user)
        clean = checked_picture(raw, filename, max_bytes=AVATAR_MAX_BYTES, min_side=AVATAR_MIN_SIDE)
        avatar = square(clean)
        old = profile.avatar_key
        profile.avatar_key = f"avatars/{user.id}/{uuid.uuid4().hex}.{avatar.kind.extension}"
        await storage.put(profile.avatar_key, avatar.data)
        await session.flush()
        if old:
            await storage.delete(old)
        return profile

    async def remove_avatar(
        self, session: AsyncSession, storage: ObjectStorage, user: User
    ) -> FreelancerProfile:
        profile = await profile_service.for_user(session, user)
        old, profile.avatar_key = profile.avatar_key, None
        await session.flush()
        if old:
            await storage.delete(old)
        return profile

    async def avatar(
        self, session: AsyncSession, storage: ObjectStorage, handle: str
    ) -> StoredPicture:
        profile = await profile_service.by_handle(session, handle)
        if not profile.avatar_key:
            raise NotFound(f"{profile.display_name} has no profile picture.")
        try:
            data = await storage.get(profile.avatar_key)
        except ObjectNotFound as exc:
            raise NotFound(f"{profile.display_name}'s profile picture is missing.") from exc
        extension = profile.avatar_key.rsplit(".", 1)[-1]
        kind = ImageKind.JPEG if extension == "jpg" else ImageKind(extension)
        return StoredPicture(data, kind.mime_type, public=True)

    # ---- helpers -------------------------------------------------------------------------

    async def _of_gig(self, session: AsyncSession, gig: Gig, image_id: int) -> GigImage:
        image = await gallery_repository.get(session, image_id)
        if image is None or image.gig_id != gig.id:
            raise NotFound("This gig has no such picture.")
        return image

    async def _renumber(
        self, session: AsyncSession, gig: Gig, ordered: list[GigImage] | None = None
    ) -> list[GigImage]:
        """Positions 0..n-1 in order, and the first picture as the gig's card image."""
        images = (
            ordered if ordered is not None else await gallery_repository.for_gig(session, gig.id)
        )
        for position, image in enumerate(images):
            image.position = position
        gig.cover_image_id = images[0].id if images else None
        await session.flush()
        return images


def ensure_alt_text(text: str) -> str:
    """Alternative text as typed, within the column's length."""
    if len(text) > 120:
        raise ValidationFailed(
            "Keep the description of the picture under 120 characters.", field="alt_text"
        )
    return text


gallery_service = GalleryService()
