"""A cover picture for every demo gig, drawn here (nothing is downloaded), so search results
and gig pages show what a marketplace with pictures looks like. Each goes through the same
gallery pipeline as an upload (catalog.gallery). Loading twice adds nothing."""

from __future__ import annotations

import io
import os
import zlib

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.catalog.gallery.service import gallery_service
from twinwork.catalog.models import Gig
from twinwork.config import get_settings
from twinwork.kit.storage import make_storage

SIZE = (960, 720)
FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
# (background, ink, accent): calm, high-contrast pairs.
PALETTES = (
    ("#0f1b3d", "#f5efe6", "#e4572e"),
    ("#f5efe6", "#1d3557", "#2a9d8f"),
    ("#1f6f5c", "#fdf6e3", "#f4b740"),
    ("#fdf0e6", "#3d2c8d", "#ff7a59"),
    ("#22223b", "#f2e9e4", "#9a8c98"),
    ("#e8f1f2", "#13293d", "#006494"),
)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if os.path.exists(FONT_FILE):
        return ImageFont.truetype(FONT_FILE, size)
    return ImageFont.load_default(size)


def cover(category: str, seed: int) -> bytes:
    """A poster-like cover: a field of colour, a motif and the category's name."""
    background, ink, accent = PALETTES[seed % len(PALETTES)]
    image = Image.new("RGB", SIZE, background)
    draw = ImageDraw.Draw(image)
    motif = seed % 3
    if motif == 0:  # a mark: circle and bars
        draw.ellipse((80, 110, 400, 430), fill=accent)
        draw.rectangle((470, 150, 880, 190), fill=ink)
        draw.rectangle((470, 230, 760, 260), fill=accent)
    elif motif == 1:  # a page of text
        for row in range(6):
            width = 760 - (row * 53) % 260
            draw.rounded_rectangle((80, 110 + row * 52, 80 + width, 136 + row * 52), 8, fill=ink)
        draw.rectangle((80, 110, 92, 396), fill=accent)
    else:  # a grid of nodes, for data and AI work
        for x in range(5):
            for y in range(3):
                centre = (140 + x * 170, 150 + y * 110)
                draw.ellipse(
                    (centre[0] - 22, centre[1] - 22, centre[0] + 22, centre[1] + 22),
                    fill=accent if (x + y + seed) % 4 == 0 else ink,
                )
    # The category, not the title: the card and the page print the title beside it.
    font = _font(48)
    for row, line in enumerate(_wrap(draw, category, font, SIZE[0] - 160, lines=2)):
        draw.text((80, 520 + row * 60), line, fill=ink, font=font)
    draw.rectangle((80, 490, 200, 500), fill=accent)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88)
    return out.getvalue()


def _wrap(
    draw: ImageDraw.ImageDraw,
    text: str,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    width: int,
    lines: int,
) -> list[str]:
    """Words in at most ``lines`` lines no wider than ``width``; an ellipsis when cut."""
    out: list[str] = []
    words = text.split()
    while words and len(out) < lines:
        line = words.pop(0)
        while words and draw.textlength(f"{line} {words[0]}", font=font) <= width:
            line = f"{line} {words.pop(0)}"
        out.append(line)
    if words and out:
        out[-1] = out[-1].rstrip(",:;") + " …"
    return out


async def ensure_gig_pictures(session: AsyncSession) -> int:
    """A cover for each published demo gig that has none; returns how many were added."""
    storage = make_storage(get_settings())
    gigs = list(
        await session.scalars(
            select(Gig)
            .where(Gig.status == "published", Gig.cover_image_id.is_(None))
            .order_by(Gig.id)
        )
    )
    added = 0
    for gig in gigs:
        owner = await session.get(User, gig.freelancer_id)
        if owner is None or not owner.email.endswith("@demo.twinwork.test"):
            continue
        picture = cover(gig.category.name, zlib.crc32(gig.title.encode()))
        await gallery_service.add(
            session, storage, owner, gig.id, picture, filename="cover.jpg", alt_text=gig.title
        )
        added += 1
    return added
