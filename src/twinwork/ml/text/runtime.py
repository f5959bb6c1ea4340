"""Process set-up shared by training, evaluation and serving: offline hubs, threads, device."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import torch

T = TypeVar("T")

loading_lock = threading.RLock()
"""Held around every transformers ``from_pretrained`` (and the GGUF conversion) in this process:
transformers builds models through process-wide state (the meta device, patched initialisers),
so two loads at once in different threads corrupt each other."""


def go_offline() -> None:
    """Weights come from packages only; a hub lookup would hang or leak where none is reachable."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    # Training and serving run inside worker threads of the app; tokenizer threads would fight
    # torch's own for the same few cores.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@cache
def device() -> torch.device:
    import torch

    go_offline()
    if torch.cuda.is_available():
        return torch.device("cuda")
    # On a small CPU box the default intra-op pool can oversubscribe when other libraries
    # (tokenizers, BLAS) also spawn threads; one thread per physical core is the fastest setting.
    cores = os.cpu_count() or 1
    if torch.get_num_threads() > cores:
        torch.set_num_threads(cores)
    return torch.device("cpu")


def in_passing_thread(work: Callable[[], T]) -> T:
    """Run ``work`` in a thread of its own that ends with it, and return its result.

    For torch work done once by a caller that lives on (a web server's worker thread): torch's
    OpenMP runtime gives every thread that runs a parallel operation its own pool of worker
    threads, kept until that thread ends. Once the pools' threads outnumber the cores, libgomp
    stops letting idle workers spin and puts them to sleep between operations, and a decode
    step, hundreds of small operations, waits for them to wake every time. Measured on the
    2-core machine: a one-row decode step took 32 to 42 ms instead of 20, and an eight-row
    step 101 instead of 82, while a pool left by loading the model lived on in another thread.
    """
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # handed to the caller below
            failure.append(error)

    thread = threading.Thread(target=run, name="twinwork-torch-once")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]
