"""Reading a design from an SVG file: shapes, text, images, their colours and boxes.

SVG states what raster files only hint at (font families and weights, corner radii, which
text is which when layers are named), so it is read directly rather than rasterised. Files come
from users, so the XML goes through defusedxml. Only what design tools commonly export is read:
rect, circle, ellipse, polygon, image, text with tspans, nested groups with ``translate``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element as XmlElement

import defusedxml.ElementTree as SafeET

from twinwork.ml.design.color import contrast_ratio, parse_hex, to_hex
from twinwork.ml.design.observation import (
    ColorSample,
    DesignObservation,
    Element,
    covered_share,
)
from twinwork.ml.design.style import Box
from twinwork.ml.design.typography import match_family

_NAMED = {
    "white": "#FFFFFF",
    "black": "#000000",
    "red": "#FF0000",
    "green": "#008000",
    "blue": "#0000FF",
    "yellow": "#FFFF00",
    "orange": "#FFA500",
    "gray": "#808080",
    "grey": "#808080",
    "navy": "#000080",
    "purple": "#800080",
}
_ROLE_WORDS = (
    ("headline", ("headline", "title", "heading")),
    ("cta", ("cta", "button", "call-to-action")),
    ("logo", ("logo", "brand-mark")),
    ("image", ("photo", "image", "picture", "hero")),
    ("body", ("body", "copy", "description", "subtitle")),
)
_INHERITED = ("fill", "font-family", "font-size", "font-weight", "text-anchor")


class SvgDesignError(ValueError):
    """The file is not an SVG this reader understands."""


@dataclass
class _Shape:
    box: Box
    fill: str
    area: float
    radius: float | None


@dataclass
class _Text:
    box: Box
    fill: str
    size: float
    family: str
    weight: int
    align: str
    role: str | None
    chars: int


@dataclass
class _Found:
    shapes: list[_Shape] = field(default_factory=list)
    texts: list[_Text] = field(default_factory=list)
    images: list[tuple[Box, str | None]] = field(default_factory=list)


def parse_color(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip().lower()
    if text in ("", "none", "transparent") or text.startswith("url("):
        return None
    if text in _NAMED:
        return _NAMED[text]
    if text.startswith("#"):
        try:
            return to_hex(parse_hex(text))
        except ValueError:
            return None
    match = re.fullmatch(r"rgba?\(([^)]*)\)", text)
    if match:
        parts = [p.strip() for p in match.group(1).split(",")]
        try:
            rgb = tuple(
                int(float(p.rstrip("%")) * (2.55 if p.endswith("%") else 1)) for p in parts[:3]
            )
        except ValueError:
            return None
        if len(rgb) == 3:
            return to_hex((rgb[0], rgb[1], rgb[2]))
    return None


def _number(value: str | None, default: float = 0.0, *, relative_to: float = 0.0) -> float:
    if value is None:
        return default
    text = value.strip()
    try:
        if text.endswith("%"):
            return float(text[:-1]) * relative_to * 0.01  # a percentage of relative_to
        return float(re.sub(r"(px|pt)$", "", text))
    except ValueError:
        return default


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attrs(node: XmlElement, inherited: dict[str, str]) -> dict[str, str]:
    attrs = dict(inherited)
    for key in _INHERITED:
        if key in node.attrib:
            attrs[key] = node.attrib[key]
    for declaration in node.attrib.get("style", "").split(";"):
        if ":" in declaration:
            key, value = (p.strip() for p in declaration.split(":", 1))
            if key in _INHERITED or key in ("rx",):
                attrs[key] = value
    return attrs


def _role_of(node: XmlElement, inherited: str | None) -> str | None:
    # Layer names as design tools export them: ids (Figma, Illustrator), classes, data-role,
    # and Inkscape's namespaced label.
    label = " ".join(
        value
        for key, value in node.attrib.items()
        if _local(key) in ("data-role", "id", "class", "label", "data-name")
    ).lower()
    for role, words in _ROLE_WORDS:
        if any(word in label for word in words):
            return role
    return inherited


def _translate(node: XmlElement) -> tuple[float, float]:
    match = re.search(
        r"translate\(\s*([-\d.eE]+)[\s,]*([-\d.eE]+)?", node.attrib.get("transform", "")
    )
    if not match:
        return 0.0, 0.0
    return float(match.group(1)), float(match.group(2) or 0.0)


def read_svg(data: bytes) -> DesignObservation:
    try:
        root = SafeET.fromstring(data)
    except Exception as exc:  # defusedxml raises several unrelated types for bad input
        raise SvgDesignError(f"not a readable SVG file: {exc}") from exc
    if _local(root.tag) != "svg":
        raise SvgDesignError("the file's root element is not <svg>")
    view = [float(v) for v in re.split(r"[\s,]+", root.attrib.get("viewBox", "").strip()) if v]
    if len(view) == 4 and view[2] > 0 and view[3] > 0:
        width, height = view[2], view[3]
    else:
        width = _number(root.attrib.get("width"), 0.0)
        height = _number(root.attrib.get("height"), 0.0)
    if width <= 0 or height <= 0:
        raise SvgDesignError("the SVG has neither a viewBox nor a width and height")
    found = _Found()
    _walk(root, found, {"fill": "#000000"}, None, (0.0, 0.0), width, height)
    return _observe(found, int(round(width)), int(round(height)))


def _walk(
    node: XmlElement,
    found: _Found,
    inherited: dict[str, str],
    role: str | None,
    offset: tuple[float, float],
    width: float,
    height: float,
) -> None:
    for child in node:
        tag = _local(child.tag)
        attrs = _attrs(child, inherited)
        child_role = _role_of(child, role)
        dx, dy = _translate(child)
        origin = (offset[0] + dx, offset[1] + dy)
        if tag in ("defs", "clipPath", "mask", "linearGradient", "radialGradient", "style"):
            continue
        if tag == "g" or tag == "a":
            _walk(child, found, attrs, child_role, origin, width, height)
        elif tag in ("rect", "circle", "ellipse", "polygon", "path"):
            shape = _shape(child, tag, attrs, origin, width, height)
            if shape is not None:
                found.shapes.append(shape)
        elif tag == "image":
            a = child.attrib
            box = Box(
                (origin[0] + _number(a.get("x"))) / width,
                (origin[1] + _number(a.get("y"))) / height,
                _number(a.get("width"), relative_to=width) / width,
                _number(a.get("height"), relative_to=height) / height,
            )
            found.images.append((box, child_role))
        elif tag == "text":
            text = _text(child, attrs, child_role, origin, width, height)
            if text is not None:
                found.texts.append(text)


def _shape(
    node: XmlElement,
    tag: str,
    attrs: dict[str, str],
    origin: tuple[float, float],
    width: float,
    height: float,
) -> _Shape | None:
    fill = parse_color(attrs.get("fill"))
    if fill is None:
        return None
    a: dict[str, Any] = node.attrib
    radius: float | None = None
    if tag == "rect":
        x, y = _number(a.get("x"), relative_to=width), _number(a.get("y"), relative_to=height)
        w = _number(a.get("width"), relative_to=width)
        h = _number(a.get("height"), relative_to=height)
        area = w * h
        rx = _number(a.get("rx", a.get("ry", attrs.get("rx"))), 0.0)
        radius = min(rx / max(min(w, h), 1e-9), 0.5)
    elif tag in ("circle", "ellipse"):
        rx = _number(a.get("r", a.get("rx")))
        ry = _number(a.get("r", a.get("ry")))
        x, y = _number(a.get("cx")) - rx, _number(a.get("cy")) - ry
        w, h, area = 2 * rx, 2 * ry, math.pi * rx * ry
    else:
        numbers = [
            float(n)
            for n in re.findall(r"-?\d+\.?\d*(?:[eE]-?\d+)?", a.get("points", a.get("d", "")))
        ]
        xs, ys = numbers[0::2], numbers[1::2]
        if len(xs) < 2 or len(ys) < 2:
            return None
        x, y, w, h = min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)
        # A polygon's own area by the shoelace formula; a path's is only guessed from its box.
        if tag == "polygon" and len(xs) == len(ys):
            area = 0.5 * abs(sum(xs[i] * ys[i - 1] - xs[i - 1] * ys[i] for i in range(len(xs))))
        else:
            area = 0.5 * w * h
    if w <= 0 or h <= 0:
        return None
    box = Box((origin[0] + x) / width, (origin[1] + y) / height, w / width, h / height)
    return _Shape(box, fill, area / (width * height), radius)


def _text(
    node: XmlElement,
    attrs: dict[str, str],
    role: str | None,
    origin: tuple[float, float],
    width: float,
    height: float,
) -> _Text | None:
    lines: list[str] = []
    if node.text and node.text.strip():
        lines.append(node.text.strip())
    for tspan in node:
        if _local(tspan.tag) == "tspan":
            content = "".join(tspan.itertext()).strip()
            if content:
                lines.append(content)
    if not lines:
        return None
    fill = parse_color(attrs.get("fill")) or "#000000"
    size = _number(attrs.get("font-size"), 16.0)
    weight_text = attrs.get("font-weight", "400").strip().lower()
    weight = {"bold": 700, "bolder": 800, "normal": 400, "lighter": 300}.get(weight_text)
    if weight is None:
        weight = int(_number(weight_text, 400))
    family = attrs.get("font-family", "sans-serif").strip()
    anchor = attrs.get("text-anchor", "start")
    align = {"middle": "center", "end": "right"}.get(anchor, "left")
    # Without the font's metrics, a line's width is estimated from an average advance.
    advance = 0.6 if weight >= 600 else 0.55
    text_w = max(len(line) for line in lines) * size * advance
    text_h = size * 1.2 * len(lines)
    x = origin[0] + _number(node.attrib.get("x"))
    baseline = origin[1] + _number(node.attrib.get("y"))
    left = x - text_w / 2 if align == "center" else x - text_w if align == "right" else x
    box = Box(left / width, (baseline - size * 0.9) / height, text_w / width, text_h / height)
    return _Text(box, fill, size, family, weight, align, role, sum(len(s) for s in lines))


def _inside(inner: Box, outer: Box) -> bool:
    return outer.x <= inner.cx <= outer.x + outer.w and outer.y <= inner.cy <= outer.y + outer.h


def _observe(found: _Found, width: int, height: int) -> DesignObservation:
    min_side = min(width, height)
    background = next((s for s in found.shapes if s.area >= 0.9), None)
    bg_hex = background.fill if background is not None else "#FFFFFF"
    shapes = [s for s in found.shapes if s is not background]
    colors: list[ColorSample] = []
    elements: list[Element] = []

    # A small box with text on it is a button: the call to action.
    cta_shape: _Shape | None = None
    cta_text: _Text | None = None
    for text in found.texts:
        if text.role not in (None, "cta"):
            continue
        host = next((s for s in shapes if s.area < 0.15 and _inside(text.box, s.box)), None)
        if host is not None and (cta_text is None or text.role == "cta"):
            cta_shape, cta_text = host, text
    if cta_text is None:
        cta_text = next((t for t in found.texts if t.role == "cta"), None)
    free = [t for t in found.texts if t is not cta_text]
    headline = next((t for t in free if t.role == "headline"), None)
    if headline is None and free:
        headline = max(free, key=lambda t: t.size)
    bodies = [t for t in free if t is not headline and t.role in (None, "body")]

    bg_weight = 1.0 - sum(min(s.area, 1.0) for s in shapes)
    colors.append(ColorSample(bg_hex, max(bg_weight, 0.05), "background"))
    for shape in shapes:
        hint = "accent" if shape is cta_shape else None
        colors.append(ColorSample(shape.fill, shape.area, hint))

    def add_text(text: _Text, role: str, hint: str | None) -> None:
        # Glyphs cover roughly a quarter of their line box.
        colors.append(ColorSample(text.fill, text.box.area * 0.25, hint))
        key = match_family(text.family, text.weight)
        elements.append(
            Element(
                role=role,
                box=text.box,
                color=text.fill,
                align=text.align,
                line_height=text.size * 1.2 / min_side,
                font=key,
                family=text.family.split(",")[0].strip().strip("'\""),
                weight=text.weight,
            )
        )

    if headline is not None:
        add_text(headline, "headline", "headline")
    for body in bodies:
        add_text(body, "body", "text")
    if cta_text is not None:
        add_text(cta_text, "cta", None)
        if cta_shape is not None:
            elements[-1] = Element(
                role="cta",
                box=cta_shape.box,
                color=cta_shape.fill,
                align=cta_text.align,
                line_height=elements[-1].line_height,
                font=elements[-1].font,
                family=elements[-1].family,
                weight=elements[-1].weight,
            )
    for box, role in found.images:
        if role not in ("logo", "image"):
            role = "logo" if box.area < 0.05 else "image"
        elements.append(Element(role=role, box=box))

    body_el = next((e for e in elements if e.role == "body"), None)
    text_el = body_el or next((e for e in elements if e.role == "headline"), None)
    contrast = contrast_ratio(text_el.color, bg_hex) if text_el and text_el.color else None
    radii = [s.radius for s in shapes if s.radius is not None and s.area < 0.5]
    content = [e.box for e in elements] + [s.box for s in shapes]
    return DesignObservation(
        kind="svg",
        width=width,
        height=height,
        colors=tuple(colors),
        elements=tuple(elements),
        whitespace=1.0 - covered_share(content),
        contrast=contrast,
        corner_radius=float(sorted(radii)[len(radii) // 2]) if radii else None,
    )
