"""Files a generation makes (designs, audio), whatever the modality.

- What a buyer sends beyond the brief is checked at the edge, before anything runs: the
  modality's options (its ``check_options``) and attachments (images, through
  ``kit.images.clean_upload``, bounded in number and size).
- The full files are signed with content credentials (C2PA: the freelancer as creator, the
  model and version, AI-generated, the generation, the certificate's address) when the
  generation is recorded, and stored, with one zip of them all, beside the modality's
  watermarked preview copies. Signing then, not at purchase, leaves the purchase a pure
  database write: a retried purchase finds the same files, signed once, whatever the retries.
  Signing takes milliseconds a file; the model itself runs with no transaction open.
- Stored under ``generations/<generation id>/<certificate id>/{preview,full}/<name>``: the
  random part makes each generation's keys its own, so a rolled-back attempt never overwrites
  the files of one that committed.
- Full files and the zip are served only once the generation is bought, and only to its
  buyer; the preview copies only to the buyer who asked for them.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import io
import json
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.config import get_settings
from twinwork.creation.runtime import Work
from twinwork.generation.models import Generation, GenerationFile
from twinwork.generation.repository import file_repository
from twinwork.generation.service import GenerationTicket, generation_service
from twinwork.kit.content_credentials import (
    Credentials,
    HowMade,
    UnsupportedMediaType,
    manifest_hash,
    normalise_mime_type,
    sign,
)
from twinwork.kit.errors import DomainError, NotFound
from twinwork.kit.images import clean_upload
from twinwork.kit.public_ids import public_id
from twinwork.kit.signing import sha256_hex
from twinwork.kit.storage import ObjectNotFound, ObjectStorage
from twinwork.ml import GeneratedFile, get_modality

MAX_ATTACHMENTS = 4
MAX_ATTACHMENT_BYTES = 5_000_000
"""Per attachment, decoded; an ad's logo or photo needs far less."""
MAX_ATTACHMENT_BASE64 = (MAX_ATTACHMENT_BYTES + 2) // 3 * 4
MAX_OPTIONS_CHARS = 10_000
"""Of the options as JSON: what a form of a few fields can hold, with room to spare."""
ATTACHMENT_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
ZIP_MEDIA_TYPE = "application/zip"


class InvalidGenerationRequest(DomainError):
    status_code = 422
    title = "Invalid generation request"
    type_slug = "invalid-generation-request"


class NotBoughtYet(DomainError):
    status_code = 403
    title = "Not bought yet"
    type_slug = "not-bought-yet"


@dataclass(frozen=True)
class BuyerInput:
    """The buyer's options, as the modality normalised them, and their cleaned images."""

    options: dict[str, Any]
    attachments: dict[str, bytes]


async def check_input(
    modality: str,
    options_field: str | None,
    options: Mapping[str, Any] | None,
    attachments: Mapping[str, str] | None,
) -> BuyerInput:
    """Refuse, before anything is generated, stored or charged, options the model's modality
    does not take or rejects, and attachments that are not images of a sane size."""
    spec = get_modality(modality)
    if options_field is not None and options_field != spec.options_field:
        raise InvalidGenerationRequest(
            f"This {spec.label.lower()} model takes no '{options_field}' options; "
            + (
                f"send them as '{spec.options_field}'."
                if spec.options_field
                else "send just the brief."
            )
        )
    checked: dict[str, Any] = {}
    if spec.options_field is not None and spec.check_options is not None:
        given = dict(options or {})
        if len(json.dumps(given, default=str)) > MAX_OPTIONS_CHARS:
            raise InvalidGenerationRequest(
                f"The '{spec.options_field}' options are too long; keep them under "
                f"{MAX_OPTIONS_CHARS:,} characters."
            )
        try:
            checked = dict(spec.check_options(given))
        except ValueError as exc:
            raise InvalidGenerationRequest(str(exc)) from exc
    cleaned: dict[str, bytes] = {}
    if attachments:
        if not spec.takes_attachments:
            raise InvalidGenerationRequest(
                f"This {spec.label.lower()} model takes no attachments; send just the brief."
            )
        if len(attachments) > MAX_ATTACHMENTS:
            raise InvalidGenerationRequest(f"Attach at most {MAX_ATTACHMENTS} images.")
        for name, encoded in attachments.items():
            cleaned[name] = await _clean_attachment(name, encoded)
    return BuyerInput(checked, cleaned)


async def _clean_attachment(name: str, encoded: str) -> bytes:
    if not ATTACHMENT_NAME.match(name):
        raise InvalidGenerationRequest(
            f"Name attachments with lower-case letters, digits, '-' or '_' (got {name[:40]!r})."
        )
    if len(encoded) > MAX_ATTACHMENT_BASE64:
        raise InvalidGenerationRequest(
            f"The '{name}' image is over {MAX_ATTACHMENT_BYTES / 1e6:.0f} MB; send a smaller one."
        )
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidGenerationRequest(
            f"The '{name}' attachment is not base64; send the image's bytes base64-encoded."
        ) from exc
    # Decoding an image is CPU work: off the event loop.
    image = await asyncio.to_thread(clean_upload, data, None, max_bytes=MAX_ATTACHMENT_BYTES)
    return image.data


# ---- signing and storing, when the generation is recorded --------------------------------


@dataclass(frozen=True)
class _Ready:
    file: GeneratedFile
    manifest_hash: str | None


def _credentials(ticket: GenerationTicket, generation: Generation) -> Credentials:
    base_url = get_settings().base_url.rstrip("/")
    return Credentials(
        creator_name=ticket.owner_name,
        # Public ids: the manifest travels with the file, wherever the buyer takes it.
        creator_handle=f"twinwork:user:{public_id('user', ticket.owner_user_id)}",
        model_name=ticket.model_name,
        model_version=f"version {ticket.version_number}",
        how_made=HowMade.AI_GENERATED,
        generation_id=generation.public_id,
        certificate_url=f"{base_url}/certificates/{generation.certificate_id}",
    )


def _signed(files: Sequence[GeneratedFile], claim: Credentials) -> list[_Ready]:
    ready = []
    for item in files:
        try:
            mime = normalise_mime_type(item.media_type)
        except UnsupportedMediaType:
            # SVG, and whatever else C2PA cannot carry, ships as it is; the certificate
            # still names its hash.
            ready.append(_Ready(item, None))
            continue
        data = sign(item.content, mime, claim)
        ready.append(_Ready(GeneratedFile(item.name, mime, data), manifest_hash(data, mime)))
    return ready


def zip_of(files: Sequence[GeneratedFile]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in files:
            archive.writestr(
                zipfile.ZipInfo(item.name, date_time=(2020, 1, 1, 0, 0, 0)), item.content
            )
    return buffer.getvalue()


def archive_name(generation: Generation) -> str:
    """The zip's name as the buyer saves it: by the generation's public id."""
    return f"generation-{generation.public_id}.zip"


def _check_names(files: Sequence[GeneratedFile], what: str) -> None:
    names = [item.name for item in files]
    bad = [name for name in names if not FILE_NAME.match(name) or name.endswith(".zip")]
    if bad or len(set(names)) != len(names):
        # The modality's fault, not the buyer's: a plain error, logged as a bug.
        raise ValueError(f"the modality returned {what} with bad or repeated names: {names}")


def prefix_of(generation: Generation) -> str:
    return f"generations/{generation.id}/{generation.certificate_id}/"


async def attach(
    session: AsyncSession,
    storage: ObjectStorage,
    generation: Generation,
    ticket: GenerationTicket,
    work: Work,
) -> None:
    """Sign and store the files of a just-recorded generation and record them, in the
    caller's unit of work; what was stored is deleted again if anything fails."""
    assert generation.certificate_id is not None and generation.file_count == len(work.files)
    _check_names(work.files, "files")
    _check_names(work.previews, "preview files")
    ready = await asyncio.to_thread(_signed, work.files, _credentials(ticket, generation))
    bundle = GeneratedFile(
        archive_name(generation), ZIP_MEDIA_TYPE, zip_of([r.file for r in ready])
    )
    prefix = prefix_of(generation)
    planned: list[tuple[GeneratedFile, str | None, bool, bool]] = [
        *((item, None, True, False) for item in work.previews),
        *((r.file, r.manifest_hash, False, False) for r in ready),
        (bundle, None, False, True),
    ]
    rows: list[GenerationFile] = []
    try:
        for position, (item, fingerprint, is_preview, is_archive) in enumerate(planned):
            key = f"{prefix}{'preview' if is_preview else 'full'}/{item.name}"
            await storage.put(key, item.content)
            rows.append(
                GenerationFile(
                    generation_id=generation.id,
                    name=item.name,
                    media_type=item.media_type,
                    byte_size=len(item.content),
                    sha256=sha256_hex(item.content),
                    manifest_hash=fingerprint,
                    storage_key=key,
                    is_preview=is_preview,
                    is_archive=is_archive,
                    position=position,
                )
            )
        await file_repository.add_all(session, rows)
    except BaseException:
        await discard(storage, generation)
        raise


async def discard(storage: ObjectStorage, generation: Generation) -> None:
    """Delete whatever was stored for a generation that was not recorded after all."""
    if generation.certificate_id is None:
        return
    with contextlib.suppress(Exception):  # best effort: the keys are the rolled-back row's
        for key in await storage.list(prefix_of(generation)):
            await storage.delete(key)


async def delete_stored(storage: ObjectStorage, keys: Sequence[str]) -> None:
    for key in keys:
        await storage.delete(key)


# ---- reading them back --------------------------------------------------------------------


async def open_file(
    session: AsyncSession,
    storage: ObjectStorage,
    buyer: User,
    generation_id: int,
    name: str,
    *,
    preview: bool,
) -> tuple[GenerationFile, bytes]:
    """A file of the buyer's generation and its bytes: a preview copy at any time, a full
    file or the zip only once bought. Someone else's generation is a missing one, except for
    the freelancer of an order's AI draft, who refines those files."""
    generation = await generation_service.with_files_for(session, buyer, generation_id)
    if not preview and not generation.purchased and generation.buyer_user_id == buyer.id:
        raise NotBoughtYet(
            "Buy this generation to download its files; until then its preview shows "
            "watermarked, reduced copies."
        )
    item = await file_repository.named(session, generation.id, name, preview=preview)
    if item is None:
        kind = "preview file" if preview else "file"
        raise NotFound(f"This generation has no {kind} named {name[:100]!r}.")
    try:
        data = await storage.get(item.storage_key)
    except ObjectNotFound as exc:
        raise NotFound(
            f"The file {name!r} is no longer stored; ask support to restore it."
        ) from exc
    return item, data
