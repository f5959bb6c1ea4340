"""Torch work from threads that live on, without leaving OpenMP thread pools behind."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def in_passing_thread(work: Callable[[], T]) -> T:
    """Run ``work`` in a thread of its own that ends with it, and return its result.

    For torch work done by a caller that lives on (a web server's worker thread): torch's
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
