"""Pictures for people: the learned style at a glance, and watermarked previews."""

from __future__ import annotations

import math
from io import BytesIO

import numpy as np
from PIL import Image, ImageDraw

from twinwork.ml.design.color import contrast_ratio, parse_hex
from twinwork.ml.design.render import to_png
from twinwork.ml.design.style import ELEMENT_ROLES, Style
from twinwork.ml.design.typography import load_font

HEATMAP_COLORS = {
    "headline": (230, 57, 70),
    "body": (29, 53, 87),
    "image": (42, 157, 143),
    "logo": (244, 162, 97),
    "cta": (131, 56, 236),
}
SAMPLE_LINE = "Bright ideas, boldly set"


def style_picture(style: Style) -> bytes:
    """Palette swatches with roles, the fonts set in a sample line, and a heat map of where
    each element sits in the designs (PNG)."""
    width, height = 1200, 760
    image = Image.new("RGB", (width, height), (250, 250, 248))
    draw = ImageDraw.Draw(image)
    label = load_font("sans", 18)
    title = load_font("sans-bold", 26)
    draw.text((40, 30), "Palette", font=title, fill=(20, 20, 20))
    swatch = 120
    for i, color in enumerate(style.palette[:7]):
        x = 40 + i * (swatch + 20)
        draw.rounded_rectangle((x, 75, x + swatch, 75 + swatch), 12, fill=parse_hex(color.hex))
        draw.rounded_rectangle((x, 75, x + swatch, 75 + swatch), 12, outline=(200, 200, 200))
        ink = "#000000" if contrast_ratio("#000000", color.hex) > 4.5 else "#FFFFFF"
        draw.text(
            (x + 10, 75 + swatch - 28), f"{color.weight:.0%}", font=label, fill=parse_hex(ink)
        )
        lock = " (locked)" if color.locked else ""
        draw.text((x, 205), f"{color.role}{lock}", font=label, fill=(40, 40, 40))
        draw.text((x, 228), color.hex, font=label, fill=(110, 110, 110))

    draw.text((40, 280), "Type", font=title, fill=(20, 20, 20))
    y = 325
    for font in style.fonts:
        draw.text(
            (40, y), f"{font.role}: {font.family} {font.weight}", font=label, fill=(110, 110, 110)
        )
        sample = load_font(font.render_font, 34)
        while sample.getlength(SAMPLE_LINE) > 640 and sample.size > 12:
            sample = load_font(font.render_font, sample.size - 2)
        draw.text((40, y + 24), SAMPLE_LINE, font=sample, fill=(20, 20, 20))
        y += 80

    draw.text((720, 280), "Layout", font=title, fill=(20, 20, 20))
    heat = layout_heatmap(style, 400)
    image.paste(heat, (720, 325))
    lx = 720
    for role in ELEMENT_ROLES:
        draw.rectangle((lx, 735, lx + 14, 749), fill=HEATMAP_COLORS[role])
        draw.text((lx + 18, 731), role, font=load_font("sans", 15), fill=(40, 40, 40))
        lx += 96
    return to_png(image)


def layout_heatmap(style: Style, side: int) -> Image.Image:
    """Every observed element box, accumulated per role and tinted by role, on a square."""
    acc = np.zeros((side, side, 3))
    for role, stats in style.layout.elements.items():
        boxes = stats.boxes or ((stats.box,) if stats.frequency > 0 else ())
        if not boxes:
            continue
        density = np.zeros((side, side))
        for b in boxes:
            x0, y0 = int(max(b.x, 0) * side), int(max(b.y, 0) * side)
            x1, y1 = int(min(b.x + b.w, 1) * side), int(min(b.y + b.h, 1) * side)
            density[y0:y1, x0:x1] += 1
        density /= max(density.max(), 1)
        acc += density[..., None] * (255 - np.array(HEATMAP_COLORS[role]))[None, None, :] * 0.8
    pixels = np.clip(255 - acc, 0, 255).astype(np.uint8)
    heat = Image.fromarray(pixels, "RGB")
    ImageDraw.Draw(heat).rectangle((0, 0, side - 1, side - 1), outline=(180, 180, 180))
    return heat


def watermarked_preview(png: bytes, *, max_side: int = 540, mark: str = "PREVIEW") -> bytes:
    """A reduced copy with a visible diagonal mark repeated across it: enough to judge a
    design, not to use it."""
    image = Image.open(BytesIO(png)).convert("RGB")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    w, h = image.size
    diagonal = int(math.hypot(w, h))
    layer = Image.new("L", (diagonal, diagonal), 0)
    draw = ImageDraw.Draw(layer)
    px = max(12, diagonal // 14)
    font = load_font("sans-bold", px)
    step_x = int(font.getlength(mark + "   ")) or px * 4
    for row, y in enumerate(range(0, diagonal, px * 3)):
        offset = (row % 2) * step_x // 2
        for x in range(-step_x, diagonal, step_x):
            draw.text((x + offset, y), mark, font=font, fill=110)
    layer = layer.rotate(30, resample=Image.Resampling.BICUBIC)
    left, top = (diagonal - w) // 2, (diagonal - h) // 2
    alpha = layer.crop((left, top, left + w, top + h))
    # White marks with a dark edge stay visible on light and dark designs alike.
    shadow = Image.new("RGB", (w, h), (0, 0, 0))
    image.paste(shadow, (1, 1), alpha.point(lambda v: v // 2))
    image.paste(Image.new("RGB", (w, h), (255, 255, 255)), (0, 0), alpha)
    return to_png(image)
