from __future__ import annotations

import threading

import pytest

from twinwork.ml.threads import in_passing_thread


def test_work_runs_in_a_thread_of_its_own_that_ends_with_it() -> None:
    caller = threading.current_thread()
    ran_in: list[threading.Thread] = []

    def work() -> int:
        ran_in.append(threading.current_thread())
        return 42

    assert in_passing_thread(work) == 42
    assert ran_in[0] is not caller
    assert not ran_in[0].is_alive()


def test_a_failure_reaches_the_caller() -> None:
    def work() -> None:
        raise ValueError("the base model is missing")

    with pytest.raises(ValueError, match="base model is missing"):
        in_passing_thread(work)
