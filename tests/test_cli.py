"""The `twinwork` command, run as a real process against a fresh database."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine

from tests.backends import Backends
from twinwork.account.models import User
from twinwork.catalog.models import FreelancerProfile, Gig
from twinwork.config import normalise_database_url
from twinwork.demo.content import FREELANCERS
from twinwork.demo.reviews import reviewed_orders
from twinwork.order.models import Dispute, Order, Review
from twinwork.search.models import SearchEvent


def twinwork(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "twinwork", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def sync_engine(url: str) -> Engine:
    # The same database through a synchronous driver (psycopg is both sync and async).
    return create_engine(normalise_database_url(url).replace("+aiosqlite", ""))


@pytest.fixture(scope="module")
def fresh(backends: Backends) -> Any:
    url = backends.new_database_url("twinwork_cli")
    env = {
        **os.environ,
        "TWINWORK_DATABASE_URL": url,
        "COLUMNS": "200",
        # These tests train the demo's models by hand (`model train`); the demo's own queued
        # training is tested on a database of its own (test_demo_queues_its_models_training).
        "TWINWORK_DEMO_TRAIN_MODELS": "false",
    }
    migrated = twinwork(env, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    engine = sync_engine(url)
    yield env, engine
    engine.dispose()


def counts(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return (
            conn.scalar(select(func.count()).select_from(User)) or 0,
            conn.scalar(select(func.count()).select_from(Gig)) or 0,
            conn.scalar(select(func.count()).select_from(SearchEvent)) or 0,
        )


def test_demo_loads_a_believable_marketplace_once(fresh: Any) -> None:
    env, engine = fresh
    first = twinwork(env, "demo", "--search-events", "3000")
    assert first.returncode == 0, first.stderr
    assert "admin@demo.twinwork.test" in first.stdout
    users, gigs, events = counts(engine)
    assert users >= 25 + 3 + 1 and gigs >= 60 and events == 3000
    assert gigs == sum(len(f.gigs) for f in FREELANCERS)

    statuses = order_statuses(engine)
    assert statuses == [
        "awaiting_requirements",
        "completed",
        "delivered",
        "disputed",
        "in_progress",
    ]

    again = twinwork(env, "demo", "--search-events", "3000")
    assert again.returncode == 0, again.stderr
    assert counts(engine) == (users, gigs, events)
    assert order_statuses(engine) == statuses
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Dispute)) == 1


def test_demo_reviews_move_each_rating_by_their_weight(fresh: Any) -> None:
    env, engine = fresh
    loaded = twinwork(env, "demo", "--search-events", "0")
    assert loaded.returncode == 0, loaded.stderr
    written = reviewed_orders()
    reviewed = {story.freelancer_handle for story in written}
    assert reviewed == {f.handle for f in FREELANCERS if f.review_count}
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Review)) == len(written)
        noor = next(f for f in FREELANCERS if f.handle == "noor-haddad-lyrics")
        stars = [s.review_stars for s in written if s.freelancer_handle == noor.handle]
        profile = conn.execute(
            select(FreelancerProfile.rating, FreelancerProfile.review_count)
            .join(User, User.id == FreelancerProfile.user_id)
            .where(User.email == f"{noor.handle}@demo.twinwork.test")
        ).one()
    expected = (noor.rating * noor.review_count + sum(stars)) / (noor.review_count + len(stars))
    assert profile.review_count == noor.review_count + len(stars)
    assert profile.rating == pytest.approx(expected)

    again = twinwork(env, "demo", "--search-events", "0")
    assert again.returncode == 0, again.stderr
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Review)) == len(written)


def order_statuses(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        # The equity demo's earnings history (past years' orders), the orders behind the
        # written reviews (test_demo_reviews_move_each_rating_by_their_weight) and the custom
        # offer accepted in the inbox (tests/demo/test_conversations.py) are not part of the
        # story.
        stories = select(Order.status).where(
            ~Order.request_key.like("demo-equity-%"),
            ~Order.request_key.like("demo-review-%"),
            ~Order.request_key.like("inbox-offer-%"),
        )
        return sorted(conn.scalars(stories))


def test_demo_search_log_spans_a_year_with_ai_demand_rising(fresh: Any) -> None:
    env, engine = fresh
    twinwork(env, "demo", "--search-events", "3000")
    ai_terms = {
        "ai",
        "agent",
        "comfyui",
        "vibe",
        "lora",
        "fine",
        "chatbot",
        "workflow",
        "model",
    }
    now = datetime.now(UTC)
    with engine.connect() as conn:
        rows = conn.execute(select(SearchEvent.occurred_at, SearchEvent.term)).all()
    times = [r[0] if r[0].tzinfo else r[0].replace(tzinfo=UTC) for r in rows]
    assert min(times) >= now - timedelta(days=366) and min(times) < now - timedelta(days=300)

    def ai_share(start_days: int, end_days: int) -> float:
        window = [
            term
            for when, (_, term) in zip(times, rows, strict=True)
            if now - timedelta(days=start_days) <= when < now - timedelta(days=end_days)
        ]
        ai = [t for t in window if set(t.split()) & ai_terms]
        return len(ai) / max(1, len(window))

    assert ai_share(365, 275) * 2.5 < ai_share(90, 0)


def test_user_create_with_option_and_prompted_password(fresh: Any) -> None:
    env, engine = fresh
    created = twinwork(
        env,
        "user",
        "create",
        "--email",
        "ops@example.test",
        "--role",
        "admin",
        "--password",
        "a long admin passphrase",
    )
    assert created.returncode == 0, created.stderr
    prompted = twinwork(
        env,
        "user",
        "create",
        "--email",
        "both@example.test",
        "--role",
        "buyer",
        "--role",
        "freelancer",
        stdin="another fine passphrase\nanother fine passphrase\n",
    )
    assert prompted.returncode == 0, prompted.stderr + prompted.stdout
    with engine.connect() as conn:
        roles = conn.execute(
            text("SELECT is_buyer, is_freelancer, is_admin FROM users WHERE email = :e"),
            {"e": "both@example.test"},
        ).one()
    assert tuple(bool(v) for v in roles) == (True, True, False)


def test_user_create_refuses_duplicates_and_weak_passwords(fresh: Any) -> None:
    env, engine = fresh
    before = counts(engine)[0]
    twinwork(
        env,
        "user",
        "create",
        "--email",
        "dup@example.test",
        "--role",
        "buyer",
        "--password",
        "a long buyer passphrase",
    )
    duplicate = twinwork(
        env,
        "user",
        "create",
        "--email",
        "dup@example.test",
        "--role",
        "buyer",
        "--password",
        "a long buyer passphrase",
    )
    weak = twinwork(
        env,
        "user",
        "create",
        "--email",
        "weak@example.test",
        "--role",
        "buyer",
        "--password",
        "short",
    )
    assert duplicate.returncode == 1 and "already exists" in duplicate.stdout
    assert weak.returncode == 1 and "at least 10" in weak.stdout
    assert counts(engine)[0] == before + 1


def test_model_train_and_generate_from_the_command_line(fresh: Any) -> None:
    env, engine = fresh
    twinwork(env, "demo", "--search-events", "3000")
    email = "noor-haddad-lyrics@demo.twinwork.test"
    trained = twinwork(env, "model", "train", "--email", email)
    assert trained.returncode == 0, trained.stderr + trained.stdout
    assert "perplexity" in trained.stdout and "is ready" in trained.stdout
    with engine.connect() as conn:
        model_id, status = conn.execute(
            text(
                "SELECT m.id, r.status FROM personal_models m JOIN users u ON u.id = "
                "m.owner_user_id JOIN training_runs r ON r.model_id = m.id WHERE u.email = :e"
            ),
            {"e": email},
        ).one()
        read = conn.scalar(
            text("SELECT count(*) FROM data_use_records WHERE model_id = :m"), {"m": model_id}
        )
    assert status == "succeeded"
    assert read == 8  # the demo portfolio's eight consented samples, each read once

    generated = twinwork(
        env, "model", "generate", "--model", str(model_id), "--brief", "A song about trains"
    )
    assert generated.returncode == 0, generated.stderr
    assert generated.stdout.strip()


def test_model_train_explains_what_is_missing(fresh: Any) -> None:
    env, _ = fresh
    nobody = twinwork(env, "model", "train", "--email", "nobody@example.test")
    assert nobody.returncode == 1 and "There is no account" in nobody.stdout
    twinwork(
        env,
        "user",
        "create",
        "--email",
        "empty@example.test",
        "--role",
        "freelancer",
        "--password",
        "a long enough passphrase",
    )
    empty = twinwork(env, "model", "train", "--email", "empty@example.test")
    assert empty.returncode == 1 and "Join the creation program" in empty.stdout
    missing = twinwork(env, "model", "generate", "--model", "999999", "--brief", "x")
    assert missing.returncode == 1 and "no model 999999" in missing.stdout


def test_demo_queues_its_models_training_priced_per_package(backends: Backends) -> None:
    """`make run` shows the AI offer live: the demo gives two demo freelancers a priced model
    and queues its training for the server's job consumer; nothing is on sale before it ends."""
    url = backends.new_database_url("twinwork_cli_demo_models")
    env = {**os.environ, "TWINWORK_DATABASE_URL": url, "TWINWORK_DEMO_TRAIN_MODELS": "true"}
    assert twinwork(env, "migrate").returncode == 0
    loaded = twinwork(env, "demo", "--search-events", "0")
    assert loaded.returncode == 0, loaded.stderr
    again = twinwork(env, "demo", "--search-events", "0")
    assert again.returncode == 0, again.stderr
    engine = sync_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT u.email, m.price_amount, m.refinement_price_amount, m.is_active, "
                    "r.status FROM personal_models m JOIN users u ON u.id = m.owner_user_id "
                    "JOIN training_runs r ON r.model_id = m.id ORDER BY u.email"
                )
            ).all()
            priced = conn.execute(
                text(
                    "SELECT p.price_amount, p.ai_price_amount, p.hybrid_price_amount "
                    "FROM gig_packages p JOIN gigs g ON g.id = p.gig_id JOIN users u "
                    "ON u.id = g.freelancer_id WHERE u.email LIKE 'noor-haddad-lyrics@%'"
                )
            ).all()
    finally:
        engine.dispose()
    # One queued run each, however often the demo is loaded; on sale only once trained.
    assert [(r[0].split("@")[0], r[3], r[4]) for r in rows] == [
        ("ines-marchetti-copy", False, "queued"),
        ("noor-haddad-lyrics", False, "queued"),
    ]
    assert all(r[1] and r[2] for r in rows)
    # Each package's AI and hybrid prices grow with the package, as a freelancer sets them:
    # not one price under every package.
    assert priced and all(ai < hybrid < price for price, ai, hybrid in priced)
    assert len({ai for _, ai, _ in priced}) > 1
