"""The model page in plain words: "closer to your style" as bars with a verdict (numbers in a
fold), and training progress as a percentage and minutes left, evaluation included."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.creation.factories import stored_model
from tests.web.test_pages import signed_in_user
from twinwork.config import get_settings
from twinwork.creation.evaluation_summary import summarise
from twinwork.creation.models import RunStatus, TrainingRun
from twinwork.creation.progress_estimate import estimate, evaluation_seconds, minutes_left_text
from twinwork.kit.db import utcnow


def test_a_closer_text_model_gets_bars_and_a_verdict() -> None:
    summary = summarise(
        {"base_style_similarity": 0.52, "personal_style_similarity": 0.74, "base_perplexity": 9.0},
        "closeness-1",
    )
    assert summary.closer is True
    assert summary.verdict.startswith("Closer to your style than the base model")
    assert "74% like your own work, against 52%" in summary.verdict
    assert summary.chart is not None
    chart = str(summary.chart)
    assert 'role="img"' in chart and "<desc" in chart
    assert "Writing style: base model 52%, your model 74%" in chart
    assert ">74%<" in chart and ">52%<" in chart


def test_designs_compare_layout_and_colours_and_obey_the_modalitys_flag() -> None:
    summary = summarise(
        {
            "base_layout_similarity": 0.4,
            "personal_layout_similarity": 0.45,
            "base_palette_distance": 30.0,
            "personal_palette_distance": 40.0,
            "closer_than_base": 0.0,
        },
        "closeness-2",
    )
    assert [m.label for m in summary.measures] == ["Layout", "Colours"]
    assert [(m.base, m.personal) for m in summary.measures][1] == (70.0, 60.0)
    assert summary.closer is False and summary.verdict.startswith("Not closer to your style yet")


def test_a_version_without_a_closeness_measure_says_so() -> None:
    summary = summarise({"base_perplexity": 10.0, "personal_perplexity": 8.0}, "c")
    assert (summary.closer, summary.chart) == (None, None)


def running(phase: str, *, eta: float | None, started_minutes_ago: float) -> TrainingRun:
    return TrainingRun(
        status=RunStatus.RUNNING,
        phase=phase,
        step=30,
        total_steps=100,
        eta_seconds=eta,
        sample_ids=[1, 2, 3],
        started_at=utcnow() - timedelta(minutes=started_minutes_ago),
    )


def test_progress_counts_the_evaluation_in_percent_and_minutes() -> None:
    settings = get_settings().model_copy(
        update={"evaluation_briefs": 3, "evaluation_max_new_tokens": 60}
    )
    evaluation = evaluation_seconds("text", settings)
    # 3 briefs x 2 models x 60 tokens at 9 tokens a second, plus loading: about a minute.
    assert 50 < evaluation < 70
    now = utcnow()
    training = estimate(running("training", eta=120, started_minutes_ago=2), "text", settings, now)
    # 120 s elapsed, 120 s of training and ~55 s of evaluation left: under half, not 30%.
    assert 35 <= training.percent <= 45
    assert training.left_text == "about 3 minutes left"
    assert training.phase_text == "Learning from your samples"
    loading = estimate(running("loading", eta=None, started_minutes_ago=0.1), "text", settings, now)
    assert (loading.percent, loading.left_text) == (0, "")
    evaluating = estimate(
        running("evaluating", eta=0, started_minutes_ago=5), "text", settings, now
    )
    assert 90 <= evaluating.percent <= 99 and evaluating.left_text == "less than a minute left"
    assert minutes_left_text(61) == "about 2 minutes left"


async def test_the_model_page_shows_the_chart_verdict_and_a_fold_of_numbers(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    owner = await signed_in_user(client, session)
    stored = await stored_model(session, owner)
    await session.commit()
    page = await client.get(f"/dashboard/models/{stored.model.public_id}")
    assert page.status_code == 200
    text = page.text
    assert 'id="closeness-' in text and 'id="verdict-1"' in text
    assert "Closer to your style than the base model" in text
    assert text.index('<details class="evaluation-numbers">') < text.index("Perplexity")
    assert "loss" not in text.lower().split("<main", 1)[1]


async def test_the_progress_fragment_speaks_in_percent_and_minutes(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    owner = await signed_in_user(client, session)
    stored = await stored_model(session, owner)
    run = TrainingRun(
        model_id=stored.model.id,
        owner_user_id=owner.id,
        status=RunStatus.RUNNING,
        sample_ids=[1, 2, 3, 4],
        phase="training",
        step=12,
        total_steps=40,
        loss=4.265,
        eta_seconds=200.0,
        started_at=utcnow() - timedelta(seconds=100),
    )
    session.add(run)
    await session.commit()
    fragment = await client.get(f"/dashboard/models/{stored.model.public_id}/run")
    assert fragment.status_code == 200
    assert 'id="run-percent"' in fragment.text and "minutes left" in fragment.text
    assert "checking the result included" in fragment.text
    assert "4.265" not in fragment.text and "loss" not in fragment.text.lower()
    assert " s left" not in fragment.text
