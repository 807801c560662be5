"""The bridge's one worker pool: tasks that queue more tasks, order, and a failure that stops it."""

import threading

import pytest

from langguard_bridge.workers import Work


def test_waits_for_tasks_that_queue_more_tasks_in_submission_order():
    done: list[int] = []
    lock = threading.Lock()
    pool = Work(1, "test")

    def task(n: int) -> None:
        with lock:
            done.append(n)
        if n < 5:
            pool.submit(task, n + 1)

    pool.submit(task, 0)
    pool.wait()
    assert done == [0, 1, 2, 3, 4, 5]


def test_a_task_that_fails_stops_the_rest_and_wait_raises_it():
    ran: list[str] = []
    gate = threading.Event()
    pool = Work(1, "test")

    def failing() -> None:
        gate.wait(5)
        raise ValueError("credentials refused")

    pool.submit(failing)
    pool.submit(ran.append, "queued behind the failure")
    gate.set()
    with pytest.raises(ValueError, match="credentials refused"):
        pool.wait()
    assert pool.stop.is_set()
    assert ran == []
