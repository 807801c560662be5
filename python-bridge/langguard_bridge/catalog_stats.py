"""Table statistics for the catalog walk: `DESCRIBE DETAIL` through the SQL Statement Execution API
on the integration's SQL warehouse, in a pool of its own so a slow warehouse never holds up listing.

A failed statement, and a warehouse that cannot run statements, become a `stats` error for the
table, in our words (the upstream text goes to stderr)."""

from __future__ import annotations

import re
import threading

from . import protocol
from .errors import BridgeFailure
from .names import full_name
from .protocol import emit
from .statements import Statements, TimedOut, state_of
from .uc import epoch_ms, failure_of, is_throttle, record, segment, whole
from .workers import Work

HINT = "Check that the SQL warehouse is running (or can start on demand) and that the token may use it and read the table."
# Only identifiers we produce or that look like Databricks' own error classes reach a message.
ERROR_CLASS = re.compile(r"\s*\[([A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)*)\]")
WORD = re.compile(r"[A-Z][A-Z0-9_]{0,63}")


class Unavailable(Exception):
    def __init__(self, reason: str, retryable: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


def quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def word(value) -> str | None:
    return value if isinstance(value, str) and WORD.fullmatch(value) else None


class TableStats:
    def __init__(self, walk):
        self.walk = walk
        self.api = walk.api
        opts = walk.opts
        self.statements = Statements(walk.api, opts.warehouse_id, walk.stop, opts.wait_timeout, opts.poll_interval, opts.max_wait)
        self.work = Work(opts.stats_concurrency, "catalog-stats")
        self._lock = threading.Lock()
        # Why the warehouse cannot run statements at all, once known: later tables are reported
        # without sending statements that can only fail the same way.
        self.down: str | None = None

    def submit(self, catalog: str, schema: str, table: str) -> None:
        self.work.submit(self.one, catalog, schema, table)

    def wait(self) -> None:
        self.work.wait()

    def one(self, catalog: str, schema: str, table: str) -> None:
        if self.walk.stop.is_set():
            return
        full = full_name(catalog, schema, table)
        try:
            data = self.describe(catalog, schema, table, full)
        except Unavailable as why:
            self.unavailable(full, why.reason, why.retryable)
            return
        except Exception as exc:  # noqa: BLE001 - one table's statistics must not end the walk
            failure = failure_of(exc)
            if failure.kind in ("auth", "blocked_host") or is_throttle(failure):
                self.walk.fail(failure)
                return
            self.unavailable(full, failure.message, failure.retryable)
            return
        if data is not None:
            self.walk.count("stats")
            emit(record(data))

    def unavailable(self, full: str, reason: str, retryable: bool) -> None:
        message = BridgeFailure("stats", f"Table statistics unavailable for {full}: {reason}", HINT).as_message(container=f"stats:{full}", fullName=full)
        message["retryable"] = retryable
        self.walk.count("errors")
        emit(message)

    def warehouse_down(self, reason: str) -> str:
        with self._lock:
            self.down = self.down or reason
            return self.down

    def describe(self, catalog: str, schema: str, table: str, full: str):
        if self.down:
            raise Unavailable(self.down)
        try:
            answer = self.statements.run(f"DESCRIBE DETAIL {quoted(catalog)}.{quoted(schema)}.{quoted(table)}")
        except TimedOut as why:
            raise Unavailable(str(why), retryable=True) from None
        except Exception as exc:
            failure = failure_of(exc)
            # Refusals of the statement itself concern the warehouse (unknown id, no access, bad
            # request): every other table would get the same answer.
            if failure.status in (400, 403, 404):
                raise Unavailable(self.warehouse_down(f"the SQL warehouse refused the statement ({failure.message})")) from None
            raise
        if answer is None:
            return None
        state = state_of(answer)
        if state == "SUCCEEDED":
            return self.detail((catalog, schema, table), full, answer)
        if state == "FAILED":
            raise Unavailable(self.failed(answer))
        raise Unavailable(f"the statement ended {word(state) or 'in an unknown state'}")

    def failed(self, answer: dict) -> str:
        error = (answer.get("status") or {}).get("error") or {}
        message = error.get("message")
        text = message if isinstance(message, str) else ""
        protocol.detail("DESCRIBE DETAIL failed", text)
        match = ERROR_CLASS.match(text)
        if match:
            return f"the statement failed ({match.group(1)})"
        # Without an error class the warehouse itself is the usual cause (stopped, cannot start).
        state = self.warehouse_state()
        if state is not None and state not in ("RUNNING", "STARTING"):
            return self.warehouse_down(f"the SQL warehouse is {state}")
        code = word(error.get("error_code"))
        return f"the statement failed ({code})" if code else "the statement failed"

    def warehouse_state(self) -> str | None:
        try:
            answer = self.api.get(f"/api/2.0/sql/warehouses/{segment(self.statements.warehouse_id)}")
        except Exception as exc:  # noqa: BLE001 - only a better explanation is lost
            protocol.detail("warehouse state", str(exc))
            return None
        return word(answer.get("state"))

    @staticmethod
    def detail(parts: tuple, full: str, answer: dict) -> dict:
        columns = ((answer.get("manifest") or {}).get("schema") or {}).get("columns") or []
        index = {}
        for i, column in enumerate(columns if isinstance(columns, list) else []):
            if isinstance(column, dict) and isinstance(column.get("name"), str):
                position = whole(column.get("position"))
                index[column["name"]] = i if position is None else position
        rows = (answer.get("result") or {}).get("data_array") or []
        row = rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], list) else None
        if row is None:
            raise Unavailable("DESCRIBE DETAIL returned no row")
        if "numFiles" not in index and "sizeInBytes" not in index:
            raise Unavailable("DESCRIBE DETAIL returned neither numFiles nor sizeInBytes")

        def value(name):
            i = index.get(name)
            return row[i] if i is not None and 0 <= i < len(row) else None

        fmt = value("format")
        catalog, schema, table = parts
        return {
            "kind": "tableStats",
            "catalog": catalog,
            "schema": schema,
            "name": table,
            "fullName": full,
            "numFiles": whole(value("numFiles")),
            "sizeInBytes": whole(value("sizeInBytes")),
            "format": fmt if isinstance(fmt, str) else None,
            "lastModified": epoch_ms(value("lastModified")),
        }
