"""The SQL Statement Execution API on the integration's warehouse: one statement submitted, polled past
`wait_timeout` until it ends, cancelled when the walk stops or its time runs out, and its result read
chunk by chunk. Execution failures arrive as HTTP 200 with `status.state: FAILED`."""

from __future__ import annotations

import threading
import time

from .uc import Api, segment

STATEMENTS = "/api/2.0/sql/statements"
UNFINISHED = {"PENDING", "RUNNING"}


class TimedOut(Exception):
    pass


def state_of(answer: dict):
    status = answer.get("status")
    return status.get("state") if isinstance(status, dict) else None


class Statements:
    def __init__(self, api: Api, warehouse_id: str, stop: threading.Event, wait_timeout: int = 10, poll_interval: float = 1.0, max_wait: float = 120.0):
        self.api = api
        self.warehouse_id = warehouse_id
        self.stop = stop
        self.wait_timeout = wait_timeout
        self.poll_interval = poll_interval
        self.max_wait = max_wait

    def run(self, statement: str) -> dict | None:
        """The statement's final answer (SUCCEEDED, FAILED, CANCELED…), or None when the walk stopped.
        Raises TimedOut (after cancelling it) when it outlives max_wait; HTTP failures as they come."""
        deadline = time.monotonic() + self.max_wait
        body = {"statement": statement, "warehouse_id": self.warehouse_id, "wait_timeout": f"{self.wait_timeout}s", "on_wait_timeout": "CONTINUE", "disposition": "INLINE", "format": "JSON_ARRAY"}
        answer = self.api.call("POST", STATEMENTS, body=body)
        statement_id = answer.get("statement_id")
        while state_of(answer) in UNFINISHED:
            if not isinstance(statement_id, str) or not statement_id:
                raise TimedOut("the warehouse answered without a statement id")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.cancel(statement_id)
                raise TimedOut(f"the statement did not finish within {self.max_wait:g}s and was cancelled")
            if self.stop.wait(min(self.poll_interval, remaining)):
                self.cancel(statement_id)
                return None
            answer = self.api.get(f"{STATEMENTS}/{segment(statement_id)}")
        return answer

    def rows(self, answer: dict):
        """Every row of a SUCCEEDED answer, following the result's chunks in order."""
        result = answer.get("result") or {}
        statement_id = answer.get("statement_id")
        while True:
            rows = result.get("data_array") or []
            yield from (r for r in rows if isinstance(r, list))
            index = result.get("next_chunk_index")
            if not isinstance(index, int) or not isinstance(statement_id, str) or self.stop.is_set():
                return
            result = self.api.get(f"{STATEMENTS}/{segment(statement_id)}/result/chunks/{index}")

    def cancel(self, statement_id: str) -> None:
        from . import protocol

        try:
            self.api.call("POST", f"{STATEMENTS}/{segment(statement_id)}/cancel")
        except Exception as exc:  # noqa: BLE001 - the statement times out on the warehouse anyway
            protocol.detail("statement cancel", str(exc))
