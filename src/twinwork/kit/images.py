"""Decoding uploaded images without trusting them: portfolio designs, gallery pictures, avatars.

``clean_upload`` takes the bytes a person sent (and the name they gave them) and either refuses
them with a reason they can act on, or returns a re-encoded copy that is safe to store and serve:

1. The type comes from the content (magic bytes), never from the name; a name whose extension
   says otherwise is refused, so a file is never served under a type it is not.
2. Before anything is decoded, the container is walked by hand: the declared size must be
   sane (no 0x0, no side over ``MAX_SIDE``, at most ``MAX_PIXELS``: a tiny file declaring a
   huge canvas is a decompression bomb), it must not be animated (APNG, animated WebP, GIF),
   it must end where its format says it ends (a truncated file is refused), and nothing may
   follow that end beyond a few bytes of padding (a PNG with a ZIP or HTML appended after
   IEND is a polyglot other programs would open as something else).
3. Pillow then decodes it, restricted to the detected format, and the pixels are written to a
   new file with no metadata at all: no EXIF (GPS position, camera serial), XMP, comments,
   text chunks or ICC profile (converted to sRGB first, so colours survive).

SVG is markup, not pixels: it is parsed with defusedxml (no DTD, no entities) and checked
element by element. Policy, per case:

- refused (active content or a broken design, nothing to clean safely): ``<script>`` in any
  namespace, ``handler``/``listener``, any ``on*`` event attribute, ``javascript:`` anywhere,
  links to anything outside the file (``href``/``xlink:href`` other than a local ``#id`` or an
  embedded base64 PNG/JPEG/WebP ``data:`` picture, which is itself checked and re-encoded as
  above, within one pixel budget for the whole SVG), CSS with
  ``@import``, ``expression(`` or a ``url()`` that is not ``#id``, animation that rewrites
  links or handlers, a DOCTYPE or entity, more than ``SVG_MAX_ELEMENTS`` elements or nesting
  deeper than ``SVG_MAX_DEPTH``.
- removed (what design tools write that a browser need not see): ``<foreignObject>``
  (Illustrator puts its private data there, with an SVG fallback beside it), ``<metadata>``,
  editor elements and attributes in other namespaces (Inkscape, Sodipodi, Illustrator),
  unknown elements, comments and processing instructions (an ``xml-stylesheet`` among them).
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from xml.etree import ElementTree as ET

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from PIL import Image, ImageCms, ImageOps

from twinwork.kit.errors import DomainError

MAX_UPLOAD_BYTES = 20_000_000
MAX_SIDE = 20_000
MAX_PIXELS = 50_000_000
# Bytes allowed after a raster's end marker, and only padding (NUL, 0xFF, whitespace):
# some encoders pad; anything else there is another file riding along.
TRAILING_TOLERANCE = 64
_PADDING = frozenset(b"\x00\xff \t\r\n")

THUMBNAIL_SIDE = 320
JPEG_QUALITY = 90
WEBP_QUALITY = 90

SVG_MAX_BYTES = 2_000_000
SVG_MAX_ELEMENTS = 10_000
SVG_MAX_DEPTH = 64


class ImageRejected(DomainError):
    """An upload refused; ``detail`` says what is wrong and what to upload instead."""

    status_code = 422
    title = "Image refused"
    type_slug = "image-rejected"


class ImageKind(StrEnum):
    PNG = "png"
    JPEG = "jpeg"
    WEBP = "webp"
    SVG = "svg"

    @property
    def mime_type(self) -> str:
        return "image/svg+xml" if self is ImageKind.SVG else f"image/{self.value}"

    @property
    def extension(self) -> str:
        return "jpg" if self is ImageKind.JPEG else self.value


_EXTENSIONS = {
    "png": ImageKind.PNG,
    "jpg": ImageKind.JPEG,
    "jpeg": ImageKind.JPEG,
    "jpe": ImageKind.JPEG,
    "jfif": ImageKind.JPEG,
    "webp": ImageKind.WEBP,
    "svg": ImageKind.SVG,
}
_ACCEPTED = "PNG, JPEG, WebP or SVG"


@dataclass(frozen=True)
class CleanImage:
    """Bytes safe to store and serve: re-encoded pixels, or sanitised SVG markup.

    For SVG, width and height are those the markup declares (None when it declares none).
    """

    kind: ImageKind
    data: bytes
    width: int | None
    height: int | None

    @property
    def mime_type(self) -> str:
        return self.kind.mime_type


# --- detection -------------------------------------------------------------------------------


def sniff(data: bytes) -> ImageKind:
    """The type of ``data`` from its first bytes; refused when it is none we accept."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ImageKind.PNG
    if data.startswith(b"\xff\xd8\xff"):
        return ImageKind.JPEG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ImageKind.WEBP
    if data[:6] in (b"GIF87a", b"GIF89a"):
        raise ImageRejected(
            "This is a GIF image. GIFs are not accepted, because animated images are not "
            f"allowed; save a still frame as {_ACCEPTED.replace(' or SVG', '')}."
        )
    if _looks_like_svg(data):
        return ImageKind.SVG
    raise ImageRejected(f"This file is not an image we accept; upload a {_ACCEPTED} file.")


def _looks_like_svg(data: bytes) -> bool:
    head = data[:4096].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    return head.startswith(("<?xml", "<svg", "<!--", "<!DOCTYPE svg")) and "<svg" in head


def check_extension(filename: str | None, kind: ImageKind) -> None:
    """Refuse a name whose extension claims another type than the content is."""
    if not filename or "." not in filename:
        return
    extension = filename.rsplit(".", 1)[1].lower()
    claimed = _EXTENSIONS.get(extension)
    if claimed is not kind:
        raise ImageRejected(
            f"“{filename}” is named .{extension} but its content is a {kind.name} image. "
            f"Rename it to .{kind.extension} or export it again as the type its name says."
        )


# --- the public entry points -----------------------------------------------------------------


def clean_upload(
    data: bytes, filename: str | None = None, *, max_bytes: int = MAX_UPLOAD_BYTES
) -> CleanImage:
    """Validate an uploaded image and return a metadata-free copy, or raise ImageRejected."""
    if not data:
        raise ImageRejected("The file is empty; choose the image again.")
    if len(data) > max_bytes:
        raise ImageRejected(
            f"The file is {len(data) / 1e6:.1f} MB; images may be at most "
            f"{max_bytes / 1e6:.0f} MB. Export it smaller or in a compressed format."
        )
    kind = sniff(data)
    check_extension(filename, kind)
    if kind is ImageKind.SVG:
        return sanitise_svg(data)
    check_raster(data, kind)
    return _reencode(_decode(data, kind), kind)


def check_raster(data: bytes, kind: ImageKind) -> tuple[int, int]:
    """Walk the container without decoding: return the declared (width, height) once it is
    known to be sane, still, complete and followed by nothing."""
    walkers = {ImageKind.PNG: _walk_png, ImageKind.JPEG: _walk_jpeg, ImageKind.WEBP: _walk_webp}
    width, height, end = walkers[kind](data)
    _check_size(width, height)
    _check_trailing(data, end, kind)
    return width, height


def thumbnail(image: CleanImage, max_side: int = THUMBNAIL_SIDE) -> CleanImage:
    """A copy no side of which exceeds ``max_side`` (never enlarged). An SVG scales itself:
    it comes back as it is."""
    if image.kind is ImageKind.SVG:
        return image
    with Image.open(io.BytesIO(image.data), formats=[_PIL_FORMAT[image.kind]]) as opened:
        if image.kind is ImageKind.JPEG:
            # Lets libjpeg decode at 1/2..1/8 scale: much faster for big photos.
            opened.draft("RGB", (max_side, max_side))
        small = opened.copy()
    small.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return _reencode(small, image.kind)


def variants(
    image: CleanImage, sides: Iterable[int] = (THUMBNAIL_SIDE, 1280)
) -> dict[int, CleanImage]:
    """Resized copies keyed by their bounding side, for responsive ``srcset`` lists."""
    return {side: thumbnail(image, side) for side in sides}


# --- raster containers -----------------------------------------------------------------------


def _truncated() -> ImageRejected:
    return ImageRejected(
        "The image is incomplete (the file ends before the image does); upload it again or "
        "export it again."
    )


def _damaged(what: str) -> ImageRejected:
    return ImageRejected(f"The image is damaged ({what}); export it again and re-upload it.")


def _animated() -> ImageRejected:
    return ImageRejected(
        "Animated images are not accepted; upload a still image (export a single frame)."
    )


def _walk_png(data: bytes) -> tuple[int, int, int]:
    pos, width, height = 8, -1, -1
    while True:
        if pos + 8 > len(data):
            raise _truncated()
        length, chunk_type = struct.unpack(">I4s", data[pos : pos + 8])
        body_end = pos + 8 + length
        if body_end + 4 > len(data):
            raise _truncated()
        body = data[pos + 8 : body_end]
        (crc,) = struct.unpack(">I", data[body_end : body_end + 4])
        if zlib.crc32(chunk_type + body) != crc:
            raise _damaged(f"checksum of its {chunk_type.decode('latin-1')!r} chunk")
        if pos == 8:
            if chunk_type != b"IHDR" or length != 13:
                raise _damaged("it does not start with a header")
            width, height = struct.unpack(">II", body[:8])
        # acTL marks an APNG: a .png that browsers play as an animation.
        if chunk_type in (b"acTL", b"fcTL", b"fdAT"):
            raise _animated()
        pos = body_end + 4
        if chunk_type == b"IEND":
            return width, height, pos


# SOF markers that carry the frame size (all but DHT C4, JPG C8 and DAC CC).
_JPEG_SOF = frozenset(
    {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
)
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


def _walk_jpeg(data: bytes, start: int = 0, *, followers: bool = True) -> tuple[int, int, int]:
    width = height = -1
    has_mpf = False
    pos = start + 2
    while True:
        if pos + 2 > len(data):
            raise _truncated()
        if data[pos] != 0xFF:
            raise _damaged("a segment does not start with a marker")
        while pos + 1 < len(data) and data[pos + 1] == 0xFF:  # fill bytes
            pos += 1
        marker = data[pos + 1]
        if marker == 0xD9:  # EOI
            end = pos + 2
            break
        if marker in _JPEG_STANDALONE:
            pos += 2
            continue
        if pos + 4 > len(data):
            raise _truncated()
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        segment_end = pos + 2 + length
        if length < 2 or segment_end > len(data):
            raise _truncated()
        if marker in _JPEG_SOF and length >= 7:
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
        if marker == 0xE2 and data[pos + 4 : pos + 8] == b"MPF\x00":
            has_mpf = True
        pos = segment_end
        if marker == 0xDA:  # SOS: entropy-coded data up to the next real marker
            pos = _skip_scan(data, pos)
    if width < 0:
        raise _damaged("it has no frame header")
    # Phones append the other pictures of a multi-picture (MPF) file after the first EOI:
    # accept them only when the header announces them and each is a complete JPEG itself.
    while followers and has_mpf and data[end : end + 3] == b"\xff\xd8\xff":
        end = _walk_jpeg(data, end, followers=False)[2]
    return width, height, end


def _skip_scan(data: bytes, pos: int) -> int:
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            raise _truncated()
        following = data[pos + 1]
        # 0xFF00 is an escaped data byte, RSTn a restart marker: both belong to the scan.
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            pos += 2
            continue
        return pos


def _walk_webp(data: bytes) -> tuple[int, int, int]:
    if len(data) < 12:
        raise _truncated()
    (riff_size,) = struct.unpack("<I", data[4:8])
    end = 8 + riff_size
    if end > len(data):
        raise _truncated()
    pos, canvas, frame = 12, None, None
    while pos < end:
        if pos + 8 > end:
            raise _truncated()
        fourcc, size = struct.unpack("<4sI", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + size]
        if len(body) < size or pos + 8 + size > end:
            raise _truncated()
        if fourcc in (b"ANIM", b"ANMF"):
            raise _animated()
        if fourcc == b"VP8X" and size >= 10:
            if body[0] & 0x02:  # the animation flag
                raise _animated()
            canvas = (
                1 + int.from_bytes(body[4:7], "little"),
                1 + int.from_bytes(body[7:10], "little"),
            )
        elif fourcc == b"VP8 " and size >= 10 and body[3:6] == b"\x9d\x01\x2a":
            w, h = struct.unpack("<HH", body[6:10])
            frame = (w & 0x3FFF, h & 0x3FFF)
        elif fourcc == b"VP8L" and size >= 5 and body[0] == 0x2F:
            (bits,) = struct.unpack("<I", body[1:5])
            frame = ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        pos += 8 + size + (size & 1)  # chunks are padded to an even length
    size_found = canvas or frame
    if size_found is None:
        raise _damaged("it has no image data")
    return size_found[0], size_found[1], end


def _check_size(width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise ImageRejected(
            f"The image declares a size of {max(width, 0)}x{max(height, 0)} pixels: "
            "it has no pixels to show. Export it again."
        )
    if max(width, height) > MAX_SIDE:
        raise ImageRejected(
            f"The image is {width}x{height} pixels; no side may exceed {MAX_SIDE:,} pixels. "
            "Resize it and upload it again."
        )
    if width * height > MAX_PIXELS:
        raise ImageRejected(
            f"The image is {width}x{height} pixels ({width * height / 1e6:.0f} megapixels); "
            f"images may have at most {MAX_PIXELS / 1e6:.0f} megapixels. Resize it first."
        )


def _check_trailing(data: bytes, end: int, kind: ImageKind) -> None:
    trailing = data[end:]
    if len(trailing) > TRAILING_TOLERANCE or not set(trailing) <= _PADDING:
        raise ImageRejected(
            f"The {kind.name} image is followed by {len(trailing):,} bytes of other data "
            "(another file hidden after it). Export the image again on its own."
        )


# --- decoding and re-encoding ----------------------------------------------------------------

_PIL_FORMAT = {ImageKind.PNG: "PNG", ImageKind.JPEG: "JPEG", ImageKind.WEBP: "WEBP"}
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _decode(data: bytes, kind: ImageKind) -> Image.Image:
    try:
        # formats=: only the detected decoder may look at the bytes.
        with Image.open(io.BytesIO(data), formats=[_PIL_FORMAT[kind]]) as opened:
            # A JPEG's extra frames are a phone's multi-picture data, not an animation.
            if kind is not ImageKind.JPEG and getattr(opened, "n_frames", 1) > 1:
                raise _animated()
            _check_size(*opened.size)
            opened.load()
            return _to_srgb(_upright(opened))
    except ImageRejected:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageRejected(
            f"The image declares more pixels than it may have ({exc}); resize it first."
        ) from exc
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error) as exc:
        raise _damaged(str(exc) or type(exc).__name__) from exc


def _upright(image: Image.Image) -> Image.Image:
    """Turned as its EXIF orientation says, before that tag is dropped with the EXIF."""
    try:
        return ImageOps.exif_transpose(image)
    # Hostile EXIF can break the transpose in many ways; orientation is cosmetic, so a file
    # whose EXIF cannot be read keeps the pixels as stored.
    except Exception:
        return image.copy()


def _to_srgb(image: Image.Image) -> Image.Image:
    """The pixels in sRGB and in a mode every encoder takes, with no metadata left."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    icc = image.info.get("icc_profile")
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if has_alpha else "RGB")
    if icc and image.mode in ("RGB", "RGBA"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=image.mode)
            image = converted if converted is not None else image
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: keep the pixels as they are, drop the profile
    clean = image.copy()
    clean.info = {}
    return clean


def _reencode(image: Image.Image, kind: ImageKind) -> CleanImage:
    out = io.BytesIO()
    if kind is ImageKind.JPEG:
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif kind is ImageKind.WEBP:
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        image.save(out, "PNG", optimize=True)
    return CleanImage(kind, out.getvalue(), image.width, image.height)


# --- SVG -------------------------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

_SVG_ELEMENTS = frozenset(
    """svg g defs desc title symbol use image switch style path rect circle ellipse line
    polyline polygon text tspan textPath linearGradient radialGradient stop pattern clipPath
    mask marker filter a view animate animateMotion animateTransform set mpath feBlend
    feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting
    feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR
    feGaussianBlur feImage feMerge feMergeNode feMorphology feOffset fePointLight
    feSpecularLighting feSpotLight feTile feTurbulence""".split()
)
_ACTIVE_ELEMENTS = frozenset({"script", "handler", "listener"})
_ANIMATIONS = frozenset({"animate", "set", "animateMotion", "animateTransform"})
_EMBEDDABLE = {
    "image/png": ImageKind.PNG,
    "image/jpeg": ImageKind.JPEG,
    "image/jpg": ImageKind.JPEG,
    "image/webp": ImageKind.WEBP,
}
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


@dataclass
class _SvgWalk:
    elements: int = 0
    # Pixels of embedded pictures so far: many small bombs must not add up to a big one.
    pixels: int = 0


def sanitise_svg(data: bytes) -> CleanImage:
    """The SVG with editor data removed, or ImageRejected naming what cannot be allowed."""
    if len(data) > SVG_MAX_BYTES:
        raise ImageRejected(
            f"The SVG is {len(data) / 1e6:.1f} MB; SVG files may be at most "
            f"{SVG_MAX_BYTES / 1e6:.0f} MB. Simplify it or upload a PNG."
        )
    root = _parse_svg(data)
    if _local(root.tag) != "svg" or _namespace(root.tag) != SVG_NS:
        raise ImageRejected("This XML file is not an SVG image; upload a PNG, JPEG, WebP or SVG.")
    _sanitise_element(root, depth=0, walk=_SvgWalk())
    markup = ET.tostring(_with_plain_names(root), encoding="unicode")
    width, height = _svg_dimension(root.get("width")), _svg_dimension(root.get("height"))
    return CleanImage(ImageKind.SVG, markup.encode("utf-8"), width, height)


def _parse_svg(data: bytes) -> ET.Element:
    try:
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ImageRejected(
            "The SVG declares a DOCTYPE or entities, which are not allowed (they can read "
            "files or expand without bound). Export it again without a DOCTYPE."
        ) from exc
    except ET.ParseError as exc:
        raise ImageRejected(f"The SVG is not well-formed XML ({exc}); export it again.") from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _sanitise_element(element: ET.Element, depth: int, walk: _SvgWalk) -> None:
    walk.elements += 1
    if walk.elements > SVG_MAX_ELEMENTS:
        raise ImageRejected(
            f"The SVG has more than {SVG_MAX_ELEMENTS:,} elements; simplify it or upload a PNG."
        )
    if depth > SVG_MAX_DEPTH:
        raise ImageRejected(
            f"The SVG nests elements more than {SVG_MAX_DEPTH} deep; flatten its groups."
        )
    _sanitise_attributes(element, walk)
    if _local(element.tag) == "style":
        _check_css(element.text or "")
    for child in list(element):
        if not isinstance(child.tag, str):  # comments and PIs, when a parser keeps them
            element.remove(child)
            continue
        name = _local(child.tag)
        if name in _ACTIVE_ELEMENTS:
            raise ImageRejected(
                f"The SVG contains a <{name}> element: scripts are not allowed in images. "
                "Export it again without scripting or interactivity."
            )
        if _namespace(child.tag) != SVG_NS or name not in _SVG_ELEMENTS:
            # foreignObject, metadata, editor and HTML elements: nothing an image needs.
            element.remove(child)
            continue
        if name in _ANIMATIONS:
            _check_animation(child)
        _sanitise_element(child, depth + 1, walk)


def _sanitise_attributes(element: ET.Element, walk: _SvgWalk) -> None:
    for name, value in list(element.attrib.items()):
        namespace, local = _namespace(name), _local(name)
        if local.lower().startswith("on"):
            raise ImageRejected(
                f"The SVG has an event handler ({local}=…) on <{_local(element.tag)}>: "
                "scripts are not allowed in images. Export it again without interactivity."
            )
        if namespace not in ("", XLINK_NS, XML_NS):
            del element.attrib[name]  # editor data (inkscape:, sodipodi:, i:)
            continue
        if "javascript:" in _CONTROL.sub("", value).lower():
            raise ImageRejected(
                f"The SVG has a javascript: link in its {local} attribute; scripts are not "
                "allowed in images."
            )
        if local == "href":
            element.attrib[name] = _checked_reference(value, element, walk)
        elif local == "style" or "url(" in value.lower():
            _check_css(value)


def _check_animation(element: ET.Element) -> None:
    # "xlink:href" as well as "href": the prefix is part of the attribute's value here.
    target = element.get("attributeName", "").rsplit(":", 1)[-1].strip().lower()
    if target == "href" or target.startswith("on") or target == "style":
        raise ImageRejected(
            f"The SVG animates its {target} attribute, which can swap in a link or a script; "
            "remove that animation."
        )


def _checked_reference(value: str, element: ET.Element, walk: _SvgWalk) -> str:
    """The reference as it may stay in the file: a local #id, or a cleaned embedded picture."""
    reference = value.strip()
    if reference.startswith("#"):
        return reference
    if reference.lower().startswith("data:") and _local(element.tag) in ("image", "feImage"):
        return _cleaned_embedded_raster(reference, walk)
    raise ImageRejected(
        f"The SVG links to an outside resource ({reference[:80]!r}). Images must be "
        "self-contained: embed pictures and fonts (e.g. “Embed” when exporting) and use "
        "only #id references inside the file."
    )


def _cleaned_embedded_raster(reference: str, walk: _SvgWalk) -> str:
    header, _, payload = reference[5:].partition(",")
    media_type, *params = header.lower().split(";")
    kind = _EMBEDDABLE.get(media_type.strip())
    if kind is None or "base64" not in params:
        raise ImageRejected(
            f"The SVG embeds a {media_type or 'data'} resource; only base64 PNG, JPEG and "
            "WebP pictures may be embedded in an SVG."
        )
    try:
        raster = base64.b64decode(_CONTROL.sub("", payload), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImageRejected("A picture embedded in the SVG is not valid base64.") from exc
    if sniff(raster) is not kind:
        raise ImageRejected(f"A picture embedded in the SVG says {media_type} but is not.")
    width, height = check_raster(raster, kind)
    walk.pixels += width * height
    if walk.pixels > MAX_PIXELS:
        raise ImageRejected(
            f"The pictures embedded in the SVG add up to more than {MAX_PIXELS / 1e6:.0f} "
            "megapixels; embed smaller pictures."
        )
    # Re-encoded like any upload, so an embedded photo loses its EXIF and GPS too.
    clean = _reencode(_decode(raster, kind), kind)
    return f"data:{clean.mime_type};base64,{base64.b64encode(clean.data).decode()}"


def _check_css(css: str) -> None:
    flat = _CONTROL.sub("", css).lower()
    if any(token in flat for token in ("@import", "expression(", "-moz-binding", "image-set(")):
        raise ImageRejected(
            "The SVG's styles import other files or run code (@import, expression, "
            "image-set); put every style inside the file."
        )
    if "\\" in css:
        # A CSS escape can spell url( or @import so that no check here would see it.
        raise ImageRejected(
            "The SVG's styles use backslash escapes, which are not allowed; write the "
            "characters themselves."
        )
    for _, target in _CSS_URL.findall(css):
        if not target.strip().startswith("#"):
            raise ImageRejected(
                f"The SVG's styles load an outside resource (url({target[:80]})); only "
                "url(#id) references inside the file are allowed."
            )


def _with_plain_names(root: ET.Element) -> ET.Element:
    """Spell the (already sanitised) tree with the usual prefixes: SVG as the default
    namespace, ``xlink:`` and ``xml:``. ElementTree would invent ``ns0:`` prefixes, and
    registering ours would change how every other module in the process writes XML."""
    prefixes = {XLINK_NS: "xlink:", XML_NS: "xml:"}
    uses_xlink = False
    for element in root.iter():
        element.tag = _local(element.tag)
        for name in [name for name in element.attrib if name.startswith("{")]:
            namespace = _namespace(name)
            uses_xlink |= namespace == XLINK_NS
            element.attrib[prefixes[namespace] + _local(name)] = element.attrib.pop(name)
    root.set("xmlns", SVG_NS)
    if uses_xlink:
        root.set("xmlns:xlink", XLINK_NS)
    return root


def _svg_dimension(value: str | None) -> int | None:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(px)?\s*", value or "")
    return round(float(match.group(1))) if match else None
