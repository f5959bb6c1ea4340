"""The `twinwork` command: serve, worker, migrate, demo, backup and restore, users and personal
models."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.config import get_settings
from twinwork.creation.cli import model_app
from twinwork.domains import load_domains
from twinwork.kit.db import run_standalone
from twinwork.kit.errors import DomainError
from twinwork.kit.text import format_file_size

app = typer.Typer(
    help="twinwork marketplace.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
user_app = typer.Typer(help="Manage accounts.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(model_app, name="model")
console = Console()
T = TypeVar("T")

DEFAULT_DEMO_PASSWORD = "demo-password-2026"


@app.callback()
def _load_domains() -> None:
    # Before any command: a command that signs up a freelancer needs catalog's hook.
    load_domains()


def _run(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    return run_standalone(get_settings().resolved_database_url, work)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    from twinwork.kit.migrate import upgrade

    upgrade()
    console.print(f"[green]Database is up to date[/] ({_database_label()})")


@app.command()
def demo(
    search_events: Annotated[
        int, typer.Option(help="How many search events to generate over the last 12 months.")
    ] = 40_000,
    train_models: Annotated[
        bool,
        typer.Option(
            envvar="TWINWORK_DEMO_TRAIN_MODELS",
            help="Queue the training of two demo freelancers' AI models; the job consumer "
            "(twinwork serve) trains them and puts them on sale when they succeed.",
        ),
    ] = True,
) -> None:
    """Load demo freelancers, gigs, buyers, an admin and a year of searches (idempotent)."""
    from twinwork.demo.loader import DemoSummary, load_demo

    password = os.environ.get("TWINWORK_DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)

    async def work(session: AsyncSession) -> DemoSummary:
        return await load_demo(
            session, password=password, search_events=search_events, train_models=train_models
        )

    with console.status("Loading demo data..."):
        summary = _run(work)
    console.print(
        f"Demo data: {summary.freelancers_created} freelancers, "
        f"{summary.gigs_created} gigs, {summary.buyers_created} other accounts, "
        f"{summary.search_events_created} search events added."
    )
    console.print(
        f"[bold]Sign in as admin:[/] {summary.admin_email} / {summary.password}  "
        "(every demo account uses this password; freelancers are <handle>@demo.twinwork.test)"
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    worker: Annotated[bool, typer.Option(help="Run the job consumer inside this process.")] = True,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Web processes. With more than one, the jobs run in one `twinwork worker` "
            "process started beside them.",
        ),
    ] = 1,
) -> None:
    """Serve the web app and API (and, by default, the background jobs)."""
    import uvicorn

    from twinwork.web.app import create_app

    settings = get_settings()
    console.print(f"twinwork on [bold]http://{host}:{port}[/] ({_database_label()})")
    options: dict[str, object] = {
        "host": host,
        "port": port,
        "log_level": "info",
        "proxy_headers": False,
        "timeout_graceful_shutdown": 5,
    }
    if workers == 1 and settings.jobs_in_web_process:
        application = create_app(settings, run_worker=worker and settings.inline_worker)
        uvicorn.run(application, **options)  # type: ignore[arg-type]
        return
    # The jobs run in a process of their own at a lower CPU priority, so training a model
    # does not slow the pages (kit.worker_process). Several web processes each build the app
    # from the factory, none with a job consumer (they would multiply the queue's pollers).
    from twinwork.kit.worker_process import start_job_worker, stop_job_worker

    jobs = start_job_worker() if worker and settings.inline_worker else None
    try:
        if workers == 1:
            uvicorn.run(create_app(settings), **options)  # type: ignore[arg-type]
        else:
            uvicorn.run(
                "twinwork.web.app:create_app",
                factory=True,
                workers=workers,
                **options,  # type: ignore[arg-type]
            )
    finally:
        if jobs is not None:
            stop_job_worker(jobs)


@app.command()
def worker(
    threads: Annotated[int, typer.Option(help="Worker threads.")] = 2,
) -> None:
    """Run background jobs (use with TWINWORK_QUEUE_URL=redis://... on several hosts)."""
    from twinwork.kit.worker_process import bound_threads, lower_priority, watch_parent

    settings = get_settings()
    # Before any thread starts and before torch loads: every job thread inherits both.
    nice = lower_priority(settings.training_nice)
    torch_threads = bound_threads(settings.training_threads)
    watch_parent()
    from twinwork.kit.jobs import huey
    from twinwork.tasks import register_all

    register_all()
    console.print(
        f"Worker consuming {settings.resolved_queue_url} with {threads} threads "
        f"(nice {nice}, {torch_threads} torch threads)"
    )
    huey.create_consumer(workers=threads, worker_type="thread", periodic=True).run()


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="Email address.")],
    role: Annotated[
        list[str], typer.Option(help="buyer, freelancer or admin; repeat for several.")
    ],
    password: Annotated[str | None, typer.Option(help="Password; asked for when omitted.")] = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
) -> None:
    """Create an account."""
    from twinwork.account.service import account_service

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    display_name = name or email.split("@", 1)[0]

    async def work(session: AsyncSession) -> int:
        user = await account_service.signup(
            session, email=email, password=password, display_name=display_name, roles=role
        )
        return user.id

    try:
        user_id = _run(work)
    except DomainError as exc:
        console.print(f"[red]{exc.detail}[/]")
        raise typer.Exit(code=1) from exc
    console.print(f"Created user {user_id} <{email}> with roles {', '.join(role)}")


@app.command()
def backup(
    archive: Annotated[Path, typer.Argument(help="The backup file to write (a new .tar file).")],
) -> None:
    """Back up the embedded default while it runs: databases, objects and keys, with hashes."""
    from twinwork.kit.backup import BackupError, create_backup

    try:
        manifest = create_backup(get_settings(), archive)
    except BackupError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(code=1) from exc
    rows = sum(sum((f.tables or {}).values()) for f in manifest.databases)
    size = format_file_size(manifest.total_bytes)
    console.print(
        f"[green]Backed up[/] {len(manifest.files)} files ({size}, "
        f"{len(manifest.databases)} databases, {rows} rows) to {archive}"
    )


@app.command()
def restore(
    archive: Annotated[Path, typer.Argument(help="A file written by `twinwork backup`.")],
) -> None:
    """Restore a backup into an empty data dir, every file checked against its hash first."""
    from twinwork.kit.backup import BackupError, restore_backup

    try:
        manifest = restore_backup(get_settings(), archive)
    except BackupError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(code=1) from exc
    console.print(
        f"[green]Restored[/] {len(manifest.files)} files from the backup of {manifest.created_at} "
        f"into {get_settings().resolved_data_dir}"
    )


def _database_label() -> str:
    url = get_settings().resolved_database_url
    return url.split("@")[-1] if "@" in url else url


if __name__ == "__main__":
    app()
