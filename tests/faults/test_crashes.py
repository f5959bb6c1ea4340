"""Processes killed at the worst moment, for real (SIGKILL at a named crash point, see
``kit.faults``): the web process after the card network took a buyer's money and before the
wallet was credited, the worker after a renewal charge, after a payout transfer, and the web
process after an erasure was committed but before the files were deleted. After a restart and
the recovery jobs every charge is recorded once, nothing is charged twice, the ledger balances
and the erasure is complete.

The sandbox provider keeps its answers in a journal in the data dir, as a real card network
keeps them outside our processes: the tests read it to count what was charged."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.account.factories import PASSWORD
from tests.backends import Backends, free_port
from twinwork.billing.provider import SANDBOX_JOURNAL
from twinwork.kit.faults import CRASH_AT

ROOT = Path(__file__).resolve().parents[2]
CARD = "4242424242424242"
KILLED = -signal.SIGKILL


class Product:
    """One fresh database and data dir, and the processes run against them."""

    def __init__(self, env: dict[str, str], data_dir: Path) -> None:
        self.env = env
        self.data_dir = data_dir
        self.server: subprocess.Popen[bytes] | None = None
        self.url = ""

    def run(self, *args: str, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {**self.env, **({CRASH_AT: crash_at} if crash_at else {})}
        return subprocess.run(
            [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=180
        )

    def driver(self, *args: str, crash_at: str | None = None) -> Any:
        """Run driver steps (joined by "+") in one process; the last step's result, or all
        of them when there are several."""
        done = self.run("-m", "tests.faults.driver", *args, crash_at=crash_at)
        if crash_at:
            assert done.returncode == KILLED, (done.returncode, done.stderr[-2000:])
            return None
        assert done.returncode == 0, done.stderr[-2000:]
        results = json.loads(done.stdout.strip().splitlines()[-1])
        return results if len(results) > 1 else results[0]

    def serve(self, crash_at: str | None = None) -> None:
        self.stop()
        port = free_port()
        env = {**self.env, **({CRASH_AT: crash_at} if crash_at else {})}
        self.server = subprocess.Popen(
            [sys.executable, "-m", "twinwork", "serve", "--host", "127.0.0.1", "--port", str(port)]
            + ["--no-worker"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.3)
        raise AssertionError("twinwork serve did not come up in 60 s")

    def died_of_sigkill(self) -> bool:
        assert self.server is not None
        return self.server.wait(timeout=30) == KILLED

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        self.server = None

    def api(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
        headers = {**kwargs.pop("headers", {})}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.request(method, f"{self.url}{path}", headers=headers, timeout=60, **kwargs)

    def sign_up(self, roles: tuple[str, ...] = ("buyer",)) -> tuple[str, str]:
        email = f"{roles[0]}-{uuid.uuid4().hex[:10]}@example.com"
        response = self.api(
            "POST",
            "/api/v1/auth/signup",
            json={
                "email": email,
                "password": PASSWORD,
                "display_name": "Crash Tester",
                "roles": list(roles),
            },
        )
        assert response.status_code == 201, response.text
        return email, response.json()["token"]

    def provider_answers(self) -> list[tuple[str, int, int | None]]:
        """(idempotency key, succeeded, amount) of everything the sandbox was asked to do."""
        with sqlite3.connect(self.data_dir / SANDBOX_JOURNAL) as conn:
            return conn.execute(
                "SELECT idempotency_key, succeeded, amount FROM answers ORDER BY created_at"
            ).fetchall()

    def books(self) -> dict[str, Any]:
        books = self.driver("books")
        assert books["balanced"] and books["total"] == 0, books
        return books


@pytest.fixture
def product(backends: Backends, tmp_path: Path) -> Iterator[Product]:
    data_dir = tmp_path / "data"
    env = {
        **os.environ,
        "TWINWORK_DATABASE_URL": backends.new_database_url(f"faults_{uuid.uuid4().hex[:8]}"),
        "TWINWORK_DATA_DIR": str(data_dir),
        "TWINWORK_EARNINGS_CLEARING_DAYS": "0",
        "TWINWORK_WARM_UP_MODELS": "false",  # no base model needed: start in a second
        "COLUMNS": "200",
    }
    env.pop(CRASH_AT, None)
    if env.get("TWINWORK_STORAGE_URL", "").startswith("s3://"):
        # The tests' bucket, under a prefix of this product's own: its model 1 is not theirs.
        env["TWINWORK_STORAGE_URL"] = (
            env["TWINWORK_STORAGE_URL"].rstrip("/") + f"/{data_dir.parent.name}"
        )
    made = Product(env, data_dir)
    migrated = made.run("-m", "twinwork", "migrate")
    assert migrated.returncode == 0, migrated.stderr
    try:
        yield made
    finally:
        made.stop()


def top_up(product: Product, token: str, key: str, amount: int = 2500) -> httpx.Response:
    return product.api(
        "POST",
        "/api/v1/wallet/top-ups",
        token,
        json={"amount": amount, "card_number": CARD},
        headers={"Idempotency-Key": key},
    )


def balance(product: Product, token: str) -> int:
    return int(product.api("GET", "/api/v1/wallet", token).json()["balance_amount"])


def test_web_killed_after_the_charge_then_the_buyer_retries(product: Product) -> None:
    product.serve()
    _, token = product.sign_up()
    product.serve(crash_at="wallet.top_up.charged")
    with pytest.raises(httpx.TransportError):
        top_up(product, token, "buy-credit-1")
    assert product.died_of_sigkill()
    [(_, succeeded, amount)] = product.provider_answers()  # the card was charged...
    assert (succeeded, amount) == (1, 2500)

    product.serve()
    assert balance(product, token) == 0  # ...and nothing recorded yet
    retried = top_up(product, token, "buy-credit-1")
    assert retried.status_code == 201, retried.text
    assert retried.json()["payment"]["status"] == "succeeded"
    again = top_up(product, token, "buy-credit-1")
    assert again.json()["payment"]["id"] == retried.json()["payment"]["id"]
    assert balance(product, token) == 2500
    assert len(product.provider_answers()) == 1  # charged once, whatever was retried
    assert product.books()["payments"] == {"succeeded": 1}


def test_web_killed_after_the_charge_and_the_buyer_never_returns(product: Product) -> None:
    product.serve()
    _, token = product.sign_up()
    product.serve(crash_at="wallet.top_up.charged")
    with pytest.raises(httpx.TransportError):
        top_up(product, token, "walked-away")
    assert product.died_of_sigkill()

    # The job looks the charge up and records it; its next run finds nothing left to do.
    assert product.driver("finish-top-ups", "+", "finish-top-ups") == [["succeeded"], []]
    product.serve()
    assert balance(product, token) == 2500
    assert len(product.provider_answers()) == 1
    assert product.books()["payments"] == {"succeeded": 1}


def test_worker_killed_after_a_renewal_charge(product: Product) -> None:
    product.serve()
    email, token = product.sign_up(("freelancer",))
    product.driver("admit", email)
    joined = product.api("POST", "/api/v1/subscriptions", token, json={"card_number": CARD})
    assert joined.status_code == 201, joined.text
    assert len(product.provider_answers()) == 1  # the first month

    product.driver("renew", "31", crash_at="program.charge.charged")
    assert len(product.provider_answers()) == 2  # the second month, charged, unrecorded

    # The next runs of the jobs: the renewal repeats its charge under the same key (the
    # provider answers with the first charge) or the finisher looks it up; either way once.
    product.driver("renew", "31", "+", "finish-invoices", "31")
    answers = product.provider_answers()
    assert len(answers) == 2 and all(ok == 1 for _, ok, _ in answers)
    assert product.books()["invoices"] == {"paid": 2}
    current = product.api("GET", "/api/v1/subscriptions/current", token).json()
    assert current["status"] == "active"


def test_worker_killed_after_a_payout_transfer(product: Product) -> None:
    product.serve()
    email, token = product.sign_up(("freelancer",))
    product.driver("sale", email, "5000")
    requested = product.api("POST", "/api/v1/payouts", token, json={"amount": 2000})
    assert requested.status_code == 201, requested.text
    payout_id = str(requested.json()["id"])

    product.driver("send-payout", payout_id, crash_at="payout.transferred")
    assert [amount for _, _, amount in product.provider_answers()] == [-2000]
    assert product.driver("finish-payouts", "+", "finish-payouts") == [["paid"], []]
    assert [amount for _, _, amount in product.provider_answers()] == [-2000]  # one transfer
    earnings = product.api("GET", "/api/v1/earnings", token).json()
    assert (earnings["available_amount"], earnings["in_transit_amount"]) == (2000, 0)
    assert product.books()["payouts"] == {"paid": 1}


def test_web_killed_between_the_erasure_commit_and_the_file_deletion(product: Product) -> None:
    product.serve()
    email, token = product.sign_up(("freelancer",))
    stored = product.driver("stored-model", email)
    model_id, url = stored["row_id"], f"/api/v1/models/{stored['public_id']}"
    prefix = f"models/{model_id}/"
    assert product.driver("objects", prefix)

    product.serve(crash_at="erasure.committed")
    with pytest.raises(httpx.TransportError):
        product.api("DELETE", url, token)
    assert product.died_of_sigkill()
    assert product.driver("objects", prefix)  # committed, files still there

    finished = product.driver("finish-erasures", "+", "objects", prefix, "+", "finish-erasures")
    assert finished == [[model_id], [], []]
    product.serve()
    receipt = product.api("GET", f"{url}/erasure-receipt", token)
    assert receipt.status_code == 200, receipt.text
    model = product.api("GET", url, token).json()
    assert model["status"] == "erased"
