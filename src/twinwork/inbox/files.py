"""Files sent with a message: the type comes from the bytes, never from the name.

Accepted: PNG, JPEG and WebP pictures (their container walked by ``kit.images``: complete,
still, nothing hidden after the end), PDF documents, plain UTF-8 text, MP3 and WAV audio.
Everything else is refused with the list of what is accepted, and so is a name whose
extension claims another type than the content is (a PDF named ``photo.png``). Files are
always served as downloads with ``nosniff``, so even an accepted file never runs in the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from twinwork.config import get_settings
from twinwork.kit.errors import DomainError, ValidationFailed
from twinwork.kit.files import FileRefused, check_name
from twinwork.kit.images import ImageKind, ImageRejected, check_raster, sniff
from twinwork.kit.text import format_file_size
from twinwork.order.service import clean_file_name

ACCEPTED = "PNG, JPEG or WebP pictures, PDF documents, plain text, MP3 or WAV audio"

# What each sniffed type may be named; a name without an extension is fine.
_EXTENSIONS = {
    "image/png": {"png"},
    "image/jpeg": {"jpg", "jpeg", "jpe", "jfif"},
    "image/webp": {"webp"},
    "application/pdf": {"pdf"},
    "text/plain": {"txt", "text", "md", "csv", "log"},
    "audio/mpeg": {"mp3"},
    "audio/wav": {"wav", "wave"},
}
_KNOWN_EXTENSIONS = {ext for names in _EXTENSIONS.values() for ext in names} | {
    "gif",
    "svg",
    "html",
    "htm",
    "exe",
    "zip",
    "js",
    "doc",
    "docx",
}


class AttachmentRefused(DomainError):
    status_code = 422
    title = "Attachment refused"
    type_slug = "attachment-refused"


@dataclass(frozen=True)
class Upload:
    """A file as it arrived (JSON base64 or a form upload); nothing about it is trusted."""

    name: str
    data: bytes


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    data: bytes


def content_type_of(data: bytes) -> str | None:
    """The type the bytes are, or None when they are nothing we accept."""
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    ):
        return sniff(data).mime_type
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if _is_text(data):
        return "text/plain"
    return None


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    # Control characters other than whitespace mean a binary file that happens to decode.
    return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in text)


def check_file(upload: Upload) -> CheckedFile:
    try:
        check_name(upload.name)  # a name, not a path (kit.files)
    except FileRefused as exc:
        raise AttachmentRefused(exc.detail, field="files") from exc
    name = clean_file_name(upload.name)
    limit = get_settings().inbox_attachment_max_bytes
    if not upload.data:
        raise AttachmentRefused(f"{name!r} is empty.", field="files")
    if len(upload.data) > limit:
        raise AttachmentRefused(
            f"{name!r} is {len(upload.data):,} bytes; a file sent in a message may be at most "
            f"{limit:,} bytes ({format_file_size(limit)}).",
            field="files",
        )
    content_type = content_type_of(upload.data)
    if content_type is None:
        raise AttachmentRefused(
            f"{name!r} is not a type of file we accept in messages; send {ACCEPTED}.",
            field="files",
        )
    if content_type.startswith("image/"):
        try:
            check_raster(upload.data, ImageKind(content_type.removeprefix("image/")))
        except ImageRejected as exc:
            raise AttachmentRefused(f"{name!r}: {exc.detail}", field="files") from exc
    extension = name.rsplit(".", 1)[1].lower() if "." in name else ""
    if extension in _KNOWN_EXTENSIONS and extension not in _EXTENSIONS[content_type]:
        raise AttachmentRefused(
            f"{name!r} is named .{extension} but its content is {content_type}; rename it or "
            "send the file its name says.",
            field="files",
        )
    return CheckedFile(name, content_type, upload.data)


def check_files(uploads: Sequence[Upload]) -> list[CheckedFile]:
    """Every file checked before any is stored: one refused file stores none."""
    most = get_settings().inbox_attachment_max_files
    if len(uploads) > most:
        raise ValidationFailed(f"Send at most {most} files with one message.", field="files")
    return [check_file(upload) for upload in uploads]
