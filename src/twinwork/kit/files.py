"""Files people hand each other (delivery files, message attachments): what every such file
must pass whatever it is, judged from its bytes, never from the name or type it came with.

- **Names**: a file's name is a name, not a path: folders (``/``, ``\\``), ``..`` and control
  characters are refused, so no name can point outside where it is stored or pose as
  another file in a listing.
- **Programs and web pages** (Windows, Linux and macOS executables; HTML) are refused: opened
  by the receiver they run.
- **Lies about the type**: a name whose extension says one type while the bytes are another
  (an executable named ``photo.png``, a gzip named ``lyrics.txt``) is refused.
- **Text** named as text must be UTF-8 without NUL: a Latin-1 file would show as mojibake.
- **Pictures** are walked by ``kit.images`` (complete, sane size, nothing hidden after the
  end); a GIF must end with its trailer. **SVG** must pass ``kit.images``' sanitiser (no
  script, no outside references, no DOCTYPE or entities).
- **Archives** (ZIP, gzip) are never opened here, but the sizes they declare are read: a
  member may not climb out of the archive (``../``, absolute paths), and what they expand
  to must stay under ``MAX_EXPANDED_BYTES`` and ``MAX_RATIO`` times their size, so the
  receiver's unzip does not fill their disk.
"""

from __future__ import annotations

import io
import re
import struct
import unicodedata
import zipfile

from twinwork.kit.errors import DomainError
from twinwork.kit.images import ImageKind, ImageRejected, check_raster, sanitise_svg

MAX_EXPANDED_BYTES = 2_000_000_000
MAX_RATIO = 100
"""Real archives of work (designs, documents, code) compress a few times, logs maybe 20x;
a hundredfold is a file of repeated bytes built to expand."""
EXPANSION_FLOOR = 50_000_000
"""Below this, what an archive expands to harms no one, whatever its ratio."""


class FileRefused(DomainError):
    status_code = 422
    title = "File refused"
    type_slug = "file-refused"


# Types read from the first bytes; None for anything else (which may be fine: a .psd).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"PK\x05\x06", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"ID3", "audio/mpeg"),
    (b"fLaC", "audio/flac"),
    (b"OggS", "audio/ogg"),
    (b"MZ", "application/x-msdownload"),
    (b"\x7fELF", "application/x-executable"),
    (b"\xcf\xfa\xed\xfe", "application/x-mach-binary"),
    (b"\xce\xfa\xed\xfe", "application/x-mach-binary"),
    (b"\xca\xfe\xba\xbe", "application/x-mach-binary"),
)
_EXECUTABLES = {"application/x-msdownload", "application/x-executable", "application/x-mach-binary"}

# What each extension promises; an extension not here promises nothing we can check.
_EXTENSION_TYPES = {
    "png": {"image/png"},
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "jpe": {"image/jpeg"},
    "jfif": {"image/jpeg"},
    "webp": {"image/webp"},
    "gif": {"image/gif"},
    "svg": {"image/svg+xml"},
    "pdf": {"application/pdf"},
    "zip": {"application/zip"},
    "gz": {"application/gzip"},
    "tgz": {"application/gzip"},
    "mp3": {"audio/mpeg"},
    "wav": {"audio/wav"},
    "wave": {"audio/wav"},
    "flac": {"audio/flac"},
    "ogg": {"audio/ogg"},
    "txt": {"text/plain"},
    "text": {"text/plain"},
    "md": {"text/plain"},
    "csv": {"text/plain"},
    "json": {"text/plain"},
    "log": {"text/plain"},
}
_TEXT_EXTENSIONS = {ext for ext, kinds in _EXTENSION_TYPES.items() if kinds == {"text/plain"}}
_HTML_START = re.compile(
    rb"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|script)\b", re.I | re.S
)


def check_name(name: str, *, field: str = "files") -> None:
    """Refuse a name that is a path or hides characters."""
    if re.search(r"[\\/]", name) or name.strip() in (".", ".."):
        raise FileRefused(
            f"{_shown(name)!r} is a path, not a file name: send the file under its own name, "
            "without folders (/ or \\) or '..'.",
            field=field,
        )
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
        raise FileRefused(
            f"{_shown(name)!r} has control or invisible characters in its name; rename it.",
            field=field,
        )


def _shown(name: str) -> str:
    return "".join(c if unicodedata.category(c)[0] != "C" else "?" for c in name)[:80]


def sniffed_type(data: bytes) -> str | None:
    """The type the bytes are, as far as their first bytes and structure tell."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0:
        return "audio/mpeg"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if _HTML_START.match(head):
        return "text/html"
    if head.startswith((b"<?xml", b"<svg", b"<!DOCTYPE svg")) and b"<svg" in head:
        return "image/svg+xml"
    return None


def check_file(name: str, data: bytes, *, field: str = "files") -> str | None:
    """Refuse what no one should be handed; return the type read from the bytes, if any."""
    check_name(name, field=field)
    kind = sniffed_type(data)
    shown = _shown(name)
    if kind in _EXECUTABLES:
        raise FileRefused(f"{shown!r} is a program; programs cannot be sent here.", field=field)
    if kind == "text/html":
        raise FileRefused(
            f"{shown!r} is a web page, which runs scripts when opened; send a PDF or put "
            "the page's files in a ZIP archive.",
            field=field,
        )
    extension = name.rsplit(".", 1)[1].lower() if "." in name else ""
    promised = _EXTENSION_TYPES.get(extension)
    if extension in _TEXT_EXTENSIONS:
        if kind is not None or not _is_text(data):
            raise FileRefused(
                f"{shown!r} is named .{extension} but is not UTF-8 text; save it as UTF-8 "
                "(or send it under the name of what it is).",
                field=field,
            )
        return "text/plain"
    if promised is not None and kind not in promised:
        raise FileRefused(
            f"{shown!r} is named .{extension} but its content is "
            f"{kind or 'something else'}; rename it or send the file its name says.",
            field=field,
        )
    try:
        _check_structure(kind, data)
    except ImageRejected as exc:
        raise FileRefused(f"{shown!r}: {exc.detail}", field=field) from exc
    except FileRefused as exc:
        raise FileRefused(f"{shown!r}: {exc.detail}", field=field) from exc
    return kind


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in text)


def _check_structure(kind: str | None, data: bytes) -> None:
    if kind in ("image/png", "image/jpeg", "image/webp"):
        check_raster(data, ImageKind(kind.removeprefix("image/")))
    elif kind == "image/gif":
        if data.rstrip(b"\x00")[-1:] != b";":
            raise FileRefused(
                "the GIF does not end where a GIF ends; another file is hidden in it. "
                "Export the picture again."
            )
    elif kind == "image/svg+xml":
        sanitise_svg(data)
        if b"<script" in data.lower():
            raise ImageRejected("the SVG contains a script; scripts are not allowed in images.")
    elif kind == "application/zip":
        _check_zip(data)
    elif kind == "application/gzip":
        (expanded,) = struct.unpack("<I", data[-4:]) if len(data) >= 18 else (0,)
        _check_expansion(expanded, len(data))


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise FileRefused("the ZIP archive is damaged; make it again.") from exc
    for member in members:
        parts = member.filename.replace("\\", "/").split("/")
        if member.filename.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
            raise FileRefused(
                f"the archive holds {member.filename[:80]!r}, which would be unpacked outside "
                "its folder; make the archive again from the folder itself."
            )
    _check_expansion(sum(m.file_size for m in members), len(data))


def _check_expansion(expanded: int, size: int) -> None:
    bomb = expanded > EXPANSION_FLOOR and expanded > MAX_RATIO * max(size, 1)
    if bomb or expanded > MAX_EXPANDED_BYTES:
        raise FileRefused(
            f"the archive expands to {expanded:,} bytes from {size:,} (a decompression "
            f"bomb); archives may expand at most {MAX_RATIO} times. Send the files themselves."
        )
