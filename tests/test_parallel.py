"""handbook.parallel: one way to fork, one budget (only the starting process forks), errors that keep their kind."""
from __future__ import annotations

import os
import threading

import pytest

from handbook import parallel


def test_items_run_in_their_own_processes_and_come_back_in_order():
    results = parallel.in_parallel(lambda n: (n * n, os.getpid()), [1, 2, 3])
    assert [square for square, _ in results] == [1, 4, 9]
    assert results[0][1] == os.getpid() and len({pid for _, pid in results}) == 3


def test_a_worker_does_not_fork_again():
    def nested(n):
        inner = parallel.in_parallel(lambda m: os.getpid(), [n, n + 1])
        return os.getpid(), inner

    (_, first), (child, inner) = parallel.in_parallel(nested, [0, 10])
    assert len(set(first)) == 2  # the starting process forks for its own nested call …
    assert inner == [child, child]  # … a worker runs its nested items in itself


def test_an_error_in_a_worker_is_raised_as_itself_with_the_workers_traceback():
    def fail(n):
        if n:
            raise ValueError(f"bad item {n}")
        return n

    with pytest.raises(ValueError, match="bad item 1") as caught:
        parallel.in_parallel(fail, [0, 1])
    assert "in a worker process" in str(caught.value.__cause__) and "fail" in str(caught.value.__cause__)


def test_no_fork_beside_threads():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not parallel.may_fork()
        assert {pid for pid in parallel.in_parallel(lambda _: os.getpid(), [0, 1])} == {os.getpid()}
    finally:
        stop.set()
        thread.join()
    assert parallel.may_fork()
