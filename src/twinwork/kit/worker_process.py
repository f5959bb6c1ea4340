"""The job worker beside the web process, and the CPU it may take from serving.

Training a personal model keeps every core busy for tens of seconds. Inside the web process it
slowed every page (gig and order pages went from 0.1-0.6 s to about 1.5 s): the same cores, the
same priority. So ``twinwork serve`` runs the jobs in a process of its own (``twinwork worker``)
at a lower CPU priority (``nice``): when a page and a training step both want a core, the page
gets it; when nobody browses, training has every core. Its torch threads are bounded
(``TWINWORK_TRAINING_THREADS``) before torch is first imported.

The worker started by ``serve`` watches its parent: if the server dies without stopping it
(SIGKILL), the worker stops too instead of training on as an orphan.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time

log = logging.getLogger(__name__)

PARENT_ENV = "TWINWORK_WORKER_PARENT_PID"
PARENT_POLL_SECONDS = 1.0


def lower_priority(nice: int) -> int:
    """Raise the calling thread's nice value to at least ``nice`` (0-19); threads it starts
    afterwards inherit it. Returns the value now in force. On Linux a nice value belongs to
    a thread: called from a process's main thread before it starts others, it covers the
    process. Never raises: without the permission (or the call) the priority stays."""
    if not hasattr(os, "getpriority"):
        return 0
    thread = threading.get_native_id() if sys.platform.startswith("linux") else 0
    try:
        current = os.getpriority(os.PRIO_PROCESS, thread)
        if current < nice:
            os.setpriority(os.PRIO_PROCESS, thread, nice)
        return os.getpriority(os.PRIO_PROCESS, thread)
    except OSError as exc:
        log.warning("could not lower the CPU priority to nice %d: %s", nice, exc)
        return 0


def bound_threads(threads: int | None) -> int:
    """At most ``threads`` compute threads for torch and its BLAS/OpenMP pools in this
    process (None: one per core). Set before torch is imported, through the environment the
    pools read at start-up, and directly on torch when it is loaded already."""
    count = max(1, threads or os.cpu_count() or 1)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[name] = str(count)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(count)
    return count


def start_job_worker() -> subprocess.Popen[bytes]:
    """``twinwork worker`` in a process of its own, stopped by ``stop_job_worker`` (or by
    itself, when this process dies first)."""
    env = {**os.environ, PARENT_ENV: str(os.getpid())}
    return subprocess.Popen([sys.executable, "-m", "twinwork", "worker"], env=env)  # noqa: S603


def stop_job_worker(worker: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """SIGTERM (huey finishes its tasks' current step and stops), SIGKILL after ``timeout``."""
    if worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def watch_parent() -> threading.Thread | None:
    """In a worker started by ``start_job_worker``: stop this process (SIGTERM to itself, as
    an operator would) once the server that started it is gone."""
    expected = os.environ.get(PARENT_ENV)
    if not expected or not expected.isdigit():
        return None
    parent = int(expected)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        log.warning("the server (pid %d) is gone; the job worker stops", parent)
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=watch, name="twinwork-parent-watch", daemon=True)
    thread.start()
    return thread
