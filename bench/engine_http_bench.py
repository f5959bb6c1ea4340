"""Eight buyers previewing eight freelancers' models at once, through the HTTP API.

(2) A real ``twinwork serve`` on 127.0.0.1 (embedded SQLite, a temporary data dir, the
    converted base from the model cache) with eight freelancers who each trained a small
    text model through the API (the real job, ``--steps`` optimizer steps, their own
    samples), approved, priced and switched it on. Eight buyers then post a preview each, all
    at once, each to a different model (``POST /api/v1/models/{id}/generations``, the same
    brief and length), for ``--rounds`` rounds after one untimed warm-up preview. Timed twice in
    the same run, on the same data dir: the server as shipped (the engine batches all eight
    rows, each with its own adapter) and restarted with ``TWINWORK_GENERATION_CONCURRENCY=1``,
    which serves one request at a time as the engine the batching one replaced did (without
    its per-switch merge, so the serialised figure flatters the old path). Tokens are counted
    by buying each preview and tokenizing the text with the base's tokenizer. Printed per
    mode: aggregate tokens/s (all rounds' tokens over their wall time), latency p50/p95 of the
    previews, and the ratio batched / serialised.
Usage: ``python -m bench.engine_http_bench [--buyers 8] [--rounds 2] [--steps 2]
[--words 40]``. Loopback only; every server it starts is stopped by its PID.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-password-2026"
CARD = "4242 4242 4242 4242"
BRIEF = "Lyrics about the harbour at night, the ferry lights and the gulls"
SAMPLES = (
    "Neon rain on the harbour wall, I keep your letters in a paper boat; "
    "the tide can take the rest of it, but not the song you wrote.",
    "Sell the van, keep the guitar, the road was only ever borrowed; "
    "we sang the chorus twice as loud to drown out all tomorrow.",
    "Morning coffee, kitchen radio, your laugh in the static between stations; "
    "I would trade the whole bright city for one of those small conversations.",
    "Paper lanterns on the fire escape, the summer hums in minor keys; "
    "I count the windows still awake and every one of them is me.",
)


class Server:
    """``twinwork serve`` in a data dir of the bench's own, restartable with other settings."""

    def __init__(self, root: Path, model_cache: Path, steps: int) -> None:
        self.root = root
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TWINWORK_")}
        self.env.update(
            {
                "TWINWORK_DATA_DIR": str(root / "data"),
                "TWINWORK_MODEL_CACHE_DIR": str(model_cache),
                "TWINWORK_TRAINING_MAX_STEPS": str(steps),
                "TWINWORK_EVALUATION_BRIEFS": "1",
                "TWINWORK_EVALUATION_MAX_NEW_TOKENS": "8",
                "TWINWORK_LOGIN_RATE_LIMIT": "100000/minute",
                "TWINWORK_SIGNUP_RATE_LIMIT": "100000/minute",
                "TWINWORK_FREE_PREVIEWS_PER_DAY": "100000",
                # Both modes start the same way: the untimed first preview loads the text base,
                # and nothing else (the other modalities' bases, the assistant's encoder) loads
                # in the background while a mode is timed.
                "TWINWORK_WARM_UP_MODELS": "false",
            }
        )
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def cli(self, *args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "twinwork", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            raise RuntimeError(done.stdout[-1000:] + done.stderr[-2000:])

    def start(self, **settings: str) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        log = (self.root / "server.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own CLI, loopback only
            [sys.executable, "-m", "twinwork", "serve", "--port", str(port)],
            env={**self.env, **settings},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.5)
        raise RuntimeError("the server did not come up; see " + str(self.root / "server.log"))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@dataclass
class Market:
    model_ids: list[str]  # public ids, as the API answers them
    buyers: list[dict[str, str]]
    train_seconds: float


@dataclass
class Mode:
    label: str
    rounds: list[float] = field(default_factory=list)
    """Wall time of each timed round (first post -> last answer)."""
    latencies: list[float] = field(default_factory=list)
    tokens: int = 0


def _expect(response: httpx.Response, *codes: int) -> dict[str, Any]:
    if response.status_code not in codes:
        raise RuntimeError(f"{response.request.method} {response.request.url}: {response.text}")
    return response.json() if response.content else {}


async def _token(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    got = _expect(
        await client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD}),
        200,
        201,
    )
    return {"Authorization": f"Bearer {got['token']}"}


async def _sign_up(client: httpx.AsyncClient, name: str, role: str) -> tuple[str, dict[str, str]]:
    email = f"bench-{role}-{uuid.uuid4().hex[:8]}@example.test"
    body = {"email": email, "password": PASSWORD, "display_name": name, "roles": [role]}
    got = _expect(await client.post("/api/v1/auth/signup", json=body), 201)
    return email, {"Authorization": f"Bearer {got['token']}"}


async def _freelancer_model(
    client: httpx.AsyncClient, admin: dict[str, str], index: int
) -> tuple[str, str, dict[str, str]]:
    """A freelancer in the program with a model in training; returns (model, run, headers)."""
    email, headers = await _sign_up(client, f"Bench Writer {index}", "freelancer")
    _expect(
        await client.post(
            "/api/v1/admin/program/invitations", json={"email": email}, headers=admin
        ),
        201,
    )
    _expect(
        await client.post("/api/v1/subscriptions", json={"card_number": CARD}, headers=headers), 201
    )
    for n, text in enumerate(SAMPLES):
        sample = {
            "kind": "text",
            "title": f"Verse {n + 1}",
            "content": f"{text} (writer {index}, take {n + 1})",
            "category": "song-lyrics",
            "ownership_attested": True,
            "consent_to_train": True,
        }
        _expect(await client.post("/api/v1/portfolio/samples", json=sample, headers=headers), 201)
    model = _expect(
        await client.post(
            "/api/v1/models", json={"name": f"Writer {index}'s lyrics"}, headers=headers
        ),
        201,
    )
    run = _expect(
        await client.post(f"/api/v1/models/{model['id']}/training-runs", headers=headers), 202
    )
    return str(model["id"]), str(run["id"]), headers


async def _publish(
    client: httpx.AsyncClient, model_id: str, run_id: str, headers: dict[str, str]
) -> None:
    deadline = time.monotonic() + 1800
    while True:
        run = _expect(await client.get(f"/api/v1/training-runs/{run_id}", headers=headers), 200)
        if run["status"] == "succeeded":
            break
        if run["status"] in ("failed", "cancelled") or time.monotonic() > deadline:
            raise RuntimeError(f"training run {run_id} ended {run['status']}: {run}")
        await asyncio.sleep(2)
    version = run["version_id"]
    _expect(
        await client.post(f"/api/v1/models/{model_id}/versions/{version}/approve", headers=headers),
        200,
    )
    price = {"price_amount": 100, "currency": "USD", "license": {"scope": "commercial"}}
    _expect(await client.patch(f"/api/v1/models/{model_id}", json=price, headers=headers), 200)
    _expect(await client.post(f"/api/v1/models/{model_id}/activate", headers=headers), 200)


async def build_market(server: Server, buyers: int) -> Market:
    admin_email = f"bench-admin-{uuid.uuid4().hex[:6]}@example.test"
    await asyncio.to_thread(
        server.cli, "user", "create", "--email", admin_email, "--role", "admin",
        "--password", PASSWORD, "--name", "Bench Operator",
    )  # fmt: skip
    async with httpx.AsyncClient(base_url=server.url, timeout=600) as client:
        admin = await _token(client, admin_email)
        started = time.perf_counter()
        made = [await _freelancer_model(client, admin, i) for i in range(buyers)]
        await asyncio.gather(*(_publish(client, *one) for one in made))
        train_seconds = time.perf_counter() - started
        buyer_headers = []
        for i in range(buyers):
            _, headers = await _sign_up(client, f"Bench Buyer {i}", "buyer")
            top_up = {"amount": 100_000, "card_number": CARD}
            _expect(await client.post("/api/v1/wallet/top-ups", json=top_up, headers=headers), 201)
            buyer_headers.append(headers)
    return Market([m for m, _, _ in made], buyer_headers, train_seconds)


async def _preview(
    client: httpx.AsyncClient, model_id: str, headers: dict[str, str], words: int
) -> tuple[float, str]:
    body = {"brief": BRIEF, "text": {"words": words}}
    started = time.perf_counter()
    got = _expect(
        await client.post(f"/api/v1/models/{model_id}/generations", json=body, headers=headers),
        201,
    )
    return time.perf_counter() - started, str(got["id"])


async def measure(server: Server, market: Market, mode: Mode, rounds: int, words: int) -> list[str]:
    """One untimed warm-up preview (the server loads its base model on start), then
    ``rounds`` timed rounds of every buyer at once; returns the timed generations."""
    generations: list[str] = []
    limits = httpx.Limits(max_connections=64)
    async with httpx.AsyncClient(base_url=server.url, timeout=3600, limits=limits) as client:
        await _preview(client, market.model_ids[0], market.buyers[0], 10)
        for _ in range(rounds):
            started = time.perf_counter()
            answers = await asyncio.gather(
                *(
                    _preview(client, model_id, headers, words)
                    for model_id, headers in zip(market.model_ids, market.buyers, strict=True)
                )
            )
            wall = time.perf_counter() - started
            mode.rounds.append(wall)
            mode.latencies.extend(latency for latency, _ in answers)
            generations.extend(generation for _, generation in answers)
    return generations


async def count_tokens(
    server: Server, market: Market, generations: list[str], tokenizer: Any
) -> int:
    """Buy each timed preview (untimed) and count the tokens of its text."""
    total = 0
    buyers = market.buyers * (len(generations) // len(market.buyers) + 1)
    async with httpx.AsyncClient(base_url=server.url, timeout=120) as client:
        for generation, headers in zip(generations, buyers, strict=False):
            bought = _expect(
                await client.post(
                    f"/api/v1/generations/{generation}/purchase",
                    headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
                ),
                200,
            )
            total += len(tokenizer(bought["text"], add_special_tokens=False)["input_ids"])
    return total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


async def run(args: argparse.Namespace, model_cache: Path, work: Path) -> None:
    from twinwork.ml.text import ensure_base_model
    from twinwork.ml.text.loading import load_tokenizer

    tokenizer = load_tokenizer(ensure_base_model(model_cache))
    server = Server(work, model_cache, args.steps)
    await asyncio.to_thread(server.cli, "migrate")
    modes = [Mode("engine, batched (as shipped)"), Mode("serialised, one at a time")]
    settings = [{}, {"TWINWORK_GENERATION_CONCURRENCY": "1"}]
    try:
        await asyncio.to_thread(server.start)
        market = await build_market(server, args.buyers)
        for index, (mode, extra) in enumerate(zip(modes, settings, strict=True)):
            if index:
                await asyncio.to_thread(server.stop)
                await asyncio.to_thread(server.start, **extra)
            generations = await measure(server, market, mode, args.rounds, args.words)
            mode.tokens = await count_tokens(server, market, generations, tokenizer)
    finally:
        await asyncio.to_thread(server.stop)
    import torch

    print(
        f"HTTP previews: {args.buyers} buyers at once, each on a different freelancer's model "
        f"(trained through the API, {args.steps} steps each, {market.train_seconds:.0f} s for "
        f"all {args.buyers}), `twinwork serve` on 127.0.0.1, embedded SQLite; brief asks "
        f"{args.words} words; {args.rounds} timed rounds per mode after a warm-up preview; "
        f"{os.cpu_count()} CPUs, torch threads {torch.get_num_threads()} here"
    )
    print(f"  {'mode':<32} {'tokens':>7} {'wall s':>7} {'tok/s':>7} {'p50 s':>7} {'p95 s':>7}")
    rates = []
    for mode in modes:
        wall = sum(mode.rounds)
        rate = mode.tokens / wall
        rates.append(rate)
        print(
            f"  {mode.label:<32} {mode.tokens:>7} {wall:>7.1f} {rate:>7.1f} "
            f"{statistics.median(mode.latencies):>7.2f} {percentile(mode.latencies, 0.95):>7.2f}"
        )
    p95 = [percentile(mode.latencies, 0.95) for mode in modes]
    print(
        f"  batched / serialised: aggregate throughput {rates[0] / rates[1]:.2f}x, "
        f"p95 latency {p95[1] / p95[0]:.2f}x lower"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--buyers", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--words", type=int, default=40)
    args = parser.parse_args(argv)
    data_dir = Path(os.environ.get("TWINWORK_DATA_DIR", "var")).resolve()
    model_cache = Path(os.environ.get("TWINWORK_MODEL_CACHE_DIR") or data_dir / "models")
    model_cache = model_cache.resolve()
    work = Path(tempfile.mkdtemp(prefix="twinwork-http-bench-"))
    try:
        asyncio.run(run(args, model_cache, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
