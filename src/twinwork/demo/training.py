"""The demo's AI offer, live: two demo freelancers' personal models train in the background
once the demo is loaded, and go on sale as soon as their training succeeds, so a visitor of
a fresh `make run` can preview and buy AI and hybrid work within minutes.

Demo data only: the models belong to the demo freelancers with portfolios (demo.portfolio),
found by their demo e-mail address; nothing here touches anyone else's model. Both steps are
idempotent: loading the demo again queues nothing new while a run is queued, running or has
produced a version, and a model already approved is left as its owner (or an operator) set it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.catalog.models import Gig
from twinwork.creation.models import ACTIVE_RUN_STATUSES, PersonalModel, RunStatus
from twinwork.creation.schemas import LicenseIn, ModelIn, ModelPatch
from twinwork.creation.service import CLOSER_THAN_BASE, creation_service
from twinwork.creation.tasks import train_model
from twinwork.kit.errors import DomainError
from twinwork.kit.jobs import enqueue_after_commit
from twinwork.kit.money import to_cents
from twinwork.program.membership import membership

log = logging.getLogger(__name__)

DEMO_EMAIL_DOMAIN = "demo.twinwork.test"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class DemoModel:
    handle: str
    name: str
    price_amount: int
    """Per use (a preview bought from the model's page), in cents."""
    refinement_price_amount: int
    """Hybrid work's hand refinement on top of the per-use price, in cents."""
    ai_share: Decimal
    """Each package's AI price as a share of its by-hand price."""
    hybrid_share: Decimal
    """Each package's hybrid price as a share of its by-hand price."""


DEMO_MODELS: tuple[DemoModel, ...] = (
    DemoModel(
        "noor-haddad-lyrics", "Noor's lyric model", 600, 2500, Decimal("0.2"), Decimal("0.6")
    ),
    DemoModel(
        "ines-marchetti-copy", "Ines's copy model", 800, 3000, Decimal("0.25"), Decimal("0.65")
    ),
)


def package_price(price_amount: int, share: Decimal, floor: int) -> int:
    """A share of a package's price in whole dollars, never under ``floor`` (all in cents)."""
    whole_dollars = to_cents(share * CENT, price_amount)
    return max(floor, whole_dollars * 100)


async def queue_demo_models(session: AsyncSession) -> list[int]:
    """Give each demo model's owner a priced model and queue its training (the job starts
    after the caller's commit). Returns the ids of the runs queued now."""
    queued: list[int] = []
    for demo in DEMO_MODELS:
        user = await _owner(session, demo)
        if user is None or not await membership.is_member(session, user.id):
            continue
        model = await _model(session, user, demo)
        await _price_packages(session, user, demo)
        if model.approved_version_id is not None:
            continue
        runs = await creation_service.runs(session, model)
        if any(
            run.status in ACTIVE_RUN_STATUSES
            or (run.status == RunStatus.SUCCEEDED and run.version_id is not None)
            for run in runs
        ):
            continue  # training, or trained and waiting for activate_demo_models
        run = await creation_service.start_training(session, user, model.id)
        enqueue_after_commit(session, train_model, run.id)
        queued.append(run.id)
    return queued


async def activate_demo_models(session: AsyncSession) -> list[int]:
    """Approve and switch on each demo model whose training succeeded and which no version
    was approved for yet. Returns the ids of the models switched on now."""
    activated: list[int] = []
    for demo in DEMO_MODELS:
        user = await _owner(session, demo)
        if user is None:
            continue
        model = await _find_model(session, user, demo)
        if model is None or model.approved_version_id is not None:
            continue
        trained = next(
            (
                run
                for run in await creation_service.runs(session, model)
                if run.status == RunStatus.SUCCEEDED and run.version_id is not None
            ),
            None,  # newest first
        )
        if trained is None or trained.version_id is None:
            continue
        version = await creation_service.version(session, trained.version_id)
        if version is None or version.metrics.get(CLOSER_THAN_BASE) == 0.0:
            # Learned nothing of the owner's style: approval would refuse it (every minute).
            # The demo shows the model as trained and off, for a visitor to retrain.
            continue
        try:
            await creation_service.approve(session, user, model.id, trained.version_id)
            await creation_service.activate(session, user, model.id)
        except DomainError as exc:
            log.warning("demo model %s stays off: %s", model.id, exc.detail)
            continue
        activated.append(model.id)
    return activated


async def _owner(session: AsyncSession, demo: DemoModel) -> User | None:
    email = f"{demo.handle}@{DEMO_EMAIL_DOMAIN}"
    return await session.scalar(select(User).where(User.email == email))


async def _find_model(session: AsyncSession, user: User, demo: DemoModel) -> PersonalModel | None:
    return next(
        (
            m
            for m in await creation_service.mine(session, user)
            if m.name == demo.name and m.erased_at is None
        ),
        None,
    )


async def _model(session: AsyncSession, user: User, demo: DemoModel) -> PersonalModel:
    model = await _find_model(session, user, demo)
    if model is not None:
        return model
    model = await creation_service.create(session, user, ModelIn(name=demo.name))
    return await creation_service.update(
        session,
        user,
        model.id,
        ModelPatch(
            price_amount=demo.price_amount,
            currency="USD",
            refinement_price_amount=demo.refinement_price_amount,
            license=LicenseIn(scope="commercial"),
        ),
    )


async def _price_packages(session: AsyncSession, user: User, demo: DemoModel) -> None:
    """AI and hybrid prices that grow with each package, as a freelancer would set them;
    packages already priced (by an earlier load, or by hand) keep their prices."""
    gigs = await session.scalars(select(Gig).where(Gig.freelancer_id == user.id))
    for gig in gigs:
        for package in gig.packages:
            if package.ai_price_amount is None and package.hybrid_price_amount is None:
                package.ai_price_amount = package_price(package.price_amount, demo.ai_share, 300)
                package.hybrid_price_amount = package_price(
                    package.price_amount, demo.hybrid_share, 1000
                )
    await session.flush()
