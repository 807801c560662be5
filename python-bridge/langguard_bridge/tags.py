"""Tags for the catalog walk, from one of two sources:

- `WarehouseTags`: with a SQL warehouse, every tag of the metastore is read in bulk from
  `system.information_schema` (catalog_tags, schema_tags, table_tags, column_tags, volume_tags), one
  statement per view, paged by the result's chunks and by LIMIT/OFFSET for very large results.
- `ObjectTags`: otherwise, one `entity-tag-assignments` request per object, on the walk's bounded
  lookup pool, asked only for the kinds the workspace serves (a kind it refuses is not asked again).

A lookup that fails leaves that object's tags unread (`failed`): the consumer keeps what it stored and
marks it stale. It is not a listing failure and blocks nothing. Functions and registered models are
not in information_schema; both sources ask per object for them, where the workspace serves them.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from . import protocol
from .errors import FATAL, BridgeFailure
from .names import full_name
from .protocol import emit
from .statements import Statements, TimedOut, state_of
from .uc import UC, failure_of, is_throttle, pages, segment, text

ENTITY_TYPES = {"catalog": "catalogs", "schema": "schemas", "table": "tables", "volume": "volumes", "function": "functions", "model": "registered_models"}
NOT_SERVED_NOTE = "The workspace does not serve tag assignments for {what}; their tags are left out"


class Tags:
    """What a lookup found: the tags (sorted by key), None where the workspace keeps none for the
    kind, and `failed` when the lookup itself failed."""

    __slots__ = ("tags", "failed")

    def __init__(self, tags, failed: bool = False):
        self.tags = tags
        self.failed = failed

    def fields(self) -> dict:
        return {"tags": self.tags, "tagsFailed": True} if self.failed else {"tags": self.tags}


NONE = Tags(None)
FAILED = Tags(None, True)


def tag_list(pairs) -> list:
    # Served in no promised order; a stable one keeps an unchanged entity's line identical.
    return sorted(({"key": str(k), "value": v} for k, v in pairs), key=lambda t: t["key"])


class ObjectTags:
    def __init__(self, walk):
        self.walk = walk
        self._lock = threading.Lock()
        self.not_served: set = set()
        # Its own threads: at most tagsConcurrency lookups in flight, whatever the listings do.
        self.pool = ThreadPoolExecutor(max_workers=walk.opts.tags_concurrency, thread_name_prefix="catalog-tags")

    def many(self, kind: str, names: list) -> list:
        if not names:
            return []
        futures = [self.pool.submit(self.one, kind, parts) for parts in names]
        return [f.result() for f in futures]

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def columns(self, parts) -> dict | None:
        return None

    def one(self, kind: str, parts: tuple) -> Tags:
        entity_type = ENTITY_TYPES[kind]
        if self.walk.stop.is_set() or entity_type in self.not_served or "*" in self.not_served:
            return NONE
        full = full_name(*parts)
        path = f"{UC}/entity-tag-assignments/{entity_type}/{segment(full)}/tags"
        try:
            found = []
            for items, _ in pages(self.walk.api, path, "tag_assignments", {}, f"tags of {full}"):
                found += [(t.get("tag_key"), text(t.get("tag_value"))) for t in items if isinstance(t, dict) and t.get("tag_key") is not None]
            return Tags(tag_list(found))
        except Exception as exc:  # noqa: BLE001 - tags are an extra: the entity is still recorded
            return self.failure(kind, entity_type, full, exc)

    def failure(self, kind: str, entity_type: str, full: str, exc: BaseException) -> Tags:
        failure = failure_of(exc)
        code = str(getattr(exc, "error_code", None) or "")
        if failure.status == 404 and code.endswith("_DOES_NOT_EXIST"):
            return NONE  # deleted since it was listed; the next walk drops it
        if failure.status in (404, 501):
            self.stop_asking("*", "tag assignments (entity-tag-assignments)")
            return NONE
        if failure.status == 400 and code == "INVALID_PARAMETER_VALUE":
            self.stop_asking(entity_type, f"{kind}s")
            return NONE
        if failure.kind == "permission":
            if self.stop_asking("*", None):
                emit(
                    failure.as_message(
                        container="tags",
                        message=f"Tags are unreadable with this token: {failure.message}",
                        hint="Grant the token APPLY TAG or read access to the objects' tags; metadata syncs without them.",
                    )
                )
            return NONE
        if failure.kind in FATAL or is_throttle(failure):
            self.walk.fail(failure)
            return NONE
        protocol.detail(f"tags of {full}", failure.message)
        return FAILED

    def stop_asking(self, entity_type: str, what: str | None) -> bool:
        """Stops asking for that kind's tags; True for the one caller that stopped it."""
        with self._lock:
            if entity_type in self.not_served:
                return False
            self.not_served.add(entity_type)
        if what:
            protocol.log("info", NOT_SERVED_NOTE.format(what=what))
        return True


# (view, key columns after catalog_name) → the kind of object its rows tag
VIEWS = (
    ("catalog_tags", ("catalog_name",), "catalog"),
    ("schema_tags", ("catalog_name", "schema_name"), "schema"),
    ("table_tags", ("catalog_name", "schema_name", "table_name"), "table"),
    ("column_tags", ("catalog_name", "schema_name", "table_name", "column_name"), "column"),
    ("volume_tags", ("catalog_name", "schema_name", "volume_name"), "volume"),
)
# Rows per statement: INLINE results are limited to 25 MiB, and a tag row is well under 250 bytes.
PAGE_ROWS = 100_000


class WarehouseTags:
    def __init__(self, walk, fallback: ObjectTags, page_rows: int = PAGE_ROWS):
        self.walk = walk
        self.fallback = fallback
        self.page_rows = page_rows
        opts = walk.opts
        self.statements = Statements(walk.api, opts.warehouse_id, walk.stop, opts.wait_timeout, opts.poll_interval, max(opts.max_wait, 300))
        self.found: dict = {}
        self.column_tags: dict = {}
        self.failed: str | None = None
        self.ready = threading.Event()
        self.statements_sent = 0
        threading.Thread(target=self.load, name="catalog-tags", daemon=True).start()

    # ---- reading
    def load(self) -> None:
        try:
            with ThreadPoolExecutor(max_workers=len(VIEWS), thread_name_prefix="catalog-tags") as pool:
                for rows in pool.map(lambda v: self.view(*v), VIEWS):
                    for (kind, key), pair in rows:
                        if kind == "column":
                            self.column_tags.setdefault(key[:3], {}).setdefault(key[3], []).append(pair)
                        else:
                            self.found.setdefault((kind, key), []).append(pair)
        except Exception as exc:  # noqa: BLE001 - per-object lookups take over
            failure = failure_of(exc) if not isinstance(exc, BridgeFailure) else exc
            if failure.kind in FATAL or is_throttle(failure):
                self.walk.fail(failure)
            else:
                self.fall_back(failure.message)
        finally:
            self.ready.set()

    def view(self, view: str, keys: tuple, kind: str) -> list:
        columns = ", ".join(keys)
        rows, offset = [], 0
        while not self.walk.stop.is_set():
            statement = f"SELECT {columns}, tag_name, tag_value FROM system.information_schema.{view} ORDER BY {columns}, tag_name LIMIT {self.page_rows} OFFSET {offset}"
            try:
                answer = self.statements.run(statement)
            except TimedOut as why:
                raise BridgeFailure("stats", f"reading {view} took too long ({why})") from None
            if answer is None:
                break
            if state_of(answer) != "SUCCEEDED":
                error = (answer.get("status") or {}).get("error") or {}
                protocol.detail(f"{view} statement", str(error.get("message")))
                raise BridgeFailure("stats", f"reading {view} ended {state_of(answer)}")
            page = 0
            for row in self.statements.rows(answer):
                page += 1
                if len(row) == len(keys) + 2 and all(isinstance(v, str) for v in row[: len(keys) + 1]):
                    rows.append(((kind, tuple(row[: len(keys)])), (row[len(keys)], text(row[len(keys) + 1]))))
            if page < self.page_rows:
                break
            offset += self.page_rows
        return rows

    def fall_back(self, reason: str) -> None:
        self.failed = reason
        emit(
            BridgeFailure(
                "stats",
                f"Tags could not be read in bulk through the SQL warehouse ({reason}); they were read object by object instead",
                "Check that the warehouse is running and that the token may read system.information_schema.",
            ).as_message(container="tags")
        )

    # ---- answering
    def many(self, kind: str, names: list) -> list:
        if not names:
            return []
        self.ready.wait()
        if self.failed is not None or kind in ("function", "model"):
            return self.fallback.many(kind, names)
        return [Tags(tag_list(self.found.get((kind, tuple(parts)), []))) for parts in names]

    def columns(self, parts) -> dict | None:
        if self.failed is not None:
            return None
        return {column: tag_list(pairs) for column, pairs in self.column_tags.get(tuple(parts), {}).items()}
