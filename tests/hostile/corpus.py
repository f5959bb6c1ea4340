"""Hostile uploads, made in memory (no binaries in git): what an attacker or a broken client
sends to an upload route. Each is refused with a clear message and nothing stored, whatever
the route (tests/hostile/test_upload_routes.py runs every upload route against all of them).

A ``Hostile`` names what it is, the file name and declared type it arrives with (each a lie
where that is the attack) and its bytes."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Hostile:
    name: str
    filename: str
    content_type: str
    data: bytes


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    )


def png_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A PNG that claims 3.6 gigapixels of grey and holds a few compressed rows: decoding it
    whole would take gigabytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width + 1) * 4, 9)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", rows)


def zip_bomb(expanded: int = 200 * 1024 * 1024) -> bytes:
    """A zip whose one member inflates from about 200 KB to ``expanded`` bytes of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("readme.txt", "w", force_zip64=True) as member:
            chunk = b"\x00" * (1 << 20)
            for _ in range(expanded // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def gzip_text_bomb() -> bytes:
    """A text file sent gzip-compressed: 100 MB of one letter in about 100 KB."""
    import gzip

    return gzip.compress(b"a" * (100 * 1024 * 1024), 9)


SVG_SCRIPT = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="100" height="100" onload="alert('tw-upload')">
  <script>alert('tw-upload')</script>
  <image xlink:href="https://attacker.example/track.png" width="10" height="10"/>
  <rect width="100" height="100" fill="#c33"/>
</svg>"""

SVG_ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&d;&d;&d;&d;</text></svg>"""

# A GIF header that browsers and image libraries accept, followed by script: served as HTML
# or JavaScript it would run.
GIF_HTML_POLYGLOT = (
    b"GIF89a/*\x01\x00\x01\x00\x00\xff\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x00;*/"
    b"=1;<html><script>alert('tw-upload')</script></html>"
)
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"PE\x00\x00"
LATIN1_TEXT = "Caf\xe9 cr\xe8me, na\xefve fa\xe7ade: a verse in Latin-1.\n".encode("latin-1") * 20
HTML_PAGE = b"<!doctype html><html><body><script>alert('tw-upload')</script></body></html>"


@cache
def corpus() -> tuple[Hostile, ...]:
    """Every hostile upload, built once per test session."""
    return (
        Hostile("png decompression bomb", "sunset.png", "image/png", png_bomb()),
        Hostile("zip bomb", "portfolio.zip", "application/zip", zip_bomb()),
        Hostile("gzip bomb as text", "lyrics.txt", "text/plain", gzip_text_bomb()),
        Hostile("svg with script and external image", "logo.svg", "image/svg+xml", SVG_SCRIPT),
        Hostile("svg entity expansion", "logo.svg", "image/svg+xml", SVG_ENTITY_BOMB),
        Hostile("gif-html polyglot", "photo.gif", "image/gif", GIF_HTML_POLYGLOT),
        Hostile("executable named as a picture", "photo.png", "image/png", WINDOWS_EXE),
        Hostile("executable named as audio", "take1.wav", "audio/wav", WINDOWS_EXE),
        Hostile("html page named as a picture", "photo.jpg", "image/jpeg", HTML_PAGE),
        Hostile("non-utf-8 text", "lyrics.txt", "text/plain", LATIN1_TEXT),
        Hostile("empty file", "photo.png", "image/png", b""),
        Hostile("path traversal in the name", "../../../etc/passwd", "text/plain", b"root:x:0:0"),
    )
