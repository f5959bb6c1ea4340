from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response

from twinwork.account.models import User
from twinwork.account.service import account_service
from twinwork.config import get_settings
from twinwork.creation import model_pages
from twinwork.creation.erasure import erase_and_delete_files
from twinwork.creation.evaluation_summary import summarise
from twinwork.creation.models import ModelVersion, PersonalModel, TrainingRun
from twinwork.creation.progress_estimate import estimate
from twinwork.creation.schemas import (
    CorrectionsIn,
    LicenseOut,
    ModelIn,
    ModelOut,
    ModelPatch,
    RunMetrics,
    RunOut,
    RunProgress,
    SignedDocumentOut,
    StyleOut,
    VersionOut,
)
from twinwork.creation.service import (
    LearnedStyle,
    correctable_fields,
    creation_service,
    min_samples,
)
from twinwork.creation.tasks import train_model
from twinwork.generation.service import generation_service
from twinwork.kit.db import mark_rollback_only, utcnow
from twinwork.kit.errors import DomainError, NotFound
from twinwork.kit.jobs import enqueue_after_commit
from twinwork.kit.money import parse_dollars
from twinwork.kit.public_ids import ModelId, RunId, VersionId, public_id
from twinwork.kit.signing import signed_document
from twinwork.ml import get_modality, modalities
from twinwork.portfolio.service import portfolio_service
from twinwork.program.membership import membership
from twinwork.web.deps import (
    PAGE_DEPENDENCIES,
    ApiUser,
    ApiUserOptional,
    DbSession,
    PageFreelancer,
    Storage,
)
from twinwork.web.forms import FormErrors, domain_errors, form_data, form_error, validate
from twinwork.web.templating import render

api = APIRouter(prefix="/api/v1", tags=["personal models"])


pages = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)


def sample_refs(refs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A version's samples as an answer shows them: each sample by its public id."""
    return [{**ref, "id": public_id("sample", int(ref["id"]))} for ref in refs]


def version_out(version: ModelVersion, model: PersonalModel) -> VersionOut:
    return VersionOut(
        id=version.id,
        number=version.number,
        run_id=version.run_id,
        base_model_id=version.base_model_id,
        artifact_hash=version.artifact_hash,
        artifact_bytes=version.artifact_bytes,
        training_samples=sample_refs(version.training_samples),
        heldout_samples=sample_refs(version.heldout_samples),
        hyperparameters=version.hyperparameters,
        metrics=version.metrics,
        evaluation_outputs=version.evaluation_outputs,
        train_seconds=version.train_seconds,
        approved=model.approved_version_id == version.id,
        erased=version.erased_at is not None,
        created_at=version.created_at,
    )


async def model_out(session: DbSession, model: PersonalModel, viewer: User | None) -> ModelOut:
    owner = await account_service.get(session, model.owner_user_id)
    is_owner = viewer is not None and viewer.id == model.owner_user_id
    versions = (
        [version_out(v, model) for v in await creation_service.versions(session, model)]
        if is_owner
        else None
    )
    return ModelOut(
        id=model.id,
        owner_user_id=model.owner_user_id,
        owner_name=owner.display_name if owner else "",
        modality=model.modality,
        name=model.name,
        status=model.status,
        approved_version_id=model.approved_version_id,
        price_amount=model.price_amount,
        refinement_price_amount=model.refinement_price_amount,
        currency=model.currency,
        license=LicenseOut(scope=model.license_scope, exclusive=model.license_exclusive),
        created_at=model.created_at,
        versions=versions,
        corrections=dict(model.plan_overrides or {}) if is_owner else None,
    )


async def run_out(session: DbSession, run: TrainingRun) -> RunOut:
    metrics = RunMetrics()
    if run.version_id is not None:
        version = await creation_service.version(session, run.version_id)
        if version is not None:
            metrics = RunMetrics.model_validate(version.metrics)
    return RunOut(
        id=run.id,
        model_id=run.model_id,
        status=run.status,
        progress=RunProgress(
            phase=run.phase,
            step=run.step,
            total_steps=run.total_steps,
            fraction=round(run.progress, 4),
            loss=run.loss,
            eta_seconds=run.eta_seconds,
        ),
        error=run.error,
        version_id=run.version_id,
        metrics=metrics,
        sample_count=len(run.sample_ids),
        attempts=run.attempts,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
    )


@api.post("/models", response_model=ModelOut, status_code=status.HTTP_201_CREATED)
async def create_model(body: ModelIn, user: ApiUser, session: DbSession) -> ModelOut:
    model = await creation_service.create(session, user, body)
    return await model_out(session, model, user)


@api.get("/models", response_model=list[ModelOut])
async def my_models(user: ApiUser, session: DbSession) -> list[ModelOut]:
    """Your own personal models, erased ones last."""
    return [await model_out(session, m, user) for m in await creation_service.mine(session, user)]


@api.get("/models/{model_id}", response_model=ModelOut)
async def get_model(model_id: ModelId, viewer: ApiUserOptional, session: DbSession) -> ModelOut:
    """Anyone sees an active model; its owner sees it in any state, with its versions."""
    model = await creation_service.visible(session, model_id, viewer)
    return await model_out(session, model, viewer)


@api.patch("/models/{model_id}", response_model=ModelOut)
async def update_model(
    model_id: ModelId, body: ModelPatch, user: ApiUser, session: DbSession
) -> ModelOut:
    """Set the price per use (cents), currency and licence terms."""
    model = await creation_service.update(session, user, model_id, body)
    return await model_out(session, model, user)


@api.post("/models/{model_id}/activate", response_model=ModelOut)
async def activate_model(model_id: ModelId, user: ApiUser, session: DbSession) -> ModelOut:
    model = await creation_service.activate(session, user, model_id)
    return await model_out(session, model, user)


@api.post("/models/{model_id}/deactivate", response_model=ModelOut)
async def deactivate_model(model_id: ModelId, user: ApiUser, session: DbSession) -> ModelOut:
    """Switch the model off: new generations are refused from this moment."""
    model = await creation_service.deactivate(session, user, model_id)
    return await model_out(session, model, user)


@api.delete("/models/{model_id}", response_model=SignedDocumentOut)
async def erase_model(
    model_id: ModelId, user: ApiUser, session: DbSession, storage: Storage
) -> SignedDocumentOut:
    """Erase the model: adapters, checkpoints, cached copies and unpurchased previews are
    deleted; licences and certificates already issued stay valid. Returns a signed receipt."""
    receipt = await erase_and_delete_files(session, user, model_id, storage)
    return SignedDocumentOut(**signed_document(receipt.id, receipt.payload, receipt.signature))


@api.get("/models/{model_id}/erasure-receipt", response_model=SignedDocumentOut)
async def erasure_receipt(
    model_id: ModelId, user: ApiUser, session: DbSession
) -> SignedDocumentOut:
    receipt = await creation_service.receipt(session, user, model_id)
    return SignedDocumentOut(**signed_document(receipt.id, receipt.payload, receipt.signature))


@api.post(
    "/models/{model_id}/training-runs",
    response_model=RunOut,
    status_code=status.HTTP_202_ACCEPTED,
)
async def start_training(model_id: ModelId, user: ApiUser, session: DbSession) -> RunOut:
    """Queue a training run on your consented samples; poll GET /training-runs/{id}."""
    run = await creation_service.start_training(session, user, model_id)
    enqueue_after_commit(session, train_model, run.id)
    return await run_out(session, run)


@api.get("/training-runs/{run_id}", response_model=RunOut)
async def get_run(run_id: RunId, user: ApiUser, session: DbSession) -> RunOut:
    return await run_out(session, await creation_service.run_for_owner(session, user, run_id))


@api.post("/training-runs/{run_id}/cancel", response_model=RunOut)
async def cancel_run(run_id: RunId, user: ApiUser, session: DbSession) -> RunOut:
    return await run_out(session, await creation_service.cancel_run(session, user, run_id))


@api.get("/models/{model_id}/versions", response_model=list[VersionOut])
async def list_versions(model_id: ModelId, user: ApiUser, session: DbSession) -> list[VersionOut]:
    model = await creation_service.owned(session, user, model_id, allow_erased=True)
    return [version_out(v, model) for v in await creation_service.versions(session, model)]


@api.post("/models/{model_id}/versions/{version_id}/approve", response_model=ModelOut)
async def approve_version(
    model_id: ModelId, version_id: VersionId, user: ApiUser, session: DbSession
) -> ModelOut:
    """Approve a version for buyers; approving an earlier version rolls back to it."""
    model = await creation_service.approve(session, user, model_id, version_id)
    return await model_out(session, model, user)


@api.get("/models/{model_id}/style", response_model=StyleOut)
async def get_style(
    model_id: ModelId, user: ApiUser, session: DbSession, storage: Storage
) -> StyleOut:
    """What the latest trained version learned (a design model: palette by role, fonts,
    layout), for the model's owner; 404 where there is none to show."""
    learned = await creation_service.learned_style(session, user, model_id, storage)
    return style_out(model_id, learned)


@api.put("/models/{model_id}/corrections", response_model=ModelOut)
async def set_corrections(
    model_id: ModelId, body: CorrectionsIn, user: ApiUser, session: DbSession
) -> ModelOut:
    """Correct what training learns before the next run: lock a colour per palette role,
    leave designs out (by content hash). Replaces the previous corrections."""
    model = await creation_service.set_corrections(session, user, model_id, body)
    return await model_out(session, model, user)


def style_out(model_id: int, learned: LearnedStyle) -> StyleOut:
    style = learned.style
    return StyleOut(
        model_id=model_id,
        version_id=learned.version.id,
        version=learned.version.number,
        palette=style.get("palette", []),
        fonts=style.get("fonts", []),
        layout=style.get("layout", {}),
        shapes=style.get("shapes"),
        designs=style.get("designs"),
        picture_url=(
            f"/dashboard/models/{public_id('model', model_id)}/style.png"
            if learned.picture is not None
            else None
        ),
    )


# ---- pages ---------------------------------------------------------------------------------

METRIC_LABELS = {
    "perplexity": "Perplexity (lower is better)",
    "style_similarity": "Style similarity to your portfolio (higher is closer)",
    "palette_distance": "Palette distance from your held-out work (lower is closer)",
    "layout_similarity": "Layout similarity to your held-out work (higher is closer)",
    "layout_overlap": "Overlap between elements (lower is better)",
    "overlapping_text_boxes": "Texts overlapping other elements (lower is better)",
    "layout_alignment": "Misalignment between elements (lower is better)",
    "layout_validity": "Elements inside the canvas (higher is better)",
    "min_contrast_ratio": "Lowest text contrast, WCAG (4.5 or more reads well)",
    "aa_contrast_share": "Texts with WCAG AA contrast (higher is better)",
}


def _number(value: float) -> str:
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.3f}"


def metric_rows(metrics: dict[str, float]) -> list[dict[str, str]]:
    """Each measured quality of a version, for the base and the personal model, in the
    order the modality reported them."""
    rows = []
    for name, value in metrics.items():
        if not name.startswith("base_"):
            continue
        key = name.removeprefix("base_")
        personal = metrics.get(f"personal_{key}")
        if personal is None:
            continue
        rows.append(
            {
                "label": METRIC_LABELS.get(key, key.replace("_", " ").capitalize()),
                "base": _number(value),
                "personal": _number(personal),
            }
        )
    return rows


def _picture_source(output: str) -> str | None:
    """A data URL for an output that is SVG markup: shown through <img>, where it runs no
    script and loads nothing."""
    head = output.lstrip()[:200]
    if head.startswith("<svg") or (head.startswith("<?xml") and "<svg" in output[:1000]):
        return "data:image/svg+xml;base64," + base64.b64encode(output.encode()).decode()
    return None


def output_views(outputs: list[dict[str, str]]) -> list[dict[str, Any]]:
    return [
        {
            "brief": o.get("brief", ""),
            "base": o.get("base", ""),
            "personal": o.get("personal", ""),
            "base_picture": _picture_source(o.get("base", "")),
            "personal_picture": _picture_source(o.get("personal", "")),
        }
        for o in outputs
    ]


@pages.get("/dashboard/models")
async def models_page(request: Request, session: DbSession, user: PageFreelancer) -> Response:
    return render(request, "models.html", await _models_context(session, user))


async def _models_context(session: DbSession, user: User) -> dict[str, object]:
    settings = get_settings()
    return {
        "models": await creation_service.mine(session, user),
        "totals": await portfolio_service.totals(session, user),
        "modalities": [
            {"name": m.name, "label": m.label, "min_samples": min_samples(settings, m)}
            for m in modalities()
        ],
        "labels": {m.name: m.label for m in modalities()},
        "values": {},
        "errors": {},
    }


@pages.post("/dashboard/models")
async def create_model_page(request: Request, session: DbSession, user: PageFreelancer) -> Response:
    data = await form_data(request)
    try:
        body = validate(
            ModelIn, {"name": data.get("name", ""), "modality": data.get("modality") or "text"}
        )
        model = await creation_service.create(session, user, body)
    except (FormErrors, DomainError) as exc:
        errors = exc.errors if isinstance(exc, FormErrors) else domain_errors(exc)
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        context = await _models_context(session, user)
        return form_error(request, session, "models.html", data, errors, status_code, context)
    return RedirectResponse(f"/dashboard/models/{model.public_id}", status_code=303)


async def _model_context(
    session: DbSession, user: User, model_id: int, storage: Storage
) -> dict[str, object]:
    model = await creation_service.owned(session, user, model_id, allow_erased=True)
    versions = await creation_service.versions(session, model)
    runs = await creation_service.runs(session, model)
    active_run = next((r for r in runs if r.status in ("queued", "running")), None)
    receipt = await creation_service.receipt(session, user, model.id) if model.erased_at else None
    modality = get_modality(model.modality)
    samples = [
        s
        for s in await portfolio_service.consented(session, user.id)
        if s.kind in modality.sample_kinds
    ]
    learned: LearnedStyle | None = None
    if not model.erased_at:
        try:
            learned = await creation_service.learned_style(session, user, model.id, storage)
        except NotFound:
            learned = None
    overrides = dict(model.plan_overrides or {})
    return {
        "model": model,
        "modality": modality,
        "samples_needed": min_samples(get_settings(), modality),
        "trainable": samples,
        "versions": versions,
        "metric_rows": {v.id: metric_rows(v.metrics) for v in versions},
        # Plain words and a picture: base vs yours as bars, progress as % and minutes left.
        "evaluations": {v.id: summarise(v.metrics, f"closeness-{v.public_id}") for v in versions},
        "run_estimate": (
            estimate(active_run, model.modality, get_settings(), utcnow()) if active_run else None
        ),
        "outputs": {v.id: output_views(v.evaluation_outputs) for v in versions},
        "approved": next((v for v in versions if v.id == model.approved_version_id), None),
        "runs": runs[:5],
        "active_run": active_run,
        "totals": await portfolio_service.totals(session, user),
        "member": await membership.is_member(session, user.id),
        "receipt": receipt,
        "style": learned.style if learned else None,
        "style_version": learned.version if learned else None,
        "correctable": correctable_fields(modality),
        "locked": overrides.get("locked_colors", {}),
        "excluded": set(overrides.get("excluded_designs", [])),
        "sales": [
            s for s in await generation_service.sales(session, user) if s.model_id == model.id
        ],
        # Pages other domains keep for this model (a voice model's verification).
        "model_links": await model_pages.owner_links(session, model),
        "values": {},
        "errors": {},
    }


@pages.get("/dashboard/models/{model_id}")
async def model_page(
    request: Request, model_id: ModelId, session: DbSession, user: PageFreelancer, storage: Storage
) -> Response:
    return render(request, "model.html", await _model_context(session, user, model_id, storage))


@pages.get("/dashboard/models/{model_id}/run")
async def run_fragment(
    request: Request, model_id: ModelId, session: DbSession, user: PageFreelancer, storage: Storage
) -> Response:
    """Polled by htmx while a run is active; once it ends, the page reloads to show results."""
    context = await _model_context(session, user, model_id, storage)
    run_id = request.query_params.get("run", "")
    if context["active_run"] is None:
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    context["polled_run"] = run_id
    return render(request, "_run_progress.html", context)


async def _model_action(
    request: Request,
    session: DbSession,
    user: User,
    model_id: int,
    storage: Storage,
    action: Callable[[], Awaitable[object]],
    done: str,
) -> Response:
    """Run one action of the model page; on a domain error show the page with the reason."""
    try:
        await action()
    except (FormErrors, DomainError) as exc:
        errors = exc.errors if isinstance(exc, FormErrors) else domain_errors(exc)
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        data = await form_data(request)
        mark_rollback_only(session)
        context = await _model_context(session, user, model_id, storage)
        return form_error(request, session, "model.html", data, errors, status_code, context)
    return RedirectResponse(
        f"/dashboard/models/{public_id('model', model_id)}?done={done}", status_code=303
    )


@pages.post("/dashboard/models/{model_id}/train")
async def train_page(
    request: Request, model_id: ModelId, session: DbSession, user: PageFreelancer, storage: Storage
) -> Response:
    async def action() -> None:
        run = await creation_service.start_training(session, user, model_id)
        enqueue_after_commit(session, train_model, run.id)

    return await _model_action(request, session, user, model_id, storage, action, "training")


@pages.post("/dashboard/models/{model_id}/runs/{run_id}/cancel")
async def cancel_page(
    request: Request,
    model_id: ModelId,
    run_id: RunId,
    session: DbSession,
    user: PageFreelancer,
    storage: Storage,
) -> Response:
    async def action() -> None:
        await creation_service.cancel_run(session, user, run_id)

    return await _model_action(request, session, user, model_id, storage, action, "cancelled")


@pages.post("/dashboard/models/{model_id}/versions/{version_id}/approve")
async def approve_page(
    request: Request,
    model_id: ModelId,
    version_id: VersionId,
    session: DbSession,
    user: PageFreelancer,
    storage: Storage,
) -> Response:
    async def action() -> None:
        await creation_service.approve(session, user, model_id, version_id)

    return await _model_action(request, session, user, model_id, storage, action, "approved")


@pages.post("/dashboard/models/{model_id}/listing")
async def listing_page(
    request: Request, model_id: ModelId, session: DbSession, user: PageFreelancer, storage: Storage
) -> Response:
    async def action() -> None:
        data = await form_data(request)
        try:
            price = parse_dollars(str(data.get("price", "")))
        except ValueError as exc:
            raise FormErrors({"price_amount": str(exc)}) from exc
        try:
            refinement = parse_dollars(str(data.get("refinement", "")))
        except ValueError as exc:
            raise FormErrors({"refinement_price_amount": str(exc)}) from exc
        body = validate(
            ModelPatch,
            {
                "price_amount": price,
                "refinement_price_amount": refinement,
                "license": {
                    "scope": data.get("scope", "personal"),
                    "exclusive": data.get("exclusive") == "on",
                },
            },
        )
        if body.price_amount is None:
            raise FormErrors({"price_amount": "Enter a price per use, like 4 or 4.50."})
        await creation_service.update(session, user, model_id, body)

    return await _model_action(request, session, user, model_id, storage, action, "priced")


@pages.post("/dashboard/models/{model_id}/activate")
async def activate_page(
    request: Request, model_id: ModelId, session: DbSession, user: PageFreelancer, storage: Storage
) -> Response:
    async def action() -> None:
        await creation_service.activate(session, user, model_id)

    return await _model_action(request, session, user, model_id, storage, action, "activated")


@pages.post("/dashboard/models/{model_id}/deactivate")
async def deactivate_page(
    request: Request, model_id: ModelId, session: DbSession, user: PageFreelancer, storage: Storage
) -> Response:
    async def action() -> None:
        await creation_service.deactivate(session, user, model_id)

    return await _model_action(request, session, user, model_id, storage, action, "deactivated")


@pages.get("/dashboard/models/{model_id}/style.png")
async def style_picture_page(
    model_id: ModelId, session: DbSession, user: PageFreelancer, storage: Storage
) -> Response:
    """The learned style at a glance (palette with roles, fonts, layout heat map), for the
    model's owner."""
    learned = await creation_service.learned_style(session, user, model_id, storage)
    if learned.picture is None:
        raise NotFound("This version has no picture of its style.")
    return Response(
        learned.picture,
        media_type="image/png",
        headers={"X-Content-Type-Options": "nosniff", "Content-Disposition": "inline"},
    )


@pages.post("/dashboard/models/{model_id}/corrections")
async def corrections_page(
    request: Request, model_id: ModelId, session: DbSession, user: PageFreelancer, storage: Storage
) -> Response:
    async def action() -> None:
        form = await request.form()
        locked = {
            key.removeprefix("lock_"): str(form.get(f"color_{key.removeprefix('lock_')}", ""))
            for key in form
            if key.startswith("lock_") and form.get(key) == "on"
        }
        excluded = [str(v) for v in form.getlist("exclude")]
        body = validate(CorrectionsIn, {"locked_colors": locked, "excluded_designs": excluded})
        await creation_service.set_corrections(session, user, model_id, body)

    return await _model_action(request, session, user, model_id, storage, action, "corrected")


@pages.post("/dashboard/models/{model_id}/erase")
async def erase_page(
    request: Request,
    model_id: ModelId,
    session: DbSession,
    user: PageFreelancer,
    storage: Storage,
) -> Response:
    data = await form_data(request)
    model = await creation_service.owned(session, user, model_id, allow_erased=True)
    if str(data.get("confirm", "")).strip() != model.name:
        context = await _model_context(session, user, model_id, storage)
        errors = {"confirm": f"Type the model's name, {model.name!r}, to confirm erasure."}
        return form_error(request, session, "model.html", data, errors, 422, context)
    await erase_and_delete_files(session, user, model_id, storage)
    return RedirectResponse(f"/dashboard/models/{model.public_id}/receipt", status_code=303)


@pages.get("/dashboard/models/{model_id}/receipt")
async def receipt_page(
    request: Request, model_id: ModelId, session: DbSession, user: PageFreelancer
) -> Response:
    receipt = await creation_service.receipt(session, user, model_id)
    document = signed_document(receipt.id, receipt.payload, receipt.signature)
    return render(
        request,
        "erasure_receipt.html",  # not "receipt.html": billing's payment receipt has that name
        {"receipt": receipt, "document_json": json.dumps(document, indent=2, ensure_ascii=False)},
    )
