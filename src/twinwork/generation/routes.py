from __future__ import annotations

import json
import secrets
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, status
from fastapi.responses import RedirectResponse, Response

from twinwork.account.models import User
from twinwork.account.service import account_service
from twinwork.billing.wallet.service import wallet_service
from twinwork.catalog.service import profile_service
from twinwork.creation.service import creation_service
from twinwork.generation.models import Certificate, Generation, Licence
from twinwork.generation.preview import preview
from twinwork.generation.schemas import (
    CertificateOut,
    GenerationIn,
    GenerationOut,
    LicenceOut,
    PublicKeyOut,
    PurchaseOut,
    VerifyIn,
    VerifyOut,
)
from twinwork.generation.service import Purchase, generation_service, preview_notice
from twinwork.kit.errors import DomainError
from twinwork.kit.ids import IdPath
from twinwork.kit.pagination import MAX_PAGE
from twinwork.kit.signing import ALGORITHM, platform_key, signed_document
from twinwork.order.checkout import buy_generation
from twinwork.web.deps import (
    PAGE_DEPENDENCIES,
    ApiUser,
    DbSession,
    PageUser,
    PageUserOptional,
    SessionMaker,
    Storage,
    writes_own_units,
)
from twinwork.web.forms import FormErrors, domain_errors, form_data, form_error, validate
from twinwork.web.templating import render

api = APIRouter(prefix="/api/v1", tags=["generation"])
pages = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)

RequiredIdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=120,
        description="Required. Retrying with the same key returns the first result; "
        "a generation is charged once whatever the keys.",
    ),
]


class IdempotencyKeyMissing(DomainError):
    status_code = 400
    title = "Idempotency-Key required"
    type_slug = "idempotency-key-required"


def generation_out(generation: Generation, *, with_text: bool = False) -> GenerationOut:
    return GenerationOut(
        id=generation.id,
        model_id=generation.model_id,
        version_id=generation.version_id,
        brief=generation.brief,
        preview=generation.preview,
        preview_notice=preview_notice(generation),
        purchased=generation.purchased,
        price_amount=generation.price_amount,
        currency=generation.currency,
        created_at=generation.created_at,
        text=generation.text if with_text and generation.purchased else None,
    )


def licence_out(licence: Licence) -> LicenceOut:
    return LicenceOut(
        id=licence.id,
        generation_id=licence.generation_id,
        buyer_user_id=licence.buyer_user_id,
        owner_user_id=licence.owner_user_id,
        scope=licence.scope,
        exclusive=licence.exclusive,
        price_amount=licence.price_amount,
        currency=licence.currency,
        issued_at=licence.issued_at,
    )


def certificate_out(certificate: Certificate) -> CertificateOut:
    return CertificateOut(
        **signed_document(certificate.id, certificate.payload, certificate.signature)
    )


def purchase_out(purchase: Purchase) -> PurchaseOut:
    return PurchaseOut(
        generation_id=purchase.generation.id,
        text=purchase.generation.text,
        license=licence_out(purchase.licence),
        certificate=certificate_out(purchase.certificate),
    )


@api.post(
    "/models/{model_id}/generations",
    response_model=GenerationOut,
    status_code=status.HTTP_201_CREATED,
)
@writes_own_units
async def create_generation(
    model_id: IdPath,
    body: GenerationIn,
    user: ApiUser,
    session: DbSession,
    sessionmaker: SessionMaker,
    storage: Storage,
) -> GenerationOut:
    """Generate from an active model. Free: you get a marked preview (the first part of the
    text); buy it to receive the whole text with a licence and a certificate."""
    generation = await preview(session, sessionmaker, storage, user, model_id, body.brief)
    return generation_out(generation)


@api.get("/generations/{generation_id}", response_model=GenerationOut)
async def get_generation(generation_id: IdPath, user: ApiUser, session: DbSession) -> GenerationOut:
    generation = await generation_service.for_buyer(session, user, generation_id)
    return generation_out(generation, with_text=True)


@api.post("/generations/{generation_id}/purchase", response_model=PurchaseOut)
async def purchase_generation(
    generation_id: IdPath,
    user: ApiUser,
    session: DbSession,
    idempotency_key: RequiredIdempotencyKey = None,
) -> PurchaseOut:
    """Pay the model's price from your wallet and receive the full text, a licence and an
    ownership certificate. Requires an ``Idempotency-Key`` header."""
    if not idempotency_key:
        raise IdempotencyKeyMissing(
            "Send an Idempotency-Key header (any unique string per purchase, e.g. a UUID) "
            "so a retried request never charges twice."
        )
    return purchase_out(await buy_generation(session, user, generation_id, idempotency_key))


@api.get("/certificates/public-key", response_model=PublicKeyOut)
async def public_key() -> PublicKeyOut:
    """The platform's public key: certificates and erasure receipts verify offline with it."""
    key = platform_key()
    return PublicKeyOut(
        algorithm=ALGORITHM,
        key_id=key.key_id,
        public_key=key.public_key_b64,
        public_key_pem=key.public_key_pem,
    )


@api.get("/certificates/{certificate_id}", response_model=CertificateOut)
async def get_certificate(certificate_id: str, session: DbSession) -> CertificateOut:
    """Public: a certificate proves who owns a work and who licensed it, nothing private."""
    return certificate_out(await generation_service.certificate(session, certificate_id[:36]))


@api.post("/certificates/verify", response_model=VerifyOut)
async def verify_certificate(body: VerifyIn) -> VerifyOut:
    """Check a certificate exactly as it was returned (and, optionally, the text it covers)."""
    valid, reason = generation_service.verify(
        {"payload": body.payload, "signature": body.signature, "algorithm": body.algorithm},
        body.text,
    )
    return VerifyOut(valid=valid, reason=reason)


# ---- pages ---------------------------------------------------------------------------------


async def _public_model_context(
    session: DbSession, model_id: int, viewer: User | None
) -> dict[str, object]:
    model = await creation_service.visible(session, model_id, viewer)
    owner = await account_service.get(session, model.owner_user_id)
    assert owner is not None
    return {
        "model": model,
        "owner": owner,
        "profile": await profile_service.find(session, owner.id),
        "approved": await creation_service.approved_version(session, model),
        "values": {},
        "errors": {},
    }


@pages.get("/models/{model_id}")
async def model_public_page(
    request: Request, model_id: IdPath, session: DbSession, viewer: PageUserOptional
) -> Response:
    return render(
        request, "model_public.html", await _public_model_context(session, model_id, viewer)
    )


@pages.post("/models/{model_id}/generate")
@writes_own_units
async def generate_page(
    request: Request,
    model_id: IdPath,
    session: DbSession,
    sessionmaker: SessionMaker,
    storage: Storage,
    user: PageUser,
) -> Response:
    data = await form_data(request)
    try:
        body = validate(GenerationIn, {"brief": data.get("brief", "")})
        generation = await preview(session, sessionmaker, storage, user, model_id, body.brief)
    except (FormErrors, DomainError) as exc:
        errors = exc.errors if isinstance(exc, FormErrors) else domain_errors(exc)
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        context = await _public_model_context(session, model_id, user)
        return form_error(request, session, "model_public.html", data, errors, status_code, context)
    return RedirectResponse(f"/generations/{generation.id}", status_code=303)


async def _generation_context(
    session: DbSession, user: User, generation_id: int
) -> dict[str, object]:
    generation = await generation_service.for_buyer(session, user, generation_id)
    purchase = await generation_service.purchase_for_generation(session, user, generation)
    model = await creation_service.model_by_id(session, generation.model_id)
    return {
        "generation": generation,
        "notice": preview_notice(generation),
        "model": model,
        "owner": await account_service.get(session, generation.owner_user_id),
        "purchase": purchase,
        "balance_amount": await wallet_service.balance(session, user, generation.currency),
        "idempotency_key": secrets.token_urlsafe(16),
        "values": {},
        "errors": {},
    }


@pages.get("/generations/{generation_id}")
async def generation_page(
    request: Request, generation_id: IdPath, session: DbSession, user: PageUser
) -> Response:
    return render(
        request, "generation.html", await _generation_context(session, user, generation_id)
    )


@pages.post("/generations/{generation_id}/purchase")
async def purchase_page(
    request: Request, generation_id: IdPath, session: DbSession, user: PageUser
) -> Response:
    data = await form_data(request)
    key = str(data.get("idempotency_key", ""))
    if not 1 <= len(key) <= 120:
        key = secrets.token_urlsafe(16)  # not a key this page wrote: a fresh purchase request
    try:
        await buy_generation(session, user, generation_id, f"page:{key}")
    except DomainError as exc:
        context = await _generation_context(session, user, generation_id)
        return form_error(
            request, session, "generation.html", data, domain_errors(exc), exc.status_code, context
        )
    return RedirectResponse(f"/generations/{generation_id}?bought=1", status_code=303)


@pages.get("/dashboard/generations")
async def generations_page(
    request: Request,
    session: DbSession,
    user: PageUser,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    return render(
        request,
        "generations.html",
        {"results": await generation_service.history(session, user, page)},
    )


@pages.get("/certificates/verify")
async def verify_form_page(
    request: Request,
    session: DbSession,
    certificate_id: Annotated[str | None, Query(alias="id", max_length=36)] = None,
) -> Response:
    """The verifier; with ``?id=`` (the certificate page's one-click link) it checks that
    certificate at once, the same way a pasted one is checked."""
    if certificate_id is None:
        return render(request, "verify.html", {"values": {}, "result": None})
    certificate = await generation_service.certificate(session, certificate_id)
    document = signed_document(certificate.id, certificate.payload, certificate.signature)
    valid, reason = generation_service.verify(document)
    result = {"valid": valid, "reason": reason, "certificate_id": certificate.id}
    values = {"certificate": json.dumps(document, indent=2, ensure_ascii=False)}
    return render(request, "verify.html", {"values": values, "result": result})


@pages.post("/certificates/verify")
async def verify_page(request: Request) -> Response:
    data = await form_data(request)
    raw = str(data.get("certificate", ""))
    text = str(data.get("text", "")).replace("\r\n", "\n") or None
    try:
        document = json.loads(raw)
        if not isinstance(document, dict):
            raise ValueError
        valid, reason = generation_service.verify(document, text)
    except (ValueError, RecursionError):
        valid, reason = False, "This is not a certificate: paste the JSON exactly as issued."
    return render(
        request, "verify.html", {"values": data, "result": {"valid": valid, "reason": reason}}
    )


@pages.get("/certificates/{certificate_id}")
async def certificate_page(request: Request, certificate_id: str, session: DbSession) -> Response:
    certificate = await generation_service.certificate(session, certificate_id[:36])
    document = signed_document(certificate.id, certificate.payload, certificate.signature)
    valid, reason = generation_service.verify(document)
    return render(
        request,
        "certificate.html",
        {
            "certificate": certificate,
            "p": certificate.payload,
            "valid": valid,
            "reason": reason,
            "document_json": json.dumps(document, indent=2, ensure_ascii=False),
        },
    )
