"""Laying out a brief in one ad size, in a learned style: the generator's decisions.

Elements are placed by the style's layout statistics (where headline, body, photo, logo and
call to action sit, the margins, the alignment), but always as non-overlapping bands or
columns: a learned mean box can land text on a photo, a flow layout cannot. Text colours are
chosen from the palette for WCAG AA contrast (4.5:1) against what is actually behind them,
falling back to black or white, which always reach it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from twinwork.ml.design.brief import AdSize, Brief, too_long
from twinwork.ml.design.color import contrast_ratio, delta_e
from twinwork.ml.design.composition import (
    Block,
    Composition,
    PictureBlock,
    PxBox,
    RectBlock,
    TextBlock,
)
from twinwork.ml.design.fitting import LINE_SPACING, MIN_PX, FittedText, fit_text, max_chars
from twinwork.ml.design.raster_reader import open_image
from twinwork.ml.design.style import ALIGNMENTS, Box, Style
from twinwork.ml.design.typography import FONTS

AA_CONTRAST = 4.5
BANNER_ASPECT = 2.5
"""Wider than this, elements sit side by side in one row (leaderboards)."""


def _clamp(value: float, lo: float, hi: float) -> float:
    return min(max(value, lo), hi)


@dataclass(frozen=True)
class Scheme:
    name: str
    background: str
    headline: str
    body: str
    button: str
    button_text: str


def readable(background: str, preferred: list[str]) -> str:
    """The first preferred colour with AA contrast on the background, else black or white."""
    for color in preferred:
        if contrast_ratio(color, background) >= AA_CONTRAST:
            return color
    black, white = "#000000", "#FFFFFF"
    return (
        black if contrast_ratio(black, background) >= contrast_ratio(white, background) else white
    )


def color_scheme(style: Style, inverted: bool) -> Scheme:
    bg, primary = style.color("background"), style.color("primary")
    accent, text = style.color("accent"), style.color("text")
    if inverted:
        # The primary colour as the ground, where it is far enough from the usual background.
        new_bg = primary if delta_e(primary, bg) > 20 else text
        headline = readable(new_bg, [bg, accent, text])
        body = readable(new_bg, [bg, text, headline])
        button = accent if delta_e(accent, new_bg) > 15 else bg
        return Scheme(
            "inverted", new_bg, headline, body, button, readable(button, [new_bg, text, bg])
        )
    headline = readable(bg, [primary, text])
    body = readable(bg, [text, primary])
    button = accent if delta_e(accent, bg) > 15 else primary
    return Scheme("light", bg, headline, body, button, readable(button, [bg, text, primary]))


@dataclass(frozen=True)
class _Choices:
    """What a variant changes; variant 0 follows the style most closely."""

    inverted: bool
    alignment: str
    flip_photo: bool
    scale: float


def _choices(style: Style, variant: int, seed: int) -> _Choices:
    dominant = style.layout.alignment
    if variant == 0:
        return _Choices(False, dominant, False, 1.0)
    rng = np.random.default_rng([seed, variant])
    others = [a for a in ALIGNMENTS if a != dominant]
    alignment = dominant if rng.random() < 0.5 else others[int(rng.integers(len(others)))]
    return _Choices(
        inverted=bool(variant % 2 == 1),
        alignment=alignment,
        flip_photo=bool(rng.random() < 0.35),
        scale=float(rng.uniform(0.85, 1.1)),
    )


def compose(
    style: Style, brief: Brief, size: AdSize, *, variant: int = 0, seed: int = 0
) -> Composition:
    choices = _choices(style, variant, seed)
    scheme = color_scheme(style, choices.inverted)
    layout = _Layout(style, brief, size, scheme, choices)
    if size.aspect >= BANNER_ASPECT:
        layout.banner()
    else:
        layout.stacked()
    return Composition(
        size=size,
        background=scheme.background,
        blocks=tuple(layout.blocks),
        variant=variant,
        scheme=scheme.name,
        omitted=tuple(layout.omitted),
    )


class BriefImageError(ValueError):
    """The brief's logo or photo is not an image the generator can place."""


def _fit_picture(role: str, data: bytes, box: PxBox, *, cover: bool) -> tuple[Image.Image, PxBox]:
    try:
        image = open_image(data, keep_alpha=not cover)
    except (OSError, ValueError) as exc:  # Pillow's UnidentifiedImageError is an OSError
        name = "photo" if role == "image" else role
        raise BriefImageError(f"the {name} is not a PNG, JPEG or WebP image: {exc}") from exc
    if cover:
        fitted = ImageOps.fit(image, (box.w, box.h), Image.Resampling.LANCZOS)
        return fitted, box
    fitted = ImageOps.contain(image, (box.w, box.h), Image.Resampling.LANCZOS)
    return fitted, PxBox(box.x, box.y, fitted.width, fitted.height)


class _Layout:
    def __init__(
        self, style: Style, brief: Brief, size: AdSize, scheme: Scheme, choices: _Choices
    ) -> None:
        self.style = style
        self.brief = brief
        self.size = size
        self.scheme = scheme
        self.choices = choices
        self.short = min(size.width, size.height)
        self.blocks: list[Block] = []
        self.omitted: list[str] = []
        self.gap = max(4, round(0.03 * self.short))

    # ---- helpers -----------------------------------------------------------------------

    def stat(self, role: str) -> Box:
        return self.style.layout.elements[role].box

    def font_key(self, role: str) -> str:
        key = self.style.font(role).render_font
        return key if key in FONTS else "sans"

    def fit(
        self,
        role: str,
        text: str,
        width: int,
        height: int,
        max_px: int,
        max_lines: int | None = None,
    ) -> FittedText | None:
        return fit_text(
            text,
            self.font_key(role),
            width=max(width, 1),
            height=max(height, 1),
            max_px=max_px,
            min_px=MIN_PX[role],
            spacing=LINE_SPACING[role],
            max_lines=max_lines,
        )

    def fail(self, role: str, text: str, width: int, height: int) -> Exception:
        chars = max_chars(
            text,
            self.font_key(role),
            width=width,
            height=height,
            px=MIN_PX[role],
            spacing=LINE_SPACING[role],
        )
        return too_long(role, self.size, MIN_PX[role], chars)

    def place_text(
        self,
        role: str,
        fitted: FittedText,
        x: int,
        y: int,
        width: int,
        align: str,
        color: str,
        background: str,
    ) -> TextBlock:
        baselines = tuple(
            (_aligned(x, width, line_width, align), y + fitted.ascent + i * fitted.line_height)
            for i, line_width in enumerate(fitted.widths)
        )
        face = FONTS[self.font_key(role)]
        return TextBlock(
            role=role,
            box=PxBox(_aligned(x, width, fitted.width, align), y, fitted.width, fitted.height),
            lines=fitted.lines,
            baselines=baselines,
            font_key=face.key,
            family=face.family,
            generic=face.generic,
            weight=face.weight,
            px=fitted.px,
            color=color,
            background=background,
        )

    def button(
        self, x: int, y: int, max_w: int, max_h: int, align: str
    ) -> tuple[RectBlock, TextBlock] | None:
        """The call to action: a label on a filled box with the style's corners."""
        text = self.brief.cta.strip()
        pad_x = max(6, round(0.025 * self.short))
        pad_y = max(3, round(0.012 * self.short))
        target = max(MIN_PX["cta"], round(0.035 * self.short * self.choices.scale))
        fitted = self.fit(
            "cta", text, max_w - 2 * pad_x, max_h - 2 * pad_y, min(target, max_h), max_lines=2
        )
        if fitted is None:
            return None
        w, h = fitted.width + 2 * pad_x, fitted.height + 2 * pad_y
        bx = _aligned(x, max_w, w, align)
        radius = round(_clamp(self.style.shapes.corner_radius, 0.0, 0.5) * h)
        rect = RectBlock("cta", PxBox(bx, y, w, h), self.scheme.button, radius)
        label = self.place_text(
            "cta",
            fitted,
            bx + pad_x,
            y + pad_y,
            fitted.width,
            "center",
            self.scheme.button_text,
            self.scheme.button,
        )
        return rect, label

    def picture(
        self, role: str, data: bytes, box: PxBox, *, cover: bool, align: str = "center"
    ) -> PxBox:
        image, fitted = _fit_picture(role, data, box, cover=cover)
        if not cover:
            # A logo keeps its proportions; it sits at the box's edge the layout asks for.
            x = _aligned(box.x, box.w, fitted.w, align)
            fitted = PxBox(x, box.y + (box.h - fitted.h) // 2, fitted.w, fitted.h)
            self.blocks.append(PictureBlock(role, fitted, image, 0))
            return fitted
        # Photos take the style's corners, but never so round that the picture turns into a
        # lozenge when buttons are pills.
        corner = min(_clamp(self.style.shapes.corner_radius, 0, 0.5), 0.08)
        self.blocks.append(
            PictureBlock(role, fitted, image, round(corner * min(fitted.w, fitted.h)))
        )
        return fitted

    # ---- square, tall and landscape sizes ----------------------------------------------

    def stacked(self) -> None:
        W, H = self.size.width, self.size.height
        m = max(6, round(_clamp(self.style.layout.margin, 0.04, 0.12) * self.short))
        ax, ay, aw, ah = m, m, W - 2 * m, H - 2 * m
        align = self.choices.alignment
        gap = self.gap

        if self.brief.logo is not None:
            logo = self.stat("logo")
            logo_h = round(_clamp(logo.h * H / self.short, 0.06, 0.14) * self.short)
            top = logo.cy < 0.5
            horizontal = "left" if logo.cx < 0.35 else "right" if logo.cx > 0.65 else "center"
            if self.style.layout.elements["logo"].frequency == 0:
                # No logo in the portfolio: line it up with the text rather than a default spot.
                horizontal = align
            y = ay if top else ay + ah - logo_h
            placed = self.picture(
                "logo", self.brief.logo, PxBox(ax, y, aw, logo_h), cover=False, align=horizontal
            )
            if top:
                ay, ah = placed.bottom + gap, ah - (placed.bottom + gap - ay)
            else:
                ah = placed.y - gap - ay

        if self.brief.photo is not None:
            image, head = self.stat("image"), self.stat("headline")
            # A tall format has no width to share: its photo always takes a band.
            side_by_side = self.size.aspect >= 1.5 or (
                self.size.aspect >= 0.8 and image.w < 0.6 and abs(image.cx - head.cx) > 0.25
            )
            if side_by_side:
                pw = round(_clamp(image.w, 0.35, 0.55) * aw)
                left = (image.cx < head.cx) != self.choices.flip_photo
                px = ax if left else ax + aw - pw
                # The photo keeps the height and place the designer gives it in its column.
                ph = max(round(_clamp(image.h, 0.3, 1.0) * H), round(0.4 * ah))
                ph = min(ph, ah)
                py = min(max(round(image.y * H), ay), ay + ah - ph)
                self.picture("image", self.brief.photo, PxBox(px, py, pw, ph), cover=True)
                ax, aw = (ax + pw + gap, aw - pw - gap) if left else (ax, aw - pw - gap)
            else:
                ph = round(_clamp(image.h, 0.25, 0.45) * ah)
                top = (image.cy < head.cy) != self.choices.flip_photo
                py = ay if top else ay + ah - ph
                self.picture("image", self.brief.photo, PxBox(ax, py, aw, ph), cover=True)
                ay, ah = (ay + ph + gap, ah - ph - gap) if top else (ay, ah - ph - gap)

        self.text_column(ax, ay, aw, ah, align)

    def text_column(self, ax: int, ay: int, aw: int, ah: int, align: str) -> None:
        brief, scheme, gap = self.brief, self.scheme, self.gap
        roles = (
            ["headline"]
            + (["body"] if brief.body.strip() else [])
            + (["cta"] if brief.cta.strip() else [])
        )
        order = sorted(roles, key=lambda r: self.stat(r).cy)
        placed: dict[str, list[Block]] = {}
        remaining = ah - gap * (len(roles) - 1)

        if "cta" in roles:
            made = self.button(0, 0, aw, max(round(0.16 * ah), MIN_PX["cta"] * 3), align)
            if made is None:
                raise self.fail("cta", brief.cta, aw, round(0.16 * ah))
            placed["cta"] = list(made)
            remaining -= made[0].box.h

        head_share = self.stat("headline").h
        body_share = self.stat("body").h if "body" in roles else 0.0
        head_room = (
            round(remaining * head_share / (head_share + body_share)) if body_share else remaining
        )
        head_max = round(
            self.style.layout.headline_scale
            * self.short
            / LINE_SPACING["headline"]
            * self.choices.scale
        )
        head_max = min(max(head_max, MIN_PX["headline"]), round(0.16 * self.short))
        headline = self.fit("headline", brief.headline, aw, head_room, head_max)
        if headline is None and body_share:
            # The body can give up room before the headline gives up legibility.
            headline = self.fit("headline", brief.headline, aw, round(remaining * 0.8), head_max)
        if headline is None:
            raise self.fail("headline", brief.headline, aw, remaining)
        placed["headline"] = [
            self.place_text(
                "headline", headline, 0, 0, aw, align, scheme.headline, scheme.background
            )
        ]
        if "body" in roles:
            body_room = remaining - headline.height
            body_max = round(self.style.layout.body_scale * self.short / LINE_SPACING["body"])
            body_max = min(
                max(body_max, MIN_PX["body"]), max(round(headline.px * 0.8), MIN_PX["body"])
            )
            body_w = round(
                aw * _clamp(self.stat("body").w / max(self.stat("headline").w, 1e-6), 0.7, 1.0)
            )
            body = self.fit("body", brief.body, body_w, body_room, body_max)
            if body is None:
                body_w = aw
                body = self.fit("body", brief.body, aw, body_room, body_max)
            if body is None:
                raise self.fail("body", brief.body, aw, body_room)
            placed["body"] = [
                self.place_text(
                    "body",
                    body,
                    _aligned(0, aw, body_w, align),
                    0,
                    body_w,
                    align,
                    scheme.body,
                    scheme.background,
                )
            ]

        total = sum(placed[r][0].box.h for r in order) + gap * (len(order) - 1)
        first = self.stat(order[0])
        anchor = 0.0 if first.y < 0.3 else 1.0 if first.y > 0.55 else 0.5
        y = ay + round((ah - total) * anchor)
        for role in order:
            top = placed[role][0].box.y
            for block in placed[role]:
                self.blocks.append(_shift(block, ax, y - top))
            y += placed[role][0].box.h + gap

    # ---- one row: leaderboards -----------------------------------------------------------

    def banner(self) -> None:
        W, H = self.size.width, self.size.height
        m = max(6, round(0.1 * H))
        mx = max(m, round(0.02 * W))
        ax, ay, aw, ah = mx, m, W - 2 * mx, H - 2 * m
        gap = max(self.gap, round(0.015 * W))
        if self.brief.photo is not None:
            pw = min(round(H * 1.5), round(0.22 * W))
            self.picture("image", self.brief.photo, PxBox(0, 0, pw, H), cover=True)
            ax, aw = pw + gap, aw - (pw + gap - mx)
        if self.brief.logo is not None:
            lw = min(round(ah * 2.5), round(0.16 * W))
            placed = self.picture(
                "logo", self.brief.logo, PxBox(ax, ay, lw, ah), cover=False, align="left"
            )
            aw -= placed.right + gap - ax
            ax = placed.right + gap
        if self.brief.cta.strip():
            made = self.button(ax, ay, round(0.3 * aw), ah, "right")
            if made is None:
                raise self.fail("cta", self.brief.cta, round(0.3 * aw), ah)
            rect, label = made
            shift = ax + aw - rect.box.right
            dy = ay + (ah - rect.box.h) // 2 - rect.box.y
            self.blocks += [_shift(rect, shift, dy), _shift(label, shift, dy)]
            aw = rect.box.x + shift - gap - ax
        head_max = round(0.5 * ah)
        align = "left" if self.choices.alignment != "center" else "center"
        if self.brief.body.strip():
            headline = self.fit(
                "headline", self.brief.headline, aw, round(ah * 0.55), head_max, max_lines=1
            )
            body = None
            if headline is not None:
                room = ah - headline.height - max(2, gap // 3)
                body = self.fit(
                    "body", self.brief.body, aw, room, max(round(headline.px * 0.7), MIN_PX["body"])
                )
            if headline is not None and body is not None:
                total = headline.height + max(2, gap // 3) + body.height
                y = ay + (ah - total) // 2
                self.blocks.append(
                    self.place_text(
                        "headline",
                        headline,
                        ax,
                        y,
                        aw,
                        align,
                        self.scheme.headline,
                        self.scheme.background,
                    )
                )
                y += headline.height + max(2, gap // 3)
                self.blocks.append(
                    self.place_text(
                        "body", body, ax, y, aw, align, self.scheme.body, self.scheme.background
                    )
                )
                return
            # A leaderboard has room for the headline alone; the body is left out, not cut.
            self.omitted.append("body")
        headline = self.fit("headline", self.brief.headline, aw, ah, head_max)
        if headline is None:
            raise self.fail("headline", self.brief.headline, aw, ah)
        y = ay + (ah - headline.height) // 2
        self.blocks.append(
            self.place_text(
                "headline", headline, ax, y, aw, align, self.scheme.headline, self.scheme.background
            )
        )


def _aligned(x: int, width: int, inner: int, align: str) -> int:
    """Left edge of something ``inner`` wide, aligned within [x, x + width]."""
    if align == "center":
        return x + (width - inner) // 2
    if align == "right":
        return x + width - inner
    return x


def _shift(block: Block, dx: int, dy: int) -> Block:
    box = PxBox(block.box.x + dx, block.box.y + dy, block.box.w, block.box.h)
    if isinstance(block, TextBlock):
        baselines = tuple((x + dx, y + dy) for x, y in block.baselines)
        return dataclasses.replace(block, box=box, baselines=baselines)
    return dataclasses.replace(block, box=box)
