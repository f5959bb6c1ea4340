"""The demo's voice-over artist: a personal voice model a visitor can hear and buy, made in the
background so that loading the demo stays quick.

Demo data, and labelled so everywhere it shows: the artist's recordings are synthetic, the
packaged base voice made into another voice with WORLD (``ml/voice/demo.py``: higher and
wider pitch, every formant moved up, slower) reading demo scripts. Loading the demo with its
models (``TWINWORK_DEMO_TRAIN_MODELS``) only makes the artist a program member with a priced
voice model and queues ``prepare_demo_voice``. That job, in the worker, synthesises recordings
until the portfolio holds the minimum a voice model needs (``TWINWORK_VOICE_MIN_SECONDS``),
adds them through the portfolio like an upload, passes the real voice verification with a
synthetic take of its random sentence, and queues the training run. A periodic job approves
and switches on the version once it trains, if it sounds more like the artist than the base
voice (as any approval requires). Every step is idempotent: loading the demo again, or a job
run twice, adds nothing that is already there.
"""

from __future__ import annotations

import asyncio
import logging

import numpy as np
from huey import crontab
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from twinwork.account.models import User
from twinwork.config import get_settings
from twinwork.creation.models import ACTIVE_RUN_STATUSES, PersonalModel, RunStatus
from twinwork.creation.schemas import LicenseIn, ModelIn, ModelPatch
from twinwork.creation.service import CLOSER_THAN_BASE, creation_service, min_samples
from twinwork.creation.tasks import train_model
from twinwork.kit.db import unit_of_work
from twinwork.kit.errors import DomainError
from twinwork.kit.jobs import enqueue_after_commit, huey, run_in_unit_of_work, run_with_sessionmaker
from twinwork.kit.storage import ObjectStorage, make_storage
from twinwork.ml import get_modality
from twinwork.ml.voice.demo import artist_recording, scripts
from twinwork.ml.voice.signal import to_wav
from twinwork.portfolio.service import AUDIO_KIND, portfolio_service
from twinwork.program.admission import admission_service
from twinwork.program.membership import membership
from twinwork.program.models import ApplicationStatus
from twinwork.program.subscription import subscription_service
from twinwork.voice.service import voice_verification

log = logging.getLogger(__name__)

DEMO_EMAIL_DOMAIN = "demo.twinwork.test"
ADMIN_EMAIL = f"admin@{DEMO_EMAIL_DOMAIN}"
SANDBOX_TEST_CARD = "4242424242424242"
VOICE_HANDLE = "mara-voss-voice"
"""The demo's voice-over artist (demo.content)."""
VOICE_MODEL_NAME = "Mara's voice (demo)"
UNIT_PRICE_AMOUNT = 300
"""Per started 100 words of a buyer's script, in cents."""
REFINEMENT_PRICE_AMOUNT = 2_500
"""A hybrid order's hand edit on top of the model's take, in cents."""
SENTENCES_PER_TAKE = 3
"""About twelve seconds a take: a paragraph of an ad read, as a real portfolio keeps them."""
MAX_TAKES = 60
TIME_MARGIN = 1.1
"""Recorded time over the minimum: pauses trimmed by the portfolio must not leave it short."""
TAKE_TITLE = "Demo recording {number} (synthetic voice)"
CATEGORY = "voice-over"


def take_script(number: int) -> str:
    """The script of take ``number`` (1-based): three demo sentences no other take reads."""
    sentences = scripts(MAX_TAKES * SENTENCES_PER_TAKE)
    start = (number - 1) * SENTENCES_PER_TAKE
    return " ".join(sentences[start : start + SENTENCES_PER_TAKE])


def take_wav(script: str) -> bytes:
    """The synthetic artist reading ``script``, with a breath of room tone around it."""
    audio, rate = artist_recording(script)
    room = np.zeros(int(0.3 * rate), dtype=np.float32)
    return to_wav(np.concatenate([room, audio, room]), rate)


async def _user(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email))


async def _artist(session: AsyncSession) -> User | None:
    return await _user(session, f"{VOICE_HANDLE}@{DEMO_EMAIL_DOMAIN}")


async def _find_model(session: AsyncSession, artist: User) -> PersonalModel | None:
    return next(
        (
            m
            for m in await creation_service.mine(session, artist)
            if m.name == VOICE_MODEL_NAME and m.erased_at is None
        ),
        None,
    )


async def _ensure_member(session: AsyncSession, artist: User) -> None:
    """Invited by the demo's operator and subscribed with the sandbox's test card, as the
    demo's other model owners are (demo.loader)."""
    if await membership.is_member(session, artist.id):
        return
    admin = await _user(session, ADMIN_EMAIL)
    if admin is None:
        raise LookupError("the demo's operator account is missing")
    view = await admission_service.current(session, artist)
    if view is None or view.application.status != ApplicationStatus.ADMITTED:
        await admission_service.invite(session, admin, artist.email)
    await subscription_service.subscribe(session, artist, SANDBOX_TEST_CARD)


async def _ensure_model(session: AsyncSession, artist: User) -> PersonalModel:
    model = await _find_model(session, artist)
    if model is not None:
        return model
    model = await creation_service.create(
        session, artist, ModelIn(modality="voice", name=VOICE_MODEL_NAME)
    )
    return await creation_service.update(
        session,
        artist,
        model.id,
        ModelPatch(
            price_amount=UNIT_PRICE_AMOUNT,
            currency="USD",
            refinement_price_amount=REFINEMENT_PRICE_AMOUNT,
            license=LicenseIn(scope="commercial"),
        ),
    )


async def _trained_or_training(session: AsyncSession, model: PersonalModel) -> bool:
    if model.approved_version_id is not None:
        return True
    return any(
        run.status in ACTIVE_RUN_STATUSES
        or (run.status == RunStatus.SUCCEEDED and run.version_id is not None)
        for run in await creation_service.runs(session, model)
    )


async def queue_demo_voice(session: AsyncSession) -> bool:
    """In the demo loader's transaction: the artist joins the program with a priced voice
    model, and ``prepare_demo_voice`` is queued (after the commit) unless the model is
    trained or training already (``TWINWORK_DEMO_VOICE=false``: nothing). Returns whether
    the job was queued."""
    if not get_settings().demo_voice:
        return False
    artist = await _artist(session)
    if artist is None:
        return False
    try:
        await _ensure_member(session, artist)
    except (DomainError, LookupError) as exc:
        # Every seat taken by an operator's rules, say: the demo shows the artist without.
        log.warning("the demo voice-over artist could not join the program: %s", exc)
        return False
    model = await _ensure_model(session, artist)
    if await _trained_or_training(session, model):
        return False
    enqueue_after_commit(session, prepare_demo_voice)
    return True


async def prepare(sessionmaker: async_sessionmaker[AsyncSession], storage: ObjectStorage) -> str:
    """Recordings, verification and a queued training run for the demo's voice model; each
    recording is synthesised with no transaction open and added in a unit of work of its
    own. Returns what it did, for the job's log."""
    async with unit_of_work(sessionmaker) as session:
        artist = await _artist(session)
        model = await _find_model(session, artist) if artist is not None else None
        if artist is None or model is None:
            return "no demo voice model"
        if await _trained_or_training(session, model):
            return "trained or training already"
        model_id = model.id
        have = {
            s.title: s
            for s in await portfolio_service.consented(session, artist.id)
            if s.kind == AUDIO_KIND
        }
    settings = get_settings()
    needed_ms = settings.voice_min_seconds * 1000 * TIME_MARGIN
    # Enough time, and enough takes to hold some out for the evaluation.
    needed_takes = min_samples(settings, get_modality("voice")) + 1
    recorded_ms = sum(s.duration_ms or 0 for s in have.values())
    takes = len(have)
    added = 0
    number = 0
    while (recorded_ms < needed_ms or takes < needed_takes) and number < MAX_TAKES:
        number += 1
        title = TAKE_TITLE.format(number=number)
        if title in have:
            continue
        script = take_script(number)
        raw = await asyncio.to_thread(take_wav, script)
        async with unit_of_work(sessionmaker) as session:
            artist = await _artist(session)
            assert artist is not None
            sample = await portfolio_service.add_audio_bytes(
                session,
                storage,
                artist,
                raw,
                filename=f"demo-recording-{number}.wav",
                title=title,
                transcript=script,
                category=CATEGORY,
                ownership_attested=True,
                consent_to_train=True,
            )
            recorded_ms += sample.duration_ms or 0
        takes += 1
        added += 1

    async with unit_of_work(sessionmaker) as session:
        artist = await _artist(session)
        assert artist is not None
        verified = await voice_verification.passed(session, model_id) is not None
        phrase = None if verified else (await voice_verification.phrase(session, artist, model_id))
        sentence = phrase.phrase if phrase is not None else ""
    if not verified:
        raw = await asyncio.to_thread(take_wav, sentence)
        async with unit_of_work(sessionmaker) as session:
            artist = await _artist(session)
            assert artist is not None
            outcome = await voice_verification.verify(
                session, storage, artist, model_id, raw, "demo-verification.wav"
            )
            if not outcome.verified:
                return (
                    f"{added} recordings added; verification refused: {outcome.verification.reason}"
                )

    async with unit_of_work(sessionmaker) as session:
        artist = await _artist(session)
        assert artist is not None
        run = await creation_service.start_training(session, artist, model_id)
        enqueue_after_commit(session, train_model, run.id)
        return f"{added} recordings added, voice verified, training run {run.id} queued"


async def activate_demo_voice(session: AsyncSession) -> int | None:
    """Approve and switch on the demo voice model once a version trained that sounds more
    like the artist than the base voice; returns its id when it was switched on now."""
    artist = await _artist(session)
    model = await _find_model(session, artist) if artist is not None else None
    if artist is None or model is None or model.approved_version_id is not None:
        return None
    trained = next(
        (
            run
            for run in await creation_service.runs(session, model)  # newest first
            if run.status == RunStatus.SUCCEEDED and run.version_id is not None
        ),
        None,
    )
    if trained is None or trained.version_id is None:
        return None
    version = await creation_service.version(session, trained.version_id)
    if version is None or version.metrics.get(CLOSER_THAN_BASE) == 0.0:
        return None  # the approval would refuse it: shown trained and off
    try:
        await creation_service.approve(session, artist, model.id, trained.version_id)
        await creation_service.activate(session, artist, model.id)
    except DomainError as exc:
        log.warning("the demo voice model stays off: %s", exc.detail)
        return None
    return model.id


# huey ships no types (task modules are exempt in pyproject; this one is the demo's own).
@huey.task(retries=0)  # type: ignore[untyped-decorator]
def prepare_demo_voice() -> str:
    async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> str:
        return await prepare(sessionmaker, make_storage(get_settings()))

    return run_with_sessionmaker(work)


# Every minute, as the text demo's models (demo.tasks): a cheap look for one model.
@huey.periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def activate_trained_demo_voice() -> int | None:
    return run_in_unit_of_work(activate_demo_voice)
