"""A job for the Redis restart test, run in processes of its own against the queue in
``TWINWORK_QUEUE_URL`` (the product's huey, ``kit.jobs``):

- ``python -m tests.faults.queue_jobs enqueue PATH TEXT``: enqueue one job that writes TEXT to
  PATH, and exit once Redis has acknowledged it;
- ``python -m tests.faults.queue_jobs consume``: a consumer as ``twinwork worker`` runs one
  (threads, periodic tasks on), until it is stopped.
"""

from __future__ import annotations

import sys
from pathlib import Path

from twinwork.kit.jobs import huey


@huey.task(retries=3, retry_delay=1)
def write_file(path: str, text: str) -> None:
    Path(path).write_text(text)


def main(argv: list[str]) -> None:
    if argv[0] == "enqueue":
        write_file(argv[1], argv[2])
        sys.stdout.write("enqueued\n")
    elif argv[0] == "consume":
        huey.create_consumer(workers=1, worker_type="thread", periodic=True, max_delay=0.5).run()
    else:
        raise SystemExit(f"unknown command {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
