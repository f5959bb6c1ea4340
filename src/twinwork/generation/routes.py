from __future__ import annotations

import base64
import json
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, status
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from twinwork.account.models import User
from twinwork.account.service import account_service
from twinwork.billing.wallet.service import wallet_service
from twinwork.catalog.service import profile_service
from twinwork.creation import model_pages
from twinwork.creation.models import PersonalModel
from twinwork.creation.routes import output_views
from twinwork.creation.service import creation_service
from twinwork.generation.files import MAX_ATTACHMENT_BYTES, open_file
from twinwork.generation.models import Certificate, GenerationFile, Licence
from twinwork.generation.prefetch import prefetch_model
from twinwork.generation.preview import preview
from twinwork.generation.schemas import (
    CertificateOut,
    FileOut,
    GenerationIn,
    GenerationOut,
    LicenceOut,
    PriceOut,
    PublicKeyOut,
    PurchaseOut,
    VerifyIn,
    VerifyOut,
)
from twinwork.generation.service import (
    GenerationView,
    PriceBreakdown,
    Purchase,
    generation_service,
    preview_notice,
)
from twinwork.kit.content_credentials import trust_anchor_pem
from twinwork.kit.errors import DomainError
from twinwork.kit.pagination import MAX_PAGE
from twinwork.kit.public_ids import GenerationId, ModelId, public_id
from twinwork.kit.signing import ALGORITHM, platform_key, signed_document
from twinwork.ml import UnknownModality, get_modality
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
from twinwork.web.forms import (
    FormErrors,
    as_list,
    domain_errors,
    form_data,
    form_error,
    validate,
)
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


def file_url(generation_id: int, item: GenerationFile, *, api: bool = True) -> str:
    """Where the buyer downloads a file: under /api/v1 with an API token, or the same path
    without it with the session cookie (pages)."""
    kind = "preview-files" if item.is_preview else "files"
    where = public_id("generation", generation_id)
    return f"{'/api/v1' if api else ''}/generations/{where}/{kind}/{item.name}"


def file_out(generation_id: int, item: GenerationFile) -> FileOut:
    return FileOut(
        name=item.name,
        content_type=item.media_type,
        byte_size=item.byte_size,
        sha256=item.sha256,
        url=file_url(generation_id, item),
    )


def price_out(price: PriceBreakdown | None) -> PriceOut | None:
    if price is None:
        return None
    return PriceOut(
        units=price.units,
        unit_price_amount=price.unit_amount,
        amount=price.amount,
        currency=price.currency,
        unit_label=price.unit_label,
        summary=price.summary,
    )


def generation_out(view: GenerationView, *, with_text: bool = False) -> GenerationOut:
    generation = view.generation
    full = [file_out(generation.id, f) for f in view.files if not f.is_archive]
    archive = [file_out(generation.id, f) for f in view.files if f.is_archive]
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
        price=price_out(view.price),
        created_at=generation.created_at,
        text=generation.text if with_text and generation.purchased else None,
        preview_files=[file_out(generation.id, f) for f in view.previews],
        files=full if generation.purchased and view.files else None,
        archive=archive[0] if archive and generation.purchased else None,
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
    generation_id = purchase.generation.id
    archive = [file_out(generation_id, f) for f in purchase.files if f.is_archive]
    return PurchaseOut(
        generation_id=generation_id,
        text=purchase.generation.text,
        license=licence_out(purchase.licence),
        certificate=certificate_out(purchase.certificate),
        price=price_out(purchase.price),
        files=[file_out(generation_id, f) for f in purchase.files if not f.is_archive],
        archive=archive[0] if archive else None,
    )


# Served files never run anything: no script, no outside resource, sandboxed. Full files are
# downloads; a preview is shown inline (through <img>, where browsers run no script), except
# an SVG opened on its own, which is a download too.
FILE_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"


def file_response(item: GenerationFile, data: bytes) -> Response:
    inline = item.is_preview and item.media_type.startswith(("image/", "audio/"))
    inline = inline and item.media_type != "image/svg+xml"
    return Response(
        data,
        media_type=item.media_type,
        headers={
            "Content-Security-Policy": FILE_CSP,
            "Content-Disposition": f"{'inline' if inline else 'attachment'}; "
            f'filename="{item.name}"',
            "X-Content-Type-Options": "nosniff",
            "Cross-Origin-Resource-Policy": "same-origin",
        },
    )


@api.post(
    "/models/{model_id}/generations",
    response_model=GenerationOut,
    status_code=status.HTTP_201_CREATED,
)
@writes_own_units
async def create_generation(
    model_id: ModelId,
    body: GenerationIn,
    user: ApiUser,
    session: DbSession,
    sessionmaker: SessionMaker,
    storage: Storage,
) -> GenerationOut:
    """Generate from an active model. Free: you get a marked preview (the first part of the
    text; for a model whose work is files, watermarked reduced copies of them); buy it to
    receive the whole text and the files with a licence and a certificate.

    A model whose modality takes options reads them from its own field (a design model's
    ``design``), checked by the modality (422 with its message); ``attachments`` are images
    (base64) for such a model."""
    view = await preview(
        session,
        sessionmaker,
        storage,
        user,
        model_id,
        body.brief,
        options_field=body.options_field,
        options=body.options,
        attachments=body.attachments,
    )
    return generation_out(view)


@api.get("/generations/{generation_id}", response_model=GenerationOut)
async def get_generation(
    generation_id: GenerationId, user: ApiUser, session: DbSession
) -> GenerationOut:
    return generation_out(
        await generation_service.view(session, user, generation_id), with_text=True
    )


FileName = Annotated[str, Path(max_length=120, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]


@api.get("/generations/{generation_id}/preview-files/{name}", response_class=Response)
async def get_preview_file(
    generation_id: GenerationId, name: FileName, user: ApiUser, session: DbSession, storage: Storage
) -> Response:
    """A watermarked, reduced copy of one of your generation's files."""
    return file_response(
        *await open_file(session, storage, user, generation_id, name, preview=True)
    )


@api.get("/generations/{generation_id}/files/{name}", response_class=Response)
async def get_file(
    generation_id: GenerationId, name: FileName, user: ApiUser, session: DbSession, storage: Storage
) -> Response:
    """One full file of a generation you bought (or the zip of them all); 403 before you buy
    it."""
    return file_response(
        *await open_file(session, storage, user, generation_id, name, preview=False)
    )


@api.post("/generations/{generation_id}/purchase", response_model=PurchaseOut)
async def purchase_generation(
    generation_id: GenerationId,
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


@api.get(
    "/certificates/content-credentials-anchor",
    response_class=PlainTextResponse,
    responses={200: {"content": {"application/x-pem-file": {}}}},
)
async def content_credentials_anchor() -> PlainTextResponse:
    """The certificate (PEM) that the C2PA manifests of purchased images and audio chain to:
    add it as a trust anchor to validate them with any C2PA tool."""
    return PlainTextResponse(trust_anchor_pem(), media_type="application/x-pem-file")


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
    try:
        spec = get_modality(model.modality)
        options_field = spec.options_field
        unit_label, brief_max_chars = spec.price_unit_label, spec.brief_max_chars
        makes_files = spec.generate_files is not None
    except UnknownModality:
        options_field, unit_label, brief_max_chars = None, "per use", 1000
        makes_files = False
    approved = await creation_service.approved_version(session, model)
    return {
        "model": model,
        "owner": owner,
        "profile": await profile_service.find(session, owner.id),
        "approved": approved,
        # The approved version's outputs for the standard briefs: what its owner approved.
        "examples": [
            example
            for example in output_views(approved.evaluation_outputs if approved else [])
            if example["personal"].strip()
        ],
        # The modality's options form: generation/templates/options/<field>.html where one
        # exists, else a plain JSON box (options/_generic.html).
        "options_field": options_field,
        # What other domains say of this model to buyers (a voice model's verification).
        "model_notes": await model_pages.public_notes(session, model),
        # The price's unit ("per use", "per started 100 words") and the brief's limit.
        "unit_label": unit_label,
        "brief_max_chars": brief_max_chars,
        # Whether its work is files (watermarked copies first) or text (the first part).
        "makes_files": makes_files,
        "values": {},
        "errors": {},
    }


@pages.get("/models/{model_id}")
async def model_public_page(
    request: Request,
    model_id: ModelId,
    session: DbSession,
    storage: Storage,
    viewer: PageUserOptional,
) -> Response:
    context = await _public_model_context(session, model_id, viewer)
    model = context["model"]
    assert isinstance(model, PersonalModel)
    # A buyer who opens the page may preview next: load the adapter now, in the background.
    await prefetch_model(session, storage, model)
    return render(request, "model_public.html", context)


@pages.post("/models/{model_id}/generate")
@writes_own_units
async def generate_page(
    request: Request,
    model_id: ModelId,
    session: DbSession,
    sessionmaker: SessionMaker,
    storage: Storage,
    user: PageUser,
) -> Response:
    data = await form_data(request)
    try:
        fields: dict[str, object] = {"brief": data.get("brief", "")}
        field = str(data.get("options_field", "")) or None
        if field is not None:
            fields[field] = options_from_form(data)
        body = validate(GenerationIn, fields)
        view = await preview(
            session,
            sessionmaker,
            storage,
            user,
            model_id,
            body.brief,
            options_field=body.options_field,
            options=body.options,
            attachments=await attachments_from_form(request) or None,
        )
    except (FormErrors, DomainError) as exc:
        errors = exc.errors if isinstance(exc, FormErrors) else domain_errors(exc)
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        context = await _public_model_context(session, model_id, user)
        return form_error(request, session, "model_public.html", data, errors, status_code, context)
    return RedirectResponse(f"/generations/{view.generation.public_id}", status_code=303)


def options_from_form(data: dict[str, Any]) -> dict[str, Any]:
    """A modality's options from its form: a JSON object typed into ``options_json`` (the
    generic form), overlaid with fields named ``opt.<key>`` (text) and ``opt.<key>[]``
    (checkboxes: always a list)."""
    options: dict[str, Any] = {}
    raw = str(data.get("options_json", "") or "").strip()
    if raw:
        try:
            parsed = json.loads(raw)
        except (ValueError, RecursionError):
            parsed = None
        if not isinstance(parsed, dict):
            raise FormErrors({"options_json": "Write the options as a JSON object: {...}."})
        options.update(parsed)
    for name, value in data.items():
        if name.startswith("opt.") and name.endswith("[]"):
            options[name[4:-2]] = as_list(value)
        elif name.startswith("opt."):
            options[name[4:]] = value if isinstance(value, str) else ", ".join(value)
    return options


async def attachments_from_form(request: Request) -> dict[str, str]:
    """Images chosen in ``attach.<name>`` file inputs, base64 as the API takes them; an
    input left empty is no attachment, but a chosen file with no bytes is refused as empty."""
    form = await request.form()
    found: dict[str, str] = {}
    for name in form:
        if not name.startswith("attach."):
            continue
        upload = form.get(name)
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read(MAX_ATTACHMENT_BYTES + 1)
            found[name[7:]] = base64.b64encode(data).decode("ascii")
    return found


async def _generation_context(
    session: DbSession, user: User, generation_id: int
) -> dict[str, object]:
    view = await generation_service.view(session, user, generation_id)
    generation = view.generation
    purchase = await generation_service.purchase_for_generation(session, user, generation)
    model = await creation_service.model_by_id(session, generation.model_id)
    return {
        "generation": generation,
        "previews": [(f, file_url(generation.id, f, api=False)) for f in view.previews],
        "files": [
            (f, file_url(generation.id, f, api=False)) for f in view.files if not f.is_archive
        ],
        "archive": [(f, file_url(generation.id, f, api=False)) for f in view.files if f.is_archive],
        "notice": preview_notice(generation),
        "price": view.price,
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
    request: Request, generation_id: GenerationId, session: DbSession, user: PageUser
) -> Response:
    return render(
        request, "generation.html", await _generation_context(session, user, generation_id)
    )


@pages.get("/generations/{generation_id}/preview-files/{name}")
async def preview_file_page(
    generation_id: GenerationId,
    name: FileName,
    session: DbSession,
    storage: Storage,
    user: PageUser,
) -> Response:
    return file_response(
        *await open_file(session, storage, user, generation_id, name, preview=True)
    )


@pages.get("/generations/{generation_id}/files/{name}")
async def file_page(
    generation_id: GenerationId,
    name: FileName,
    session: DbSession,
    storage: Storage,
    user: PageUser,
) -> Response:
    return file_response(
        *await open_file(session, storage, user, generation_id, name, preview=False)
    )


@pages.post("/generations/{generation_id}/purchase")
async def purchase_page(
    request: Request, generation_id: GenerationId, session: DbSession, user: PageUser
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
    return RedirectResponse(
        f"/generations/{public_id('generation', generation_id)}?bought=1", status_code=303
    )


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
