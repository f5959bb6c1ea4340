"""Adding samples within the limits, consent, and the provenance rules training must obey."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.catalog.service import category_service
from twinwork.config import get_settings
from twinwork.kit.db import utcnow
from twinwork.kit.encoding import decode_base64
from twinwork.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from twinwork.kit.images import MAX_UPLOAD_BYTES, CleanImage, ImageKind, clean_upload, thumbnail
from twinwork.kit.pagination import Page, check_page_in_range
from twinwork.kit.public_ids import public_id
from twinwork.kit.signing import canonical_json, sha256_hex
from twinwork.kit.storage import ObjectStorage
from twinwork.portfolio.audio import RECORDING_MAX_BYTES, clean_recording, waveform
from twinwork.portfolio.models import DataUseRecord, PortfolioSample
from twinwork.portfolio.repository import data_use_repository, sample_repository
from twinwork.portfolio.schemas import AudioSampleIn, ImageSampleIn, SampleIn

GENESIS_HASH = "0" * 64
UPLOAD_SUFFIXES = (".txt", ".md")
IMAGE_KIND = "image"
"""The sample kind of a design file (PNG, JPEG, WebP or SVG)."""
IMAGE_MAX_BYTES = MAX_UPLOAD_BYTES
AUDIO_KIND = "audio"
"""The sample kind of a voice recording with its script."""
AUDIO_MAX_BYTES = RECORDING_MAX_BYTES
_KINDS_BY_MEDIA_TYPE = {kind.mime_type: kind for kind in ImageKind}


class ProvenanceViolation(RuntimeError):
    """A training run was handed a sample it must not read. Never caught and filtered: the
    run fails, because silently dropping data would hide a bug that leaks someone's work."""


@dataclass(frozen=True)
class PortfolioTotals:
    count: int
    total_bytes: int
    consented: int
    text_bytes: int = 0
    """Bytes of text samples: what the portfolio's byte limit counts (files have their own
    per-file limit)."""
    designs_consented: int = 0
    """Image samples with consent to train."""
    recordings_consented: int = 0
    """Voice recordings with consent to train."""
    recorded_ms_consented: int = 0
    """Their length in milliseconds, as stored (pauses trimmed)."""

    @property
    def designs_needed(self) -> int:
        """How many more designs with consent a design model needs before it can train."""
        return max(get_settings().design_min_samples - self.designs_consented, 0)

    @property
    def recorded_seconds(self) -> float:
        return self.recorded_ms_consented / 1000

    @property
    def recording_seconds_needed(self) -> float:
        """How much more recording time with consent a voice model needs to train."""
        return max(get_settings().voice_min_seconds - self.recorded_seconds, 0.0)


def content_hash(text: str) -> str:
    return sha256_hex(text.encode("utf-8"))


def decode_upload(filename: str, data: bytes) -> str:
    """The text of an uploaded .txt/.md file, or a clear error for anything else."""
    if not filename.lower().endswith(UPLOAD_SUFFIXES):
        raise ValidationFailed("Upload a .txt or .md file.", field="file")
    if b"\x00" in data:
        raise ValidationFailed(
            "This file is binary, not text: upload a UTF-8 .txt or .md file.", field="file"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            f"This file is not UTF-8 text (invalid byte at position {exc.start}); "
            "save it as UTF-8 and upload it again.",
            field="file",
        ) from exc


class PortfolioService:
    async def add(
        self, session: AsyncSession, user: User, data: SampleIn, *, source: str = "paste"
    ) -> PortfolioSample:
        settings = get_settings()
        size = len(data.content.encode("utf-8"))
        if size > settings.sample_max_bytes:
            raise ValidationFailed(
                f"This sample is {size:,} bytes; one sample may be at most "
                f"{settings.sample_max_bytes:,} bytes. Split it into several samples.",
                field="content",
            )
        category_id, totals = await self._check_can_add(
            session, user, data.ownership_attested, data.category
        )
        if totals.text_bytes + size > settings.max_portfolio_bytes:
            raise Conflict(
                f"Your portfolio would exceed {settings.max_portfolio_bytes:,} bytes in all.",
                field="content",
            )
        digest = content_hash(data.content)
        await self._check_not_duplicate(session, user, digest, "text")
        now = utcnow()
        sample = PortfolioSample(
            owner_user_id=user.id,
            kind=data.kind,
            title=data.title,
            category_id=category_id,
            content=data.content,
            content_hash=digest,
            byte_size=size,
            source=source,
            ownership_attested=True,
            consent_to_train=data.consent_to_train,
            consent_changed_at=now if data.consent_to_train else None,
            created_at=now,
        )
        try:
            async with session.begin_nested():
                await sample_repository.add(session, sample)
        except IntegrityError as exc:  # the same text sent twice at once
            raise Conflict(
                "This exact text is already in your portfolio.", field="content"
            ) from exc
        return sample

    async def add_sample(
        self,
        session: AsyncSession,
        storage: ObjectStorage,
        user: User,
        data: SampleIn | ImageSampleIn | AudioSampleIn,
    ) -> PortfolioSample:
        if isinstance(data, ImageSampleIn):
            return await self.add_image(session, storage, user, data)
        if isinstance(data, AudioSampleIn):
            return await self.add_audio(session, storage, user, data)
        return await self.add(session, user, data)

    async def add_audio(
        self,
        session: AsyncSession,
        storage: ObjectStorage,
        user: User,
        data: AudioSampleIn,
        *,
        source: str = "upload",
    ) -> PortfolioSample:
        """Add a voice recording with its script (``portfolio.audio`` checks and cleans it
        from its content); a refused file leaves nothing behind."""
        raw = _sample_bytes(data.content_base64)
        return await self.add_audio_bytes(
            session,
            storage,
            user,
            raw,
            filename=data.filename,
            title=data.title,
            transcript=data.transcript,
            category=data.category,
            ownership_attested=data.ownership_attested,
            consent_to_train=data.consent_to_train,
            source=source,
        )

    async def add_audio_bytes(
        self,
        session: AsyncSession,
        storage: ObjectStorage,
        user: User,
        raw: bytes,
        *,
        filename: str,
        title: str,
        transcript: str,
        category: str,
        ownership_attested: bool,
        consent_to_train: bool,
        source: str = "upload",
    ) -> PortfolioSample:
        category_id, _totals = await self._check_can_add(
            session, user, ownership_attested, category
        )
        script = " ".join(transcript.split())
        # Decoding and loudness measurement take a second or two of CPU: off the event loop.
        clean = await asyncio.to_thread(clean_recording, raw, filename, script)
        digest = sha256_hex(clean.data)
        await self._check_not_duplicate(session, user, digest, "recording")
        key = f"portfolio/{user.id}/{uuid.uuid4().hex}.flac"
        now = utcnow()
        sample = PortfolioSample(
            owner_user_id=user.id,
            kind=AUDIO_KIND,
            title=title,
            category_id=category_id,
            content=script,
            content_hash=digest,
            byte_size=len(clean.data),
            storage_key=key,
            media_type=clean.media_type,
            duration_ms=clean.duration_ms,
            source=source,
            ownership_attested=True,
            consent_to_train=consent_to_train,
            consent_changed_at=now if consent_to_train else None,
            created_at=now,
        )
        return await self._store_with_file(session, storage, sample, clean.data, "recording")

    async def recording(
        self, session: AsyncSession, storage: ObjectStorage, user: User, sample_id: int
    ) -> bytes:
        """The owner's cleaned recording (FLAC)."""
        sample = await self.owned(session, user, sample_id)
        if sample.kind != AUDIO_KIND or sample.storage_key is None:
            raise NotFound("This sample is not a recording.")
        return await storage.get(sample.storage_key)

    async def waveform(
        self, session: AsyncSession, storage: ObjectStorage, user: User, sample_id: int
    ) -> bytes:
        """A PNG of the owner's recording's waveform."""
        data = await self.recording(session, storage, user, sample_id)
        return await asyncio.to_thread(waveform, data)

    async def add_image(
        self,
        session: AsyncSession,
        storage: ObjectStorage,
        user: User,
        data: ImageSampleIn,
        *,
        source: str = "upload",
    ) -> PortfolioSample:
        """Add a design. The bytes are checked and re-encoded by ``kit.images`` (type from
        the content, no bombs, polyglots or animation, metadata stripped, SVG sanitised)
        before anything is stored; a refused file leaves nothing behind."""
        raw = _sample_bytes(data.content_base64)
        return await self.add_image_bytes(
            session,
            storage,
            user,
            raw,
            filename=data.filename,
            title=data.title,
            category=data.category,
            ownership_attested=data.ownership_attested,
            consent_to_train=data.consent_to_train,
            source=source,
        )

    async def add_image_bytes(
        self,
        session: AsyncSession,
        storage: ObjectStorage,
        user: User,
        raw: bytes,
        *,
        filename: str,
        title: str,
        category: str,
        ownership_attested: bool,
        consent_to_train: bool,
        source: str = "upload",
    ) -> PortfolioSample:
        category_id, _totals = await self._check_can_add(
            session, user, ownership_attested, category
        )
        clean = clean_upload(raw, filename, max_bytes=IMAGE_MAX_BYTES)
        digest = sha256_hex(clean.data)
        await self._check_not_duplicate(session, user, digest, "design")
        key = f"portfolio/{user.id}/{uuid.uuid4().hex}.{clean.kind.extension}"
        now = utcnow()
        sample = PortfolioSample(
            owner_user_id=user.id,
            kind=IMAGE_KIND,
            title=title,
            category_id=category_id,
            content="",
            content_hash=digest,
            byte_size=len(clean.data),
            storage_key=key,
            media_type=clean.mime_type,
            width=clean.width,
            height=clean.height,
            source=source,
            ownership_attested=True,
            consent_to_train=consent_to_train,
            consent_changed_at=now if consent_to_train else None,
            created_at=now,
        )
        return await self._store_with_file(session, storage, sample, clean.data, "design")

    async def _store_with_file(
        self,
        session: AsyncSession,
        storage: ObjectStorage,
        sample: PortfolioSample,
        data: bytes,
        what: str,
    ) -> PortfolioSample:
        """Store a file sample's bytes, then its row. Stored before the row is written: a
        failed commit leaves an unreferenced file under the owner's prefix, never a sample
        whose file is missing; the same file sent twice at once keeps one of each."""
        assert sample.storage_key is not None
        await storage.put(sample.storage_key, data)
        try:
            async with session.begin_nested():
                await sample_repository.add(session, sample)
        except IntegrityError as exc:
            await storage.delete(sample.storage_key)
            message = f"This exact {what} is already in your portfolio."
            raise Conflict(message, field="file") from exc
        return sample

    async def _check_can_add(
        self, session: AsyncSession, user: User, ownership_attested: bool, category: str
    ) -> tuple[int, PortfolioTotals]:
        if not user.is_freelancer:
            raise Forbidden("Become a freelancer to build a portfolio.")
        if not ownership_attested:
            raise ValidationFailed(
                "Confirm that you own the rights to this work: only your own work can be "
                "added to your portfolio.",
                field="ownership_attested",
            )
        settings = get_settings()
        found = await category_service.by_slug(session, category)
        totals = await self.totals(session, user)
        if totals.count >= settings.max_samples:
            raise Conflict(
                f"Your portfolio holds the maximum of {settings.max_samples} samples; "
                "remove one before adding another.",
                field="content",
            )
        return found.id, totals

    async def _check_not_duplicate(
        self, session: AsyncSession, user: User, digest: str, what: str
    ) -> None:
        duplicate = await sample_repository.by_hash(session, user.id, digest)
        if duplicate is not None:
            raise Conflict(
                f"This exact {what} is already in your portfolio as {duplicate.title!r}.",
                field="file" if what in ("design", "recording") else "content",
                sample_id=duplicate.public_id,
            )

    async def owned(self, session: AsyncSession, user: User, sample_id: int) -> PortfolioSample:
        sample = await sample_repository.get(session, sample_id)
        if sample is None or sample.owner_user_id != user.id:
            raise NotFound("No such sample in your portfolio.")
        return sample

    async def set_consent(
        self, session: AsyncSession, user: User, sample_id: int, consent: bool
    ) -> PortfolioSample:
        sample = await self.owned(session, user, sample_id)
        if sample.consent_to_train != consent:
            sample.consent_to_train = consent
            sample.consent_changed_at = utcnow()
            await session.flush()
        return sample

    async def remove(
        self,
        session: AsyncSession,
        user: User,
        sample_id: int,
        storage: ObjectStorage | None = None,
    ) -> None:
        """Delete the sample's text, or its stored file, from the platform. Runs not yet past
        reading it fail their provenance check (the sample no longer exists); versions already
        trained on it keep what they learned, and the data-use ledger keeps its id and hash."""
        sample = await self.owned(session, user, sample_id)
        key = sample.storage_key
        if key is not None and storage is None:
            raise RuntimeError("removing a file sample needs the object storage")
        await sample_repository.delete(session, sample)
        if key is not None and storage is not None:
            # After the row is gone from this transaction: should the commit still fail, the
            # sample is back without its file, and training refuses it with a clear error
            # rather than a file outliving the sample the owner removed.
            await storage.delete(key)

    async def picture(
        self,
        session: AsyncSession,
        storage: ObjectStorage,
        user: User,
        sample_id: int,
        max_side: int,
    ) -> CleanImage:
        """A reduced copy of the owner's design, no side over ``max_side``; an SVG is
        sanitised again as it is read (it scales itself)."""
        sample = await self.owned(session, user, sample_id)
        kind = _KINDS_BY_MEDIA_TYPE.get(sample.media_type or "")
        if sample.storage_key is None or kind is None:
            raise NotFound("This sample is text; it has no picture.")
        data = await storage.get(sample.storage_key)
        if kind is ImageKind.SVG:
            return clean_upload(data)
        return thumbnail(CleanImage(kind, data, sample.width, sample.height), max_side)

    async def fetch_file(self, storage: ObjectStorage, sample: PortfolioSample) -> bytes:
        """A file sample's stored bytes, checked against the hash recorded when it was
        added: a training run never reads a file that changed since."""
        if sample.storage_key is None:
            raise ProvenanceViolation(f"sample {sample.public_id} has no stored file")
        data = await storage.get(sample.storage_key)
        if sha256_hex(data) != sample.content_hash:
            raise ProvenanceViolation(
                f"the stored file of sample {sample.public_id} does not match its recorded hash"
            )
        return data

    async def totals(self, session: AsyncSession, user: User) -> PortfolioTotals:
        return PortfolioTotals(*await sample_repository.totals(session, user.id))

    async def page(
        self, session: AsyncSession, user: User, page: int, page_size: int = 20
    ) -> tuple[Page[PortfolioSample], PortfolioTotals]:
        totals = await self.totals(session, user)
        check_page_in_range(page, page_size, totals.count)
        items = await sample_repository.page_for_owner(
            session, user.id, (page - 1) * page_size, page_size
        )
        return Page(items, page, page_size, totals.count), totals

    async def content_hashes(self, session: AsyncSession, owner_id: int) -> set[str]:
        return await sample_repository.hashes_for_owner(session, owner_id)

    async def consented(self, session: AsyncSession, owner_id: int) -> list[PortfolioSample]:
        return await sample_repository.consented_for_owner(session, owner_id)

    # ---- provenance ----------------------------------------------------------------------

    async def load_for_training(
        self, session: AsyncSession, *, owner_id: int, sample_ids: Sequence[int], since: datetime
    ) -> list[PortfolioSample]:
        """The samples a run was started with, checked again as they are read."""
        samples = await sample_repository.by_ids(session, sample_ids)
        missing = set(sample_ids) - {s.id for s in samples}
        if missing:
            raise ProvenanceViolation(
                f"samples {', '.join(public_id('sample', m) for m in sorted(missing))} no longer "
                "exist; the run cannot read them"
            )
        assert_trainable(samples, owner_id=owner_id, since=since)
        return samples

    async def record_data_use(
        self,
        session: AsyncSession,
        *,
        owner_id: int,
        model_id: int,
        run_id: int,
        samples: Sequence[PortfolioSample],
    ) -> list[DataUseRecord]:
        """Append one hash-chained record per sample read, before the run reads it."""
        last = await data_use_repository.last(session, owner_id)
        sequence = last.sequence if last else 0
        prev = last.record_hash if last else GENESIS_HASH
        now = utcnow()
        records = []
        for sample in samples:
            sequence += 1
            record = DataUseRecord(
                owner_user_id=owner_id,
                sequence=sequence,
                sample_id=sample.id,
                content_hash=sample.content_hash,
                model_id=model_id,
                run_id=run_id,
                read_at=now,
                prev_hash=prev,
            )
            record.record_hash = record_digest(record)
            prev = record.record_hash
            records.append(record)
        try:
            async with session.begin_nested():
                await data_use_repository.add_all(session, records)
        except IntegrityError as exc:
            raise Conflict("Another run is writing to this data-use ledger; retry.") from exc
        return records

    async def data_use(self, session: AsyncSession, user: User) -> tuple[list[DataUseRecord], bool]:
        chain = await data_use_repository.chain(session, user.id)
        return chain, chain_is_valid(chain)

    async def titles(
        self, session: AsyncSession, user: User, sample_ids: Sequence[int]
    ) -> dict[int, str]:
        """The titles of the owner's samples among ``sample_ids`` (a deleted one is absent)."""
        samples = await sample_repository.by_ids(session, sorted(set(sample_ids)))
        return {s.id: s.title for s in samples if s.owner_user_id == user.id}


def assert_trainable(samples: Sequence[PortfolioSample], *, owner_id: int, since: datetime) -> None:
    """Raise unless every sample belongs to the model's owner and had consent, unrevoked,
    from before the run started until now."""
    for sample in samples:
        if sample.owner_user_id != owner_id:
            raise ProvenanceViolation(
                f"sample {sample.public_id} belongs to user "
                f"{public_id('user', sample.owner_user_id)}, not to the model's owner "
                f"{public_id('user', owner_id)}"
            )
        if not sample.ownership_attested:
            raise ProvenanceViolation(f"sample {sample.public_id} has no ownership attestation")
        if not sample.consent_to_train:
            raise ProvenanceViolation(f"sample {sample.public_id} has no consent to train")
        if sample.consent_changed_at is not None and sample.consent_changed_at > since:
            # Consent withdrawn and given again after the run started: the run was started
            # on a decision the owner since changed, so it must not read the sample.
            raise ProvenanceViolation(
                f"consent for sample {sample.public_id} changed after the run began"
            )


def record_digest(record: DataUseRecord) -> str:
    body = {
        "owner_user_id": record.owner_user_id,
        "sequence": record.sequence,
        "sample_id": record.sample_id,
        "content_hash": record.content_hash,
        "model_id": record.model_id,
        "run_id": record.run_id,
        "read_at": record.read_at.isoformat(timespec="microseconds"),
        "prev_hash": record.prev_hash,
    }
    return sha256_hex(canonical_json(body))


def chain_is_valid(chain: Sequence[DataUseRecord]) -> bool:
    prev = GENESIS_HASH
    for expected_sequence, record in enumerate(chain, start=1):
        if record.sequence != expected_sequence or record.prev_hash != prev:
            return False
        if record_digest(record) != record.record_hash:
            return False
        prev = record.record_hash
    return True


portfolio_service = PortfolioService()


def _sample_bytes(content_base64: str) -> bytes:
    """A file sample's bytes from the JSON body (designs and recordings alike)."""
    return decode_base64(
        content_base64,
        field="content_base64",
        message="content_base64 is not valid base64: send the file's bytes base64-encoded.",
    )
