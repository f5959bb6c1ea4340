"""Schemathesis against ``/openapi.json`` of a real ``twinwork serve``: every operation of the
document, with a bounded number of generated requests each, sent anonymously and as a buyer,
a freelancer and an operator. No answer may be a 5xx, and every answer must be one the
document declares for that operation, with the declared media type and a body that validates
against the declared schema: a client generated from the document can trust it.

The operations that revoke the caller's own credentials (sign out, revoke a token, sign out
everywhere) are left out: one generated call would sign the rest of the run out.

``TWINWORK_SCHEMATHESIS_EXAMPLES`` sets the examples per operation and role (default 3: about
two minutes on two cores).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import checks

from tests.account.factories import PASSWORD
from tests.backends import Backends
from tests.catalog.factories import gig_payload
from tests.faults.test_crashes import Product

EXAMPLES = int(os.environ.get("TWINWORK_SCHEMATHESIS_EXAMPLES", "3"))
EXCLUDED = {
    ("DELETE", "/api/v1/auth/token"),
    ("DELETE", "/api/v1/auth/tokens/{token_id}"),
    ("POST", "/api/v1/auth/sign-out-everywhere"),
}
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture(scope="module")
def server(backends: Backends, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    data_dir = tmp_path_factory.mktemp("schemathesis") / "data"
    env = {
        **os.environ,
        "TWINWORK_DATABASE_URL": backends.new_database_url(f"fuzz_{uuid.uuid4().hex[:8]}"),
        "TWINWORK_DATA_DIR": str(data_dir),
        "TWINWORK_WARM_UP_MODELS": "false",
        "TWINWORK_LOGIN_RATE_LIMIT": "100000/minute",
        "TWINWORK_SIGNUP_RATE_LIMIT": "100000/minute",
        # Webhooks configured, so a forged one meets the signature check (a 400), not the
        # deliberate 503 of a server without the secret.
        "TWINWORK_STRIPE_WEBHOOK_SECRET": "whsec_fuzz_not_a_real_secret",
    }
    if env.get("TWINWORK_STORAGE_URL", "").startswith("s3://"):
        env["TWINWORK_STORAGE_URL"] = env["TWINWORK_STORAGE_URL"].rstrip("/") + "/fuzz"
    # Its own queue and counters: the jobs it enqueues name rows of its own database, and
    # no other test's worker may pick them up.
    env["TWINWORK_RATE_LIMIT_STORAGE_URL"] = "memory://"
    if env.get("TWINWORK_QUEUE_URL", "").startswith("redis://"):
        env["TWINWORK_QUEUE_URL"] = env["TWINWORK_QUEUE_URL"].rsplit("/", 1)[0] + "/7"
    product = Product(env, data_dir)
    migrated = product.run("-m", "twinwork", "migrate")
    assert migrated.returncode == 0, migrated.stderr
    product.serve()
    try:
        yield product
    finally:
        product.stop()


@pytest.fixture(scope="module")
def tokens(server: Product) -> dict[str, dict[str, str]]:
    """Auth headers per role, with a little data for generated ids to find: a published gig,
    a funded buyer and an order of that gig."""
    _, buyer = server.sign_up(("buyer",))
    _, freelancer = server.sign_up(("freelancer",))
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    made = server.run(
        "-m", "twinwork", "user", "create", "--email", email, "--role", "admin",
        "--password", PASSWORD, "--name", "Fuzz Operator",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    signed_in = server.api(
        "POST", "/api/v1/auth/token", json={"email": email, "password": PASSWORD}
    )
    assert signed_in.status_code in (200, 201), signed_in.text
    admin = signed_in.json()["token"]
    gig = server.api("POST", "/api/v1/gigs", freelancer, json=gig_payload())
    assert gig.status_code == 201, gig.text
    topped = server.api(
        "POST",
        "/api/v1/wallet/top-ups",
        buyer,
        json={"amount": 20_000, "card_number": "4242424242424242"},
        headers={"Idempotency-Key": "fuzz-seed"},
    )
    assert topped.status_code == 201, topped.text
    ordered = server.api(
        "POST",
        "/api/v1/orders",
        buyer,
        json={"gig_id": gig.json()["id"], "package": "basic", "brief": "A logo"},
        headers={"Idempotency-Key": "fuzz-order"},
    )
    assert ordered.status_code == 201, ordered.text
    return {
        "anonymous": {},
        "buyer": {"Authorization": f"Bearer {buyer}"},
        "freelancer": {"Authorization": f"Bearer {freelancer}"},
        "admin": {"Authorization": f"Bearer {admin}"},
    }


def _run_operation(operation: Any, base_url: str, headers: dict[str, str]) -> None:
    @hypothesis.given(case=operation.as_strategy())
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS, timeout=60)

    run()


@pytest.mark.parametrize("role", ["anonymous", "buyer", "freelancer", "admin"])
def test_every_operation_answers_as_declared(
    server: Product, tokens: dict[str, dict[str, str]], role: str
) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    failures: list[str] = []
    ran = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in EXCLUDED:
            continue
        ran += 1
        try:
            _run_operation(operation, server.url, tokens[role])
        except (Exception, BaseExceptionGroup) as exc:  # record it, go on to the next
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:1500])
    assert ran > 50
    assert not failures, f"{len(failures)} of {ran} operations as {role}:\n" + "\n\n".join(failures)
