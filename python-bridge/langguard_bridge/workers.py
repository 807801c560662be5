"""The one worker pool of the bridge, for trace reads and catalog walks alike.

A fixed set of threads whose tasks may submit more tasks (an experiment's first page queues its
slices; a catalog's listing queues its schemas). Tasks start in the order they were submitted,
so an experiment's earlier slices run first and its cursor can move early. `wait` returns once
nothing is queued or running. A task that lets an exception escape stops the pool: the tasks
still queued are skipped and `wait` raises that first exception in the caller's thread. Work
that must survive one task's failure (a catalog container, an experiment) catches its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any


class Work:
    def __init__(self, workers: int, name: str):
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._idle = threading.Condition()
        self._pending = 0
        self.stop = threading.Event()
        self.fatal: BaseException | None = None

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        with self._idle:
            self._pending += 1
        self._executor.submit(self._run, fn, args)

    def _run(self, fn: Callable[..., Any], args: tuple) -> None:
        try:
            if not self.stop.is_set():
                fn(*args)
        except BaseException as exc:  # noqa: BLE001 - kept and raised by wait() in the caller's thread
            with self._idle:
                self.fatal = self.fatal or exc
            self.stop.set()
        finally:
            with self._idle:
                self._pending -= 1
                if not self._pending:
                    self._idle.notify_all()

    def wait(self) -> None:
        with self._idle:
            while self._pending:
                self._idle.wait()
        self._executor.shutdown(wait=True)
        if self.fatal is not None:
            raise self.fatal
