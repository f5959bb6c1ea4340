"""Generating from a personal model, previews, one-time purchase, licences and certificates.

A generation is produced before anything is charged: the buyer sees a marked preview, and
paying releases the text that already exists. So a purchase never pays for a generation
that then fails, and there is nothing to refund.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.billing.sale import post_sale
from twinwork.config import get_settings
from twinwork.creation.erasure_hooks import ErasureReport, register_erasure_participant
from twinwork.creation.errors import ModelGone
from twinwork.creation.models import PersonalModel
from twinwork.creation.repository import model_repository, version_repository
from twinwork.generation.models import Certificate, Generation, GenerationFile, Licence
from twinwork.generation.repository import (
    certificate_repository,
    file_repository,
    generation_repository,
    licence_repository,
)
from twinwork.kit.db import utcnow
from twinwork.kit.errors import Conflict, DomainError, NotFound, TooManyRequests
from twinwork.kit.money import format_amount
from twinwork.kit.pagination import Page, check_page_in_range
from twinwork.kit.signing import ALGORITHM, platform_key, sha256_hex, verify_signature
from twinwork.kit.storage import make_storage
from twinwork.ledger.service import ledger_service
from twinwork.ml import UnknownModality, get_modality
from twinwork.ml.registry import PER_USE

CERTIFICATE_TYPE = "twinwork.ownership-certificate/v1"
FOR_THE_ORDER = "for the order"
PREVIEW_FRACTION = 0.4


class ModelUnavailable(DomainError):
    status_code = 409
    title = "Model switched off"
    type_slug = "model-unavailable"


class FilesMissing(DomainError):
    status_code = 409
    title = "Files not ready"
    type_slug = "files-not-ready"


@dataclass(frozen=True)
class GenerationTicket:
    """Everything needed to generate, read in one short transaction; the slow generation
    then runs with no transaction open."""

    model_id: int
    version_id: int
    owner_user_id: int
    modality: str
    """Which registered modality generates (``twinwork.ml.get_modality``)."""
    artifact_key: str
    artifact_hash: str
    model_name: str = ""
    version_number: int = 0
    owner_name: str = ""
    """Who the content credentials of generated files name as their creator."""


@dataclass(frozen=True)
class PriceBreakdown:
    """What one generation costs: ``units`` times the model's price per unit, as the
    modality counts units (``price_units``: one per use, or per started 100 words of a
    narration's script)."""

    units: int
    unit_amount: int
    """In cents."""
    currency: str
    unit_label: str
    """What one unit is ("per use", "per started 100 words")."""

    @property
    def amount(self) -> int:
        """In cents."""
        return self.units * self.unit_amount

    @property
    def summary(self) -> str:
        """For people: "$4.50" for one unit; "3 × $2.50 = $7.50" for several."""
        total = format_amount(self.amount, self.currency)
        if self.units == 1:
            return total
        return f"{self.units} × {format_amount(self.unit_amount, self.currency)} = {total}"


def price_for(
    modality: str,
    brief: str,
    options: Mapping[str, Any] | None,
    unit_amount: int,
    currency: str,
) -> PriceBreakdown:
    """The price of generating ``brief`` from a model of ``modality`` priced ``unit_amount``
    (in cents) per unit."""
    spec = get_modality(modality)
    return PriceBreakdown(spec.units(brief, options), unit_amount, currency, spec.price_unit_label)


def price_of(generation: Generation, modality: str) -> PriceBreakdown:
    """How the price quoted with a generation breaks down. The units come again from its
    brief; work made for an order (priced by the order: a package's own AI price, say) and
    a price that is not a whole number of units show as one sum."""
    if generation.for_order:
        return PriceBreakdown(1, generation.price_amount, generation.currency, FOR_THE_ORDER)
    try:
        spec = get_modality(modality)
    except UnknownModality:
        return PriceBreakdown(1, generation.price_amount, generation.currency, PER_USE)
    units = spec.units(generation.brief)
    if generation.price_amount % units:
        return PriceBreakdown(1, generation.price_amount, generation.currency, PER_USE)
    return PriceBreakdown(
        units, generation.price_amount // units, generation.currency, spec.price_unit_label
    )


@dataclass(frozen=True)
class IssuedCounts:
    licences: int
    certificates: int


@dataclass(frozen=True)
class Purchase:
    generation: Generation
    licence: Licence
    certificate: Certificate
    files: tuple[GenerationFile, ...] = ()
    """The full files (signed where their type allows) and, last, the zip of them all."""
    price: PriceBreakdown | None = None
    """How the price paid breaks down (None only where the model row is gone)."""


@dataclass(frozen=True)
class GenerationView:
    """A generation as its buyer sees it: the preview copies of its files, and the full
    files (and last, their zip) once bought."""

    generation: Generation
    previews: tuple[GenerationFile, ...] = ()
    files: tuple[GenerationFile, ...] = ()
    price: PriceBreakdown | None = None
    """How its price breaks down (None only where the model row is gone)."""


def make_preview(text: str) -> tuple[str, str]:
    """The first part of the text, clearly cut, and a notice saying how much is shown."""
    words = text.split()
    if not words:
        return "", "Preview: the model returned no text for this brief; try another brief."
    shown = min(max(3, math.ceil(len(words) * PREVIEW_FRACTION)), max(1, len(words) - 1))
    return (
        " ".join(words[:shown]) + " …",
        f"Preview: the first {shown} of {len(words)} words. Purchase to receive the full text, "
        "a licence and an ownership certificate.",
    )


def preview_notice(generation: Generation) -> str:
    if generation.file_count:
        # The work is files: their watermarked, reduced copies are the preview, not the text.
        return (
            "Preview: watermarked, reduced copies of the files. Purchase to receive the full "
            "files with content credentials, a licence and an ownership certificate."
        )
    return make_preview(generation.text)[1]


class GenerationService:
    async def ticket(
        self, session: AsyncSession, buyer: User, model_id: int, *, for_order: bool = False
    ) -> GenerationTicket:
        model = await model_repository.get(session, model_id)
        if model is None:
            raise NotFound("There is no such model.")
        self._check_available(model, buyer)
        version = await version_repository.get(session, model.approved_version_id or 0)
        if version is None or version.erased_at is not None:
            raise ModelUnavailable("This model has no approved version to generate from.")
        if not for_order:
            await self._check_preview_allowance(session, buyer)
        owner = await session.get(User, model.owner_user_id)
        assert owner is not None
        return GenerationTicket(
            model_id=model.id,
            version_id=version.id,
            owner_user_id=model.owner_user_id,
            modality=model.modality,
            artifact_key=version.artifact_key,
            artifact_hash=version.artifact_hash,
            model_name=model.name,
            version_number=version.number,
            owner_name=owner.display_name,
        )

    async def record(
        self,
        session: AsyncSession,
        buyer: User,
        ticket: GenerationTicket,
        brief: str,
        text: str,
        *,
        for_order: bool = False,
        file_count: int = 0,
        options: Mapping[str, Any] | None = None,
    ) -> Generation:
        """Store a finished generation, checking again that the model is still on: switching
        it off during a generation refuses that generation too. ``file_count``: how many files
        the caller attaches next (``generation.files.attach``), in the same unit of work. The
        price quoted is the model's, times the units the modality counts in the brief."""
        model = await model_repository.lock(session, ticket.model_id)
        if model is None:
            raise NotFound("There is no such model.")
        self._check_available(model, buyer)
        if not for_order:
            await self._check_preview_allowance(session, buyer)
        assert model.price_amount is not None  # activation requires a price
        preview, _notice = make_preview(text)
        price = price_for(ticket.modality, brief, options, model.price_amount, model.currency)
        generation = Generation(
            model_id=model.id,
            version_id=ticket.version_id,
            buyer_user_id=buyer.id,
            owner_user_id=model.owner_user_id,
            brief=brief,
            text=text,
            preview=preview,
            content_hash=sha256_hex(text.encode("utf-8")),
            price_amount=price.amount,
            currency=model.currency,
            license_scope=model.license_scope,
            license_exclusive=model.license_exclusive,
            for_order=for_order,
            file_count=file_count,
            # Files are signed before they are bought, and their credentials link to the
            # certificate: its id is chosen now (random, so no one can guess it).
            certificate_id=str(uuid.uuid4()) if file_count else None,
        )
        await generation_repository.add(session, generation)
        return generation

    def _check_available(self, model: PersonalModel, buyer: User) -> None:
        if model.erased_at is not None:
            raise ModelGone("Its owner erased this model; it can no longer generate.")
        if not model.is_active:
            owner_note = " Activate it on its page." if model.owner_user_id == buyer.id else ""
            raise ModelUnavailable(
                "The freelancer has switched this model off; it is not taking new "
                f"generations.{owner_note}"
            )

    async def _check_preview_allowance(self, session: AsyncSession, buyer: User) -> None:
        limit = get_settings().free_previews_per_day
        used = await generation_repository.previews_since(
            session, buyer.id, utcnow() - timedelta(days=1)
        )
        if used >= limit:
            raise TooManyRequests(
                f"You have used your {limit} free previews for the last 24 hours; "
                "buy one of your previews or come back later."
            )

    async def for_buyer(self, session: AsyncSession, buyer: User, generation_id: int) -> Generation:
        generation = await generation_repository.get(session, generation_id)
        # Someone else's generation is answered like a missing one: its existence is private.
        if generation is None or generation.buyer_user_id != buyer.id:
            raise NotFound("There is no such generation of yours.")
        return generation

    async def with_files_for(
        self, session: AsyncSession, user: User, generation_id: int
    ) -> Generation:
        """A generation whose files ``user`` may read: their own purchase or preview, or, for
        work made for an order (a hybrid draft), the freelancer's own draft to refine."""
        generation = await generation_repository.get(session, generation_id)
        if generation is not None and generation.for_order and generation.owner_user_id == user.id:
            return generation
        return await self.for_buyer(session, user, generation_id)

    async def files_of(self, session: AsyncSession, generation_id: int) -> list[GenerationFile]:
        """The full files of a generation (not the preview copies), in the order made."""
        return await file_repository.for_generation(session, generation_id, preview=False)

    async def view(self, session: AsyncSession, buyer: User, generation_id: int) -> GenerationView:
        return await self.view_of(session, await self.for_buyer(session, buyer, generation_id))

    async def view_of(self, session: AsyncSession, generation: Generation) -> GenerationView:
        previews = await file_repository.for_generation(session, generation.id, preview=True)
        files = (
            await file_repository.for_generation(session, generation.id, preview=False)
            if generation.purchased
            else []
        )
        model = await model_repository.get(session, generation.model_id)
        price = price_of(generation, model.modality) if model is not None else None
        return GenerationView(generation, tuple(previews), tuple(files), price)

    async def history(
        self, session: AsyncSession, buyer: User, page: int, page_size: int = 20
    ) -> Page[Generation]:
        items, total = await generation_repository.for_buyer(
            session, buyer.id, (page - 1) * page_size, page_size
        )
        check_page_in_range(page, page_size, total)
        return Page(items, page, page_size, total)

    # ---- purchase ------------------------------------------------------------------------

    async def purchase(
        self, session: AsyncSession, buyer: User, generation_id: int, idempotency_key: str
    ) -> Purchase:
        earlier = await licence_repository.by_key(session, buyer.id, idempotency_key)
        if earlier is not None:
            if earlier.generation_id != generation_id:
                raise Conflict(
                    "This Idempotency-Key was already used for another purchase; "
                    "send a new key for each purchase."
                )
            return await self._purchase_of(session, earlier)
        generation = await self.for_buyer(session, buyer, generation_id)
        if generation.purchased:
            raise Conflict(
                "You have already bought this generation; nothing was charged again.",
                generation_id=generation.public_id,
            )
        model = await model_repository.get(session, generation.model_id)
        assert model is not None
        if model.owner_user_id == buyer.id:
            raise Conflict("This is your own model: its output is already yours.")
        self._check_available(model, buyer)
        files = await file_repository.for_generation(session, generation.id, preview=False)
        if sum(not f.is_archive for f in files) != generation.file_count:
            raise FilesMissing(
                "The files of this generation are not all stored, so it cannot be sold; "
                "nothing was charged. Generate a new preview."
            )

        price = generation.price_amount
        owner = await session.get(User, generation.owner_user_id)
        assert owner is not None
        sale = await post_sale(
            session,
            paid_from=await ledger_service.account(
                session, "buyer_wallet", generation.currency, buyer
            ),
            freelancer=owner,
            amount=price,
            currency=generation.currency,
            reason="generation_purchase",
            reference_type="generation",
            reference_id=str(generation.id),
            # Keyed by the generation, not the request: whatever keys retries carry, a
            # generation is charged at most once.
            idempotency_key=f"generation:{generation.id}",
            description=f"AI generation from model {model.reference}",
        )
        transaction, fee = sale.transaction, sale.fee_amount
        licence = Licence(
            generation_id=generation.id,
            buyer_user_id=buyer.id,
            owner_user_id=generation.owner_user_id,
            model_id=generation.model_id,
            version_id=generation.version_id,
            scope=generation.license_scope,
            exclusive=generation.license_exclusive,
            price_amount=price,
            fee_amount=fee,
            currency=generation.currency,
            idempotency_key=idempotency_key,
            ledger_transaction_id=transaction.id,
            issued_at=utcnow(),
        )
        try:
            async with session.begin_nested():
                await licence_repository.add(session, licence)
        except IntegrityError as exc:
            # A concurrent request bought it first; the constraint, not a read, decided.
            winner = await licence_repository.by_key(session, buyer.id, idempotency_key)
            if winner is not None and winner.generation_id == generation.id:
                return await self._purchase_of(session, winner)
            raise Conflict(
                "You have already bought this generation; nothing was charged again."
            ) from exc
        generation.purchased = True
        certificate = await self._issue_certificate(
            session, generation, licence, model, owner, buyer, files
        )
        return Purchase(
            generation, licence, certificate, tuple(files), price_of(generation, model.modality)
        )

    async def _purchase_of(self, session: AsyncSession, licence: Licence) -> Purchase:
        generation = await generation_repository.get(session, licence.generation_id)
        certificate = await certificate_repository.for_licence(session, licence.id)
        assert generation is not None and certificate is not None
        files = await file_repository.for_generation(session, generation.id, preview=False)
        model = await model_repository.get(session, generation.model_id)
        price = price_of(generation, model.modality) if model is not None else None
        return Purchase(generation, licence, certificate, tuple(files), price)

    async def purchase_for_generation(
        self, session: AsyncSession, buyer: User, generation: Generation
    ) -> Purchase | None:
        licence = await licence_repository.for_generation(session, generation.id)
        if licence is None or licence.buyer_user_id != buyer.id:
            return None
        return await self._purchase_of(session, licence)

    async def _issue_certificate(
        self,
        session: AsyncSession,
        generation: Generation,
        licence: Licence,
        model: PersonalModel,
        owner: User,
        buyer: User,
        files: list[GenerationFile],
    ) -> Certificate:
        version = await version_repository.get(session, generation.version_id)
        assert version is not None
        key = platform_key()
        certificate_id = generation.certificate_id or str(uuid.uuid4())
        payload: dict[str, Any] = {
            "type": CERTIFICATE_TYPE,
            "certificate_id": certificate_id,
            "content_sha256": generation.content_hash,
            # Public ids (kit.public_ids), as every page shows; certificates issued before
            # them carry row ids, and stay valid: the signature covers what was issued.
            "owner": {"user_id": owner.public_id, "name": owner.display_name},
            "licensee": {"user_id": buyer.public_id, "name": buyer.display_name},
            "licence": {
                "id": licence.public_id,
                "scope": licence.scope,
                "exclusive": licence.exclusive,
                "price_amount": licence.price_amount,
                "currency": licence.currency,
            },
            "model": {
                "id": model.public_id,
                "name": model.name,
                "version_id": version.public_id,
                "version": version.number,
                "base_model_id": version.base_model_id,
                "adapter_sha256": version.artifact_hash,
            },
            "generation_id": generation.public_id,
            "issued_at": licence.issued_at.isoformat(),
            "issuer": "twinwork",
            "key_id": key.key_id,
        }
        work = [f for f in files if not f.is_archive]
        if work:
            # The files it covers, as bought: each one's hash and, for a file signed with
            # content credentials, its manifest's. Text certificates have no such field.
            payload["files"] = [
                {"name": f.name, "sha256": f.sha256, "manifest_hash": f.manifest_hash} for f in work
            ]
        certificate = Certificate(
            id=certificate_id,
            licence_id=licence.id,
            payload=payload,
            signature=key.sign(payload),
            key_id=key.key_id,
            issued_at=licence.issued_at,
        )
        await certificate_repository.add(session, certificate)
        return certificate

    # ---- certificates --------------------------------------------------------------------

    async def certificate(self, session: AsyncSession, certificate_id: str) -> Certificate:
        certificate = await certificate_repository.get(session, certificate_id)
        if certificate is None:
            raise NotFound("There is no certificate with this id.")
        return certificate

    def verify(self, document: dict[str, Any], text: str | None = None) -> tuple[bool, str]:
        """Check a certificate offline: our key, our signature, over exactly this payload."""
        key = platform_key()
        payload = document.get("payload")
        signature = document.get("signature")
        if not isinstance(payload, dict) or not isinstance(signature, str):
            return False, "Not a certificate: it needs a 'payload' object and a 'signature'."
        if payload.get("type") != CERTIFICATE_TYPE:
            return False, "Not an ownership certificate (another kind of signed document)."
        if document.get("algorithm", ALGORITHM) != ALGORITHM:
            return False, f"Unsupported signature algorithm; twinwork signs with {ALGORITHM}."
        if payload.get("key_id") != key.key_id:
            return False, "Signed by a key that is not this platform's key."
        if not verify_signature(key.public_key_b64, payload, signature):
            return False, "The signature does not match: the certificate was altered or forged."
        if text is not None and sha256_hex(text.encode("utf-8")) != payload.get("content_sha256"):
            return False, "The signature is valid, but this text is not the one it certifies."
        return True, "signed by twinwork, unaltered."

    # ---- used by erasure -----------------------------------------------------------------

    async def delete_unpurchased(self, session: AsyncSession, model_id: int) -> tuple[int, int]:
        """Delete the model's unpurchased generations and their stored files: (generations,
        files). The rows go first, then the objects: a failed commit afterwards leaves
        previews that are gone anyway once the erasure is tried again."""
        keys = await file_repository.delete_unpurchased(session, model_id)
        previews = await generation_repository.delete_unpurchased(session, model_id)
        if keys:
            # Erasure participants are not handed the storage; this is the same store the
            # app and the jobs build from the same settings.
            storage = make_storage(get_settings())
            for key in keys:
                await storage.delete(key)
        return previews, len(keys)

    async def issued_counts(self, session: AsyncSession, model_id: int) -> IssuedCounts:
        return IssuedCounts(*await licence_repository.count_for_model(session, model_id))

    async def sales(self, session: AsyncSession, owner: User) -> list[Licence]:
        return await licence_repository.sales_for_owner(session, owner.id)


generation_service = GenerationService()


class GenerationErasure:
    """Erasing a model deletes its unpurchased previews; what buyers paid for (the text, its
    licence and certificate) stays theirs, and the receipt says how much of it there is."""

    name = "generation"

    async def erase_model(self, session: AsyncSession, model_id: int) -> ErasureReport:
        previews, files = await generation_service.delete_unpurchased(session, model_id)
        kept = await generation_service.issued_counts(session, model_id)
        deleted = {"unpurchased_previews": previews}
        if files:
            # Stored files (preview copies, signed files, zips) exist only for modalities
            # whose work is files; a text model's receipt reads as it always has.
            deleted["unpurchased_files"] = files
        return ErasureReport(
            deleted=deleted,
            kept={"licences": kept.licences, "certificates": kept.certificates},
        )


register_erasure_participant(GenerationErasure())
