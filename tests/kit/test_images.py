from __future__ import annotations

import base64
import io
import struct
import zlib

import pytest
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from twinwork.kit.images import (
    MAX_SIDE,
    THUMBNAIL_SIDE,
    CleanImage,
    ImageKind,
    ImageRejected,
    clean_upload,
    sniff,
    thumbnail,
    variants,
)

# --- files made on the spot ------------------------------------------------------------------


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _png(width: int = 40, height: int = 30) -> bytes:
    return _encode(Image.linear_gradient("L").resize((width, height)).convert("RGB"), "PNG")


def _jpeg(width: int = 40, height: int = 30, **options: object) -> bytes:
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    return _encode(image, "JPEG", **options)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_declaring(width: int, height: int, idat: bytes = b"") -> bytes:
    """A PNG whose header declares any size, with checksums right: only the size is hostile."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", idat or zlib.compress(b"\0\0"))
        + _chunk(b"IEND", b"")
    )


def _svg(body: str, extra_attributes: str = "") -> bytes:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="100" height="50" viewBox="0 0 100 50"{extra_attributes}>{body}</svg>'
    ).encode()


def _rejected(data: bytes, filename: str | None = None) -> ImageRejected:
    with pytest.raises(ImageRejected) as caught:
        clean_upload(data, filename)
    assert caught.value.status_code == 422
    return caught.value


# --- hostile raster files --------------------------------------------------------------------


def test_decompression_bomb_is_refused_from_its_declared_size_before_decoding() -> None:
    # 12 KB on disk, 100 megapixels once decoded.
    rows = b"\0" * (1 + 10_000 // 8)
    bomb = _png_declaring(10_000, 10_000, zlib.compress(rows * 10_000, 9))
    assert len(bomb) < 20_000
    assert "megapixels" in _rejected(bomb, "bomb.png").detail


def test_zero_by_zero_image_is_refused() -> None:
    assert "0x0" in _rejected(_png_declaring(0, 0), "empty.png").detail


def test_image_wider_than_the_limit_is_refused() -> None:
    error = _rejected(_png_declaring(30_000, 1), "strip.png")
    assert f"{MAX_SIDE:,}" in error.detail


def test_png_with_a_zip_appended_after_iend_is_refused_as_a_polyglot() -> None:
    zip_file = b"PK\x03\x04" + b"\0" * 26 + b"evil.html" + b"PK\x05\x06" + b"\0" * 18
    assert "other data" in _rejected(_png() + zip_file, "photo.png").detail


def test_png_with_html_after_iend_is_refused() -> None:
    _rejected(_png() + b"<html><script>alert(1)</script></html>", "photo.png")


def test_jpeg_with_data_after_eoi_is_refused() -> None:
    _rejected(_jpeg() + b"<?php system($_GET['c']); ?>", "photo.jpg")


def test_a_few_bytes_of_padding_after_the_end_are_tolerated() -> None:
    assert clean_upload(_jpeg() + b"\0\0\n", "photo.jpg").kind is ImageKind.JPEG


def test_animated_gif_renamed_png_is_refused() -> None:
    frames = [Image.new("P", (8, 8), colour) for colour in (1, 2)]
    gif = _encode(frames[0], "GIF", save_all=True, append_images=frames[1:], loop=0)
    assert "GIF" in _rejected(gif, "cat.png").detail


def test_animated_png_is_refused() -> None:
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "blue")]
    apng = _encode(frames[0], "PNG", save_all=True, append_images=frames[1:])
    assert "Animated" in _rejected(apng, "cat.png").detail


def test_animated_webp_is_refused() -> None:
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "blue")]
    webp = _encode(frames[0], "WEBP", save_all=True, append_images=frames[1:])
    assert "Animated" in _rejected(webp, "cat.webp").detail


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (_png(), "cut.png"),
        (_jpeg(), "cut.jpg"),
        (_encode(Image.new("RGB", (9, 9)), "WEBP"), "cut.webp"),
    ],
)
def test_truncated_file_is_refused(data: bytes, name: str) -> None:
    assert "incomplete" in _rejected(data[: len(data) * 2 // 3], name).detail


def test_png_with_a_corrupted_chunk_is_refused() -> None:
    damaged = bytearray(_png())
    damaged[40] ^= 0xFF
    assert "damaged" in _rejected(bytes(damaged), "x.png").detail


@pytest.mark.parametrize(
    ("data", "name"),
    [(_png(), "photo.jpg"), (_jpeg(), "logo.svg"), (_png(), "report.pdf")],
)
def test_extension_that_contradicts_the_content_is_refused(data: bytes, name: str) -> None:
    assert "named ." in _rejected(data, name).detail


def test_type_comes_from_content_not_name() -> None:
    assert sniff(_jpeg()) is ImageKind.JPEG
    assert clean_upload(_png(), None).kind is ImageKind.PNG
    assert "not an image" in _rejected(b"%PDF-1.7\n...", "x.png").detail


def test_empty_and_oversized_uploads_are_refused() -> None:
    _rejected(b"", "x.png")
    with pytest.raises(ImageRejected, match="at most"):
        clean_upload(_png(), "x.png", max_bytes=100)


# --- metadata --------------------------------------------------------------------------------


def _exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc"  # Make
    exif[0x0131] = "tracker 1.0"  # Software
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 1.5), 3: "E", 4: (4.0, 53.0, 0.0)}  # GPS IFD
    return exif


def test_exif_gps_xmp_icc_and_comments_are_removed_from_jpeg() -> None:
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = _jpeg(
        exif=_exif_with_gps(),
        icc_profile=icc,
        xmp=b"<x:xmpmeta><dc:creator>Secret Person</dc:creator></x:xmpmeta>",
        comment=b"uploaded from home",
    )
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(0x8825)  # the test file does carry a position

    clean = clean_upload(original, "photo.jpeg")

    with Image.open(io.BytesIO(clean.data)) as after:
        assert not after.getexif()
        assert not after.getexif().get_ifd(0x8825)
        assert not {"exif", "icc_profile", "xmp", "comment"} & set(after.info)
    for trace in (b"Exif", b"SpyCam", b"Secret Person", b"uploaded from home"):
        assert trace not in clean.data


def test_png_text_chunks_and_exif_are_removed() -> None:
    text = PngInfo()
    text.add_text("Comment", "tracking-id-1234")
    text.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>Secret Person</x:xmpmeta>")
    image = Image.new("RGB", (20, 20), "teal")
    original = _encode(image, "PNG", pnginfo=text, exif=_exif_with_gps())

    clean = clean_upload(original, "logo.png")

    for trace in (b"tracking-id-1234", b"Secret Person", b"eXIf", b"tEXt", b"iTXt"):
        assert trace not in clean.data


def test_exif_orientation_is_applied_before_it_is_dropped() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    clean = clean_upload(_jpeg(40, 20, exif=exif), "phone.jpg")
    assert (clean.width, clean.height) == (20, 40)


def test_phone_multi_picture_jpeg_is_accepted_as_its_first_picture() -> None:
    first = Image.new("RGB", (30, 20), "red")
    mpo = _encode(first, "MPO", save_all=True, append_images=[Image.new("RGB", (30, 20), "blue")])
    clean = clean_upload(mpo, "phone.jpg")
    assert (clean.kind, clean.width, clean.height) == (ImageKind.JPEG, 30, 20)
    assert clean.data.count(b"\xff\xd8\xff") == 1


# --- thumbnails and variants -----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_thumbnail_is_bounded_and_keeps_the_aspect_ratio(fmt: str) -> None:
    original = _encode(Image.linear_gradient("L").resize((1200, 600)).convert("RGB"), fmt)
    clean = clean_upload(original)

    small = thumbnail(clean)

    assert (small.width, small.height) == (THUMBNAIL_SIDE, THUMBNAIL_SIDE // 2)
    with Image.open(io.BytesIO(small.data)) as decoded:
        assert decoded.size == (THUMBNAIL_SIDE, THUMBNAIL_SIDE // 2)
        assert decoded.format == fmt


def test_variants_never_enlarge() -> None:
    clean = clean_upload(_png(500, 250))
    sized = variants(clean, (100, 1280))
    assert (sized[100].width, sized[100].height) == (100, 50)
    assert (sized[1280].width, sized[1280].height) == (500, 250)


# --- SVG -------------------------------------------------------------------------------------


def test_svg_with_a_script_is_refused() -> None:
    assert "<script>" in _rejected(_svg("<script>alert(1)</script>"), "logo.svg").detail


def test_svg_with_an_xhtml_script_is_refused() -> None:
    body = '<script xmlns="http://www.w3.org/1999/xhtml">alert(1)</script>'
    _rejected(_svg(body), "logo.svg")


def test_svg_with_onload_is_refused() -> None:
    assert "onload" in _rejected(_svg("", ' onload="alert(1)"'), "logo.svg").detail


def test_svg_with_an_event_handler_on_a_shape_is_refused() -> None:
    _rejected(_svg('<rect width="5" height="5" onclick="steal()"/>'), "logo.svg")


def test_svg_with_an_external_href_is_refused() -> None:
    error = _rejected(_svg('<image href="https://tracker.example/p.png" width="5" height="5"/>'))
    assert "outside resource" in error.detail


def test_svg_with_an_external_xlink_href_is_refused() -> None:
    _rejected(_svg('<use xlink:href="http://evil.example/sprite.svg#icon"/>'), "logo.svg")


def test_svg_with_a_local_file_link_is_refused() -> None:
    _rejected(_svg('<image xlink:href="file:///etc/passwd" width="5" height="5"/>'))


def test_svg_with_a_javascript_link_is_refused() -> None:
    _rejected(_svg('<a href="java&#9;script:alert(1)"><rect width="5" height="5"/></a>'))


def test_svg_foreign_object_is_removed() -> None:
    body = (
        '<foreignObject width="100" height="50"><div xmlns="http://www.w3.org/1999/xhtml">'
        "<iframe src='https://evil.example'/></div></foreignObject>"
        '<rect width="10" height="10" fill="red"/>'
    )
    clean = clean_upload(_svg(body), "ad.svg")
    assert b"foreignObject" not in clean.data
    assert b"iframe" not in clean.data
    assert b"<rect" in clean.data


def test_svg_with_a_doctype_or_entities_is_refused() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>'
    )
    assert "DOCTYPE" in _rejected(laughs, "laughs.svg").detail


def test_svg_style_importing_or_loading_outside_resources_is_refused() -> None:
    _rejected(_svg("<style>@import url(https://evil.example/x.css);</style>"))
    _rejected(_svg('<style>rect { fill: url("https://evil.example/p.svg#g") }</style>'))
    _rejected(_svg('<rect width="5" height="5" style="fill:url(//evil.example/a#b)"/>'))
    _rejected(_svg("<style>rect { background: \\75 rl(https://evil.example) }</style>"))


@pytest.mark.parametrize("attribute", ["href", "xlink:href", "onclick"])
def test_svg_animation_that_rewrites_a_link_or_handler_is_refused(attribute: str) -> None:
    body = f'<a><set attributeName="{attribute}" to="https://evil.example"/><text>x</text></a>'
    _rejected(_svg(body))


def test_svg_embedding_a_raster_is_kept_and_the_raster_checked() -> None:
    photo = base64.b64encode(_jpeg(4, 4, exif=_exif_with_gps())).decode()
    image = f'<image width="4" height="4" href="data:image/jpeg;base64,{photo}"/>'
    clean = clean_upload(_svg(image), "ad.svg")
    assert b"data:image/jpeg;base64," in clean.data
    # The embedded photo was re-encoded: its camera make and position are gone.
    embedded = clean.data.split(b"base64,")[1].split(b'"')[0]
    assert b"SpyCam" not in base64.b64decode(embedded)

    bomb = base64.b64encode(_png_declaring(30_000, 1)).decode()
    _rejected(_svg(f'<image width="4" height="4" href="data:image/png;base64,{bomb}"/>'))
    inner = base64.b64encode(_svg("<script>alert(1)</script>")).decode()
    _rejected(_svg(f'<image width="4" height="4" href="data:image/svg+xml;base64,{inner}"/>'))


def test_svg_editor_data_is_removed_and_local_references_kept() -> None:
    body = (
        '<metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        "<rdf:Description>author: Secret Person</rdf:Description></rdf:RDF></metadata>"
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#f00"/></linearGradient>'
        "</defs>"
        '<rect inkscape:label="Layer 1" width="10" height="10" fill="url(#g)"/>'
        '<use xlink:href="#g"/><!-- exported by Secret Person -->'
    )
    svg = _svg(body, ' xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"')

    clean = clean_upload(svg, "ad.svg")

    assert isinstance(clean, CleanImage) and clean.kind is ImageKind.SVG
    assert (clean.width, clean.height) == (100, 50)
    assert b"Secret Person" not in clean.data
    assert b"inkscape" not in clean.data
    assert b'fill="url(#g)"' in clean.data
    assert b'href="#g"' in clean.data
    # The result is itself a well-formed SVG that passes the same checks.
    assert clean_upload(clean.data, "again.svg").data == clean.data


def test_svg_with_too_many_elements_is_refused() -> None:
    assert "elements" in _rejected(_svg("<g/>" * 10_001), "huge.svg").detail


def test_svg_nested_too_deep_is_refused() -> None:
    assert "deep" in _rejected(_svg("<g>" * 200 + "</g>" * 200), "deep.svg").detail
