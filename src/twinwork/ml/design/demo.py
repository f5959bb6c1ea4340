"""A synthetic portfolio in two house styles, and example designs for people to look at.

Used by the benchmark, the tests and ``write_screenshots``: drawn with the bundled fonts, so it
needs no files and no network, and its palettes and layouts are known exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from twinwork.ml.design.brief import AD_SIZES, Brief
from twinwork.ml.design.generator import generate_designs
from twinwork.ml.design.learn import learn_style
from twinwork.ml.design.reader import read_design
from twinwork.ml.design.typography import load_font


@dataclass(frozen=True)
class SyntheticPalette:
    background: str
    primary: str
    accent: str
    text: str


NAVY = SyntheticPalette(background="#0F1B3D", primary="#E4572E", accent="#FFB400", text="#F5F1E6")
"""The freelancer's style: dark navy ground, orange-red headlines, amber buttons."""
MINT = SyntheticPalette(background="#E8F6EF", primary="#1B4332", accent="#D62828", text="#081C15")

HEADLINES = (
    "Big autumn sale",
    "New studio open",
    "Fresh menu today",
    "Winter collection",
    "Book your class",
)
BODY = "Visit us this week for new arrivals and friendly advice from our team."


def _rgb(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def raster_design(
    palette: SyntheticPalette = NAVY,
    *,
    index: int = 0,
    align: str = "left",
    size: tuple[int, int] = (540, 540),
    photo: bool = True,
    fmt: str = "PNG",
) -> bytes:
    """A poster: headline at the top, body below, a button, a photo in the lower right."""
    w, h = size
    image = Image.new("RGB", size, _rgb(palette.background))
    draw = ImageDraw.Draw(image)
    m = int(0.07 * min(w, h))
    head_font = load_font("sans-bold", int(0.085 * min(w, h)))
    body_font = load_font("sans", int(0.036 * min(w, h)))
    cta_font = load_font("sans-bold", int(0.04 * min(w, h)))

    def x_for(text_w: float, box_w: int) -> int:
        return m if align == "left" else int(m + (box_w - text_w) / 2)

    text_w = int(w * 0.55) if photo else w - 2 * m
    words = HEADLINES[index % len(HEADLINES)].split(" ", 1)
    y = m
    for line in words:
        draw.text(
            (x_for(head_font.getlength(line), text_w), y),
            line,
            font=head_font,
            fill=_rgb(palette.primary),
        )
        y += int(head_font.size * 1.2)
    y += int(0.04 * h)
    for line in (BODY[:36], BODY[36:]):
        draw.text(
            (x_for(body_font.getlength(line), text_w), y),
            line.strip(),
            font=body_font,
            fill=_rgb(palette.text),
        )
        y += int(body_font.size * 1.5)
    y += int(0.05 * h)
    label = "Shop now"
    bw, bh = int(cta_font.getlength(label)) + 40, cta_font.size + 24
    bx = x_for(bw, text_w)
    draw.rounded_rectangle((bx, y, bx + bw, y + bh), radius=8, fill=_rgb(palette.accent))
    draw.text((bx + 20, y + 12), label, font=cta_font, fill=_rgb(palette.background))
    if photo:
        pw, ph = int(w * 0.32), int(h * 0.45)
        image.paste(Image.open(BytesIO(photo_bytes((pw, ph), index))), (w - m - pw, h - m - ph))
    buffer = BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def photo_bytes(size: tuple[int, int] = (400, 300), index: int = 0) -> bytes:
    """A stand-in photograph: a sky-to-ground gradient with a sun and some texture."""
    w, h = size
    rng = np.random.default_rng(index)
    y = np.linspace(0, 1, h)[:, None, None]
    x = np.linspace(0, 1, w)[None, :, None]
    sky = np.array([90, 160, 230]) * (1 - y) + np.array([240, 200, 120]) * y
    pixels = sky + 40 * np.sin(6 * x + index) + rng.normal(0, 4, size=(h, w, 3))
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
    ImageDraw.Draw(image).ellipse(
        (w // 3, h // 5, w // 3 + h // 3, h // 5 + h // 3), fill=(250, 230, 90)
    )
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def logo_bytes(size: tuple[int, int] = (200, 200)) -> bytes:
    """A round mark on transparency."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((0, 0, size[0] - 1, size[1] - 1), fill=(200, 40, 40, 255))
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def svg_design(
    palette: SyntheticPalette = NAVY,
    *,
    index: int = 0,
    family: str = "Playfair Display, serif",
    radius: int = 24,
    size: tuple[int, int] = (1080, 1080),
) -> bytes:
    w, h = size
    headline = HEADLINES[index % len(HEADLINES)]
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}">
  <rect x="0" y="0" width="{w}" height="{h}" fill="{palette.background}"/>
  <text x="80" y="200" font-family="{family}" font-size="96" font-weight="700"
        fill="{palette.primary}">{headline}</text>
  <text x="80" y="320" font-family="Inter, sans-serif" font-size="36" fill="{palette.text}">
    <tspan x="80" dy="0">Visit us this week for new arrivals</tspan>
    <tspan x="80" dy="48">and friendly advice from our team.</tspan>
  </text>
  <g id="cta-button">
    <rect x="80" y="480" width="300" height="90" rx="{radius}" fill="{palette.accent}"/>
    <text x="110" y="540" font-family="Inter, sans-serif" font-size="36" font-weight="700"
          fill="{palette.background}">Shop now</text>
  </g>
  <image x="600" y="560" width="400" height="440" href="photo.jpg"/>
</svg>
""".encode()


EXAMPLE_BRIEF_TEXT = (
    "Autumn menu, cooked slowly",
    "Seasonal plates from local farms, every evening from six. Book a table for two.",
    "Book now",
)


def example_brief() -> Brief:
    headline, body, cta = EXAMPLE_BRIEF_TEXT
    return Brief(headline, body, cta, logo=logo_bytes(), photo=photo_bytes((800, 600), 1))


def portfolio(palette: SyntheticPalette = NAVY, count: int = 20) -> list[bytes]:
    """A freelancer's portfolio: mostly raster posts, one in four an SVG."""
    return [
        svg_design(palette, index=i) if i % 4 == 3 else raster_design(palette, index=i)
        for i in range(count)
    ]


SCREENSHOT_SIZES = ("1080x1080", "1200x628", "300x250")


def write_screenshots(directory: Path) -> list[Path]:
    """Three example designs from a style learned on the synthetic navy portfolio, as
    ``design-<size>.png`` (the docs show them)."""
    style = learn_style([read_design(d) for d in portfolio(NAVY, 8)])
    sizes = [s for s in AD_SIZES if s.label in SCREENSHOT_SIZES]
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for design in generate_designs(style, example_brief(), sizes=sizes, variants=1):
        path = directory / f"design-{design.composition.size.label}.png"
        path.write_bytes(design.png)
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_screenshots(Path("docs/screenshots")):
        print(written_path)  # noqa: T201  # a command-line helper reports what it wrote
