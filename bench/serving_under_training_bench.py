"""Gig page latency while demo models train: jobs inside the web process (before) against the
job worker process at a lower CPU priority (after, the default), in one run.

For each configuration a fresh copy of one demo installation (migrated, demo data loaded, no
model trained yet) is served by a real `twinwork serve` on 127.0.0.1. The bench times one gig
page, requested one after another with a short pause, first while nothing trains (idle), then
from the moment `twinwork demo` queues the two demo models' training until both runs end
(the job consumer trains both at once, as on a fresh `make run`). Reported: p50 and p95 of the
page's latency idle and under training, the training runs' wall time, and the ratios after /
before. Both configurations train the same plan (``--max-steps`` caps it for a quick run).

Usage: `python -m bench.serving_under_training_bench [--max-steps 30] [--configs before,after]`
The machine's other load counts: on a shared machine run it when it is quiet, or read the
idle figures beside the training ones.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
CONFIGS: dict[str, dict[str, str]] = {
    # As before: the job consumer's threads inside the web process, at its priority.
    "before": {"TWINWORK_JOBS_IN_WEB_PROCESS": "true", "TWINWORK_TRAINING_NICE": "0"},
    # The default now: `twinwork serve` starts a `twinwork worker` process at nice 10.
    "after": {},
}
PAUSE_SECONDS = 0.25


@dataclass
class Result:
    config: str
    idle_p50_ms: float
    idle_p95_ms: float
    idle_samples: int
    training_p50_ms: float
    training_p95_ms: float
    training_max_ms: float
    training_samples: int
    training_seconds: float
    """From the first run's start to the last run's end."""
    runs: list[str]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(data_dir: Path, max_steps: int, extra: dict[str, str]) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TWINWORK_DATABASE", "TWINWORK_QUEUE", "TWINWORK_STORAGE"))
    }
    env.update(
        {
            "TWINWORK_DATA_DIR": str(data_dir),
            "TWINWORK_MODEL_CACHE_DIR": str(REPO_ROOT / "var" / "test-models"),
            "TWINWORK_TRAINING_MAX_STEPS": str(max_steps),
            # The engine is not on the gig page: its warm-up would only add noise at start.
            "TWINWORK_WARM_UP_MODELS": "false",
            "TWINWORK_SECRET_KEY": "bench-secret-key",
            **extra,
        }
    )
    return env


def _twinwork(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "twinwork", *args],
        env=env,
        cwd=REPO_ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=900,
    )


def _runs(db: Path) -> list[tuple[str, str | None, str | None]]:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)) as conn:
        return conn.execute(
            "SELECT status, started_at, finished_at FROM training_runs ORDER BY id"
        ).fetchall()


def _gig_path(client: httpx.Client) -> str:
    """The oldest listed gig's page, by the public id the API answers (a row id from the
    database names nothing in a URL)."""
    listing = client.get("/api/v1/gigs").raise_for_status().json()
    if listing["pages"] > 1:
        listing = client.get("/api/v1/gigs", params={"page": listing["pages"]}).json()
    return f"/gigs/{listing['items'][-1]['id']}"


def _time(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed


def measure(
    name: str,
    template: Path,
    max_steps: int,
    idle: int,
    cap_seconds: float,
    settle_seconds: float = 15.0,
) -> Result:
    work = Path(tempfile.mkdtemp(prefix=f"twinwork-bench-{name}-"))
    data_dir = work / "data"
    shutil.copytree(template, data_dir)
    env = _env(data_dir, max_steps, CONFIGS[name])
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "twinwork", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=(work / "server.log").open("wb"),
    )
    db = data_dir / "twinwork.db"
    try:
        # A new connection per request: a kept-alive one may be closed by the server (its
        # keep-alive timeout) just as the next request goes out, which is no page's latency.
        no_keepalive = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", timeout=60, limits=no_keepalive
        ) as client:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"twinwork serve did not come up (see {work})")
                time.sleep(0.3)
            path = _gig_path(client)
            # The job worker process starts beside the server (imports, first queue poll):
            # idle means after that.
            time.sleep(settle_seconds)
            for _ in range(3):  # templates compiled, connections open
                _time(client, path)
            idle_ms = []
            for _ in range(idle):
                idle_ms.append(_time(client, path))
                time.sleep(PAUSE_SECONDS)

            _twinwork(env, "demo", "--search-events", "0")  # queues the two models' training
            training_ms: list[float] = []
            started = time.monotonic()
            while time.monotonic() - started < cap_seconds:
                runs = _runs(db)
                if runs and all(status not in ("queued", "running") for status, *_ in runs):
                    break
                if any(status == "running" for status, *_ in runs):
                    training_ms.append(_time(client, path))
                time.sleep(PAUSE_SECONDS)
            runs = _runs(db)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    starts = [s for _, s, _ in runs if s]
    ends = [f for _, _, f in runs if f]
    seconds = float("nan")
    if starts and ends:
        from datetime import datetime

        seconds = (
            max(datetime.fromisoformat(f) for f in ends)
            - min(datetime.fromisoformat(s) for s in starts)
        ).total_seconds()
    shutil.rmtree(work, ignore_errors=True)
    return Result(
        config=name,
        idle_p50_ms=statistics.median(idle_ms),
        idle_p95_ms=_percentile(idle_ms, 0.95),
        idle_samples=len(idle_ms),
        training_p50_ms=statistics.median(training_ms) if training_ms else float("nan"),
        training_p95_ms=_percentile(training_ms, 0.95),
        training_max_ms=max(training_ms, default=float("nan")),
        training_samples=len(training_ms),
        training_seconds=seconds,
        runs=[status for status, *_ in runs],
    )


def make_template(max_steps: int) -> Path:
    template = Path(tempfile.mkdtemp(prefix="twinwork-bench-template-")) / "data"
    env = _env(template, max_steps, {})
    _twinwork(env, "migrate")
    _twinwork(env, "demo", "--search-events", "500", "--no-train-models")
    return template


def main(argv: list[str] | None = None) -> list[Result]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-steps", type=int, default=30)
    parser.add_argument("--idle", type=int, default=30, help="idle requests per configuration")
    parser.add_argument("--cap-seconds", type=float, default=600)
    parser.add_argument("--settle-seconds", type=float, default=15)
    parser.add_argument("--configs", default="before,after")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.configs.split(",") if n.strip()]
    unknown = sorted(set(names) - set(CONFIGS))
    if unknown:
        parser.error(f"unknown configuration(s) {unknown}; known: {sorted(CONFIGS)}")
    template = make_template(args.max_steps)
    try:
        results = [
            measure(n, template, args.max_steps, args.idle, args.cap_seconds, args.settle_seconds)
            for n in names
        ]
    finally:
        shutil.rmtree(template.parent, ignore_errors=True)
    print(
        f"{'config':<8} {'idle p50':>9} {'idle p95':>9} {'train p50':>10} {'train p95':>10} "
        f"{'train max':>10} {'samples':>8} {'training s':>11}  runs"
    )
    for r in results:
        print(
            f"{r.config:<8} {r.idle_p50_ms:>9.0f} {r.idle_p95_ms:>9.0f} {r.training_p50_ms:>10.0f} "
            f"{r.training_p95_ms:>10.0f} {r.training_max_ms:>10.0f} {r.training_samples:>8} "
            f"{r.training_seconds:>11.1f}  {','.join(r.runs)}"
        )
    by_name = {r.config: r for r in results}
    if "before" in by_name and "after" in by_name:
        before, after = by_name["before"], by_name["after"]
        p50 = after.training_p50_ms / before.training_p50_ms
        p95 = after.training_p95_ms / before.training_p95_ms
        slower = after.training_seconds / before.training_seconds
        print(
            f"under training, after / before: p50 {p50:.2f}, p95 {p95:.2f}; "
            f"training time {slower:.2f}"
        )
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))
    return results


if __name__ == "__main__":
    main()
