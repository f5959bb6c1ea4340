"""`twinwork model ...`: train and try personal models from a terminal."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.config import get_settings
from twinwork.creation import runtime
from twinwork.kit.db import make_engine, make_sessionmaker, run_standalone, unit_of_work
from twinwork.kit.errors import DomainError
from twinwork.kit.public_ids import public_id
from twinwork.kit.storage import make_storage
from twinwork.ml import DEFAULT_MODALITY, TrainingProgress, get_modality

model_app = typer.Typer(help="Train and try personal AI models.", no_args_is_help=True)
console = Console()


@model_app.command("train")
def train(
    email: Annotated[str, typer.Option(help="The freelancer whose model to train.")],
    model: Annotated[int | None, typer.Option(help="Model id; default: their first model.")] = None,
) -> None:
    """Train a new version on the freelancer's consented samples, here, with live progress."""
    from twinwork.creation.training import execute_run

    settings = get_settings()
    try:
        run_id, model_id, modality = asyncio.run(_start(email, model))
    except DomainError as exc:
        console.print(f"[red]{exc.detail}[/]")
        raise typer.Exit(code=1) from exc
    base = runtime.model_environment(settings, modality).base_model or "default base"
    label = get_modality(modality).label
    console.print(f"Training run {run_id} for model {model_id} ({label}, {base})")
    columns = (
        TextColumn("[bold]{task.fields[phase]:<10}"),
        BarColumn(),
        TextColumn("step {task.fields[steps]}"),
        TextColumn("loss {task.fields[loss]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("train", total=None, phase="loading", loss="-", steps="-")

        def show(p: TrainingProgress) -> None:
            progress.update(
                task,
                completed=p.step,
                total=p.total_steps or None,
                phase=p.phase,
                loss="-" if p.loss is None else f"{p.loss:.3f}",
                steps=f"{p.step}/{p.total_steps}" if p.total_steps else "-",
            )

        async def main() -> str:
            engine = make_engine(settings.resolved_database_url, pooled=False)
            try:
                return await execute_run(
                    make_sessionmaker(engine),
                    run_id,
                    make_storage(settings),
                    settings=settings,
                    listener=show,
                )
            finally:
                await engine.dispose()

        status = asyncio.run(main())
    _report(run_id, status)


async def _start(email: str, model_id: int | None) -> tuple[int, int, str]:
    from twinwork.account.service import account_service
    from twinwork.creation.schemas import ModelIn
    from twinwork.creation.service import creation_service

    engine = make_engine(get_settings().resolved_database_url, pooled=False)
    try:
        async with unit_of_work(make_sessionmaker(engine)) as session:
            user = await account_service.by_email(session, email)
            if user is None:
                raise DomainError(f"There is no account {email!r}.")
            if model_id is None:
                live = [m for m in await creation_service.mine(session, user) if not m.erased_at]
                if live:
                    model_id = live[0].id
                else:
                    name = f"{user.display_name}'s {DEFAULT_MODALITY} model"
                    created = await creation_service.create(session, user, ModelIn(name=name))
                    model_id = created.id
            run = await creation_service.start_training(session, user, model_id)
            model = await creation_service.owned(session, user, model_id)
            return run.id, model_id, model.modality
    finally:
        await engine.dispose()


def _report(run_id: int, status: str) -> None:
    from twinwork.creation.service import creation_service

    async def work(session: AsyncSession) -> tuple[str | None, dict[str, float] | None, str, str]:
        run = await creation_service.run(session, run_id)
        assert run is not None
        version = await creation_service.version(session, run.version_id or 0)
        if version is None:
            return run.error, None, "", ""
        # The approve path as a client writes it: public ids, not the row ids this command takes.
        approve = f"/api/v1/models/{public_id('model', run.model_id)}/versions/{version.public_id}"
        return run.error, version.metrics, f"Version {version.number}", approve

    error, metrics, version, approve = run_standalone(get_settings().resolved_database_url, work)
    if status != "succeeded":
        console.print(f"[red]Run {run_id} {status}[/]" + (f": {error}" if error else ""))
        raise typer.Exit(code=1)
    assert metrics is not None
    table = Table("held-out evaluation", "base model", "personal model")
    for name, base, personal in _paired(metrics):
        table.add_row(name, base, personal)
    console.print(table)
    console.print(
        f"[green]{version} is ready.[/] Approve it on the model's page or with "
        f"POST {approve}/approve."
    )


def _paired(metrics: dict[str, float]) -> list[tuple[str, str, str]]:
    """Each metric a modality reports for both models (``base_x``, ``personal_x``) as a row
    "x | base | personal", in the order reported."""
    rows = []
    for key, base in metrics.items():
        name = key.removeprefix("base_")
        personal = metrics.get(f"personal_{name}")
        if name != key and personal is not None:
            rows.append((name.replace("_", " "), f"{base:.4g}", f"{personal:.4g}"))
    return rows


@model_app.command("generate")
def generate(
    model: Annotated[int, typer.Option(help="Model id.")],
    brief: Annotated[str, typer.Option(help="What to write.")],
    max_new_tokens: Annotated[int | None, typer.Option(help="Length cap in tokens.")] = None,
) -> None:
    """Generate from a model's approved version (or its latest) on this machine. For the model's
    owner and operators: nothing is charged or recorded."""
    from twinwork.creation.service import creation_service

    settings = get_settings()

    async def find(session: AsyncSession) -> tuple[str, str, str] | str:
        found = await creation_service.model_by_id(session, model)
        if found is None:
            return f"There is no model {model}."
        if found.erased_at is not None:
            return f"Model {model} was erased."
        versions = await creation_service.versions(session, found)
        chosen = next((v for v in versions if v.id == found.approved_version_id), None)
        chosen = chosen or (versions[0] if versions else None)
        if chosen is None:
            return f"Model {model} has no trained version yet: run `twinwork model train`."
        return found.modality, chosen.artifact_key, chosen.artifact_hash

    found = run_standalone(settings.resolved_database_url, find)
    if isinstance(found, str):
        console.print(f"[red]{found}[/]")
        raise typer.Exit(code=1)
    modality, key, digest = found
    with console.status("Generating..."):
        text = asyncio.run(
            runtime.generate(
                settings,
                make_storage(settings),
                modality=modality,
                artifact_key=key,
                artifact_hash=digest,
                brief=brief,
                max_length=max_new_tokens,
            )
        )
    console.print(text, markup=False, highlight=False)
