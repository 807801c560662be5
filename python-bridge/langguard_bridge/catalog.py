"""Unity Catalog traversal: catalogs, schemas, tables (with their columns), volumes, functions and
registered models (with versions and aliases), streamed as `catalog` records.

Each container (the catalogs of the metastore, the schemas of a catalog, the tables, volumes,
functions or models of a schema) ends with a checkpoint only when its listing completed without
error: the consumer marks entities missing from a checkpointed container deleted, so a listing that
failed or was cut short must never get one. Pages are read through databricks-sdk's transport (its
auth and retries) but followed by our own pager, because the SDK's iterators follow a repeating
`next_page_token` forever.
"""

from __future__ import annotations

import math
import os
import re
import sys
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from . import protocol
from .errors import FATAL, BridgeFailure, classify, source_host
from .protocol import emit, emit_many
from .source import workspace_client

UC = "/api/2.1/unity-catalog"
KINDS = ("tables", "volumes", "functions", "models")
LEVELS = ("catalogs", "schemas", "tables")
# The Unity Catalog spec's maxima: spec-strict servers refuse a larger max_results as invalid.
MAX_PAGE = {"catalogs": 1000, "schemas": 1000, "tables": 50, "volumes": 10000, "functions": 1000, "models": 50, "model_versions": 50}
# A server that keeps answering empty pages with fresh tokens would otherwise be followed forever.
MAX_EMPTY_PAGES = 100
PAGING_HINT = "The workspace's listing misbehaved; the next sync reads this container again. If it persists, report it to Databricks support."
PATTERN_HINT = "Patterns are Python regular expressions matched against the whole name: catalog, catalog.schema or catalog.schema.table."
TABLES_WITH_DETAIL = {"MANAGED", "EXTERNAL"}
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


# ------------------------------------------------------------------ parameters
def _int(params: dict, key: str, default: int, low: int, high: int, label: str = "") -> int:
    value = params.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (isinstance(value, float) and not value.is_integer()):
        raise BridgeFailure("config", f"'{label}{key}' must be a whole number", f"Set '{label}{key}' between {low} and {high}.")
    return max(low, min(int(value), high))


def _seconds(params: dict, key: str, default: float, low: float, high: float) -> float:
    value = params.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BridgeFailure("config", f"'stats.{key}' must be a number of seconds", f"Set 'stats.{key}' between {low} and {high}.")
    return max(low, min(float(value), high))


def _patterns(params: dict, section: str) -> dict:
    raw = params.get(section) or {}
    if not isinstance(raw, dict):
        raise BridgeFailure("config", f"'{section}' must be an object of pattern lists", PATTERN_HINT)
    unknown = sorted(set(raw) - set(LEVELS))
    if unknown:
        raise BridgeFailure("config", f"'{section}' has unknown keys: {', '.join(map(str, unknown))}", f"Use {', '.join(LEVELS)}.")
    compiled = {}
    for level in LEVELS:
        items = raw.get(level) or []
        if isinstance(items, str):
            items = [items]
        if not isinstance(items, list):
            raise BridgeFailure("config", f"'{section}.{level}' must be a list of patterns", PATTERN_HINT)
        compiled[level] = []
        for pattern in items:
            if not isinstance(pattern, str):
                raise BridgeFailure("config", f"Invalid {section}.{level} pattern {pattern!r}: not a string", PATTERN_HINT)
            try:
                compiled[level].append(re.compile(pattern))
            except re.error as exc:
                raise BridgeFailure("config", f"Invalid {section}.{level} pattern '{pattern[:200]}': {exc.msg}", PATTERN_HINT) from None
    return compiled


class Options:
    def __init__(self, params: dict):
        if not isinstance(params, dict):
            raise BridgeFailure("config", "The stream-catalog parameters must be a JSON object")
        self.include = _patterns(params, "include")
        self.exclude = _patterns(params, "exclude")
        self.page_size = _int(params, "pageSize", 100, 0, 10_000)
        self.concurrency = _int(params, "concurrency", 8, 1, 64)
        kinds = params.get("kinds")
        kinds = list(KINDS) if kinds is None else kinds
        if not isinstance(kinds, list) or any(k not in KINDS for k in kinds):
            raise BridgeFailure("config", f"'kinds' must list some of: {', '.join(KINDS)}")
        self.kinds = [k for k in KINDS if k in kinds]
        self.tags = params.get("tags", True) is not False
        # None keeps the SDK's own retry budget (minutes); a catalog job may want to give up on a
        # container sooner and move on to the others.
        retry = params.get("retryTimeoutSeconds")
        self.retry_timeout = None if retry is None else _int(params, "retryTimeoutSeconds", 300, 1, 3600)
        stats = params.get("stats")
        if stats is not None and not isinstance(stats, dict):
            raise BridgeFailure("config", "'stats' must be an object")
        stats = stats or {}
        # Asking for stats settings without `enabled` means wanting stats.
        self.stats = bool(stats.get("enabled", bool(stats)))
        warehouse = stats.get("warehouseId")
        if warehouse is not None and not isinstance(warehouse, str):
            raise BridgeFailure("config", "'stats.warehouseId' must be a string")
        self.warehouse_id = (warehouse or os.environ.get("DATABRICKS_WAREHOUSE_ID") or "").strip() or None
        self.stats_concurrency = _int(stats, "concurrency", 4, 1, 32, "stats.")
        # The Statement Execution API accepts 0 or 5..50 seconds.
        wait = _seconds(stats, "waitTimeoutSeconds", 10, 0, 50)
        self.wait_timeout = 0 if wait == 0 else max(5, int(wait))
        self.poll_interval = _seconds(stats, "pollIntervalSeconds", 1, 0.01, 60)
        self.max_wait = _seconds(stats, "maxWaitSeconds", 120, 1, 3600)

    def _matches(self, level: str, name: str) -> bool:
        include = self.include[level]
        if include and not any(p.fullmatch(name) for p in include):
            return False
        return not any(p.fullmatch(name) for p in self.exclude[level])

    def wants_catalog(self, name: str) -> bool:
        return self._matches("catalogs", name)

    def wants_schema(self, catalog: str, name: str) -> bool:
        full = f"{catalog}.{name}"
        if not self._matches("schemas", full):
            return False
        if name.lower() == "information_schema":
            # Every catalog has one, full of views over the rest: only read when asked for by name.
            return any("information_schema" in p.pattern and p.fullmatch(full) for p in self.include["schemas"])
        return True

    def wants_table(self, full_name: str) -> bool:
        return self._matches("tables", full_name)

    def page_for(self, listing: str) -> int:
        # 0 asks for the server's page size; leaving max_results out would let some listings
        # answer everything at once, as they do for old clients.
        return min(self.page_size, MAX_PAGE[listing])


# ------------------------------------------------------------------ transport and paging
class Api:
    """The SDK's ApiClient (auth, retries, the host policy's connections) answering JSON objects."""

    def __init__(self, client):
        self._client = client

    def call(self, method: str, path: str, query: dict | None = None, body: dict | None = None) -> dict:
        answer = self._client.do(method, path, query=query, body=body)
        if not isinstance(answer, dict):
            raise BridgeFailure("bad_response", f"{source_host()} answered with JSON that is not an object")
        return answer

    def get(self, path: str, query: dict | None = None) -> dict:
        return self.call("GET", path, query=query)


def api_client(retry_timeout: int | None) -> Api:
    w = workspace_client()
    if retry_timeout is None:
        return Api(w.api_client)
    from databricks.sdk.core import ApiClient

    # The budget is read when the ApiClient is built, so a second one is built over the same config.
    w.config.retry_timeout_seconds = retry_timeout
    return Api(ApiClient(w.config))


def failure_of(exc: BaseException) -> BridgeFailure:
    # The SDK's retry loop gives up with TimeoutError("Timed out after …") raised from the last
    # real error: that one says what went wrong (a 503 is "unavailable", not a network timeout).
    if type(exc) is TimeoutError and isinstance(exc.__cause__, Exception) and str(exc).startswith("Timed out after"):
        exc = exc.__cause__
    return classify(exc)


def pages(api: Api, path: str, key: str, query: dict, what: str, page_size: int | None = None):
    """Yields (items, last) per page, following next_page_token until it is absent or empty."""
    query = dict(query)
    if page_size is not None:
        query["max_results"] = page_size
    seen: set = set()
    empty = 0
    while True:
        body = api.get(path, query)
        items = body.get(key)
        items = [] if items is None else items
        token = body.get("next_page_token") or None
        if not isinstance(items, list) or (token is not None and not isinstance(token, str)):
            raise BridgeFailure("bad_response", f"The server answered the listing of {what} with a malformed page", PAGING_HINT)
        if token in seen:
            raise BridgeFailure("bad_response", f"The server repeated a page token while listing {what}", PAGING_HINT)
        empty = empty + 1 if not items else 0
        if token and empty > MAX_EMPTY_PAGES:
            raise BridgeFailure("bad_response", f"The server answered {empty} empty pages in a row while listing {what}", PAGING_HINT)
        yield items, token is None
        if token is None:
            return
        seen.add(token)
        query["page_token"] = token


def segment(name: str) -> str:
    return quote(name, safe="")


# ------------------------------------------------------------------ value conversion
def epoch_ms(value):
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return (moment - _EPOCH) // timedelta(milliseconds=1)
    return None


def whole(value):
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        try:
            return int(float(value))
        except (TypeError, ValueError, OverflowError):
            return None


def _text(value):
    return value if isinstance(value, str) else None


def _properties(value) -> dict:
    return {str(k): v if isinstance(v, str) else str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _audit(item: dict) -> dict:
    return {"owner": _text(item.get("owner")), "comment": _text(item.get("comment")),
            "createdAt": epoch_ms(item.get("created_at")), "updatedAt": epoch_ms(item.get("updated_at"))}


def _name(item) -> str:
    name = item.get("name") if isinstance(item, dict) else None
    if not isinstance(name, str) or not name:
        raise BridgeFailure("bad_response", "The server listed an entry without a name")
    return name


def catalog_record(item: dict, tags) -> dict:
    return {"kind": "catalog", "name": item["name"], **_audit(item), "properties": _properties(item.get("properties")), "tags": tags}


def schema_record(catalog: str, item: dict, tags) -> dict:
    return {"kind": "schema", "catalog": catalog, "name": item["name"], "fullName": f"{catalog}.{item['name']}", **_audit(item),
            "properties": _properties(item.get("properties")), "tags": tags}


def column_record(column: dict, index: int) -> dict:
    if not isinstance(column, dict) or not isinstance(column.get("name"), str):
        raise BridgeFailure("bad_response", "The server listed a column without a name")
    position = whole(column.get("position"))
    nullable = column.get("nullable")
    return {"name": column["name"], "typeText": _text(column.get("type_text")), "typeName": _text(column.get("type_name")),
            "nullable": nullable if isinstance(nullable, bool) else None, "position": index if position is None else position,
            "comment": _text(column.get("comment"))}


def table_record(catalog: str, schema: str, item: dict, tags) -> dict:
    columns = item.get("columns") or []
    return {"kind": "table", "catalog": catalog, "schema": schema, "name": item["name"], "fullName": f"{catalog}.{schema}.{item['name']}",
            "tableType": _text(item.get("table_type")), "dataSourceFormat": _text(item.get("data_source_format")),
            "storageLocation": _text(item.get("storage_location")), **_audit(item), "properties": _properties(item.get("properties")),
            "tags": tags, "columns": [column_record(c, i) for i, c in enumerate(columns if isinstance(columns, list) else [])]}


def volume_record(catalog: str, schema: str, item: dict) -> dict:
    return {"kind": "volume", "catalog": catalog, "schema": schema, "name": item["name"], "fullName": f"{catalog}.{schema}.{item['name']}",
            "volumeType": _text(item.get("volume_type")), "storageLocation": _text(item.get("storage_location")), **_audit(item)}


def function_record(catalog: str, schema: str, item: dict) -> dict:
    params = (item.get("input_params") or {}).get("parameters") if isinstance(item.get("input_params"), dict) else None
    parameters = []
    for index, p in enumerate(params if isinstance(params, list) else []):
        if not isinstance(p, dict) or not isinstance(p.get("name"), str):
            raise BridgeFailure("bad_response", "The server listed a function parameter without a name")
        position = whole(p.get("position"))
        parameters.append({"name": p["name"], "typeText": _text(p.get("type_text")), "typeName": _text(p.get("type_name")),
                           "position": index if position is None else position, "comment": _text(p.get("comment"))})
    return {"kind": "function", "catalog": catalog, "schema": schema, "name": item["name"], "fullName": f"{catalog}.{schema}.{item['name']}",
            **_audit(item), "dataType": _text(item.get("data_type")), "fullDataType": _text(item.get("full_data_type")),
            "routineBody": _text(item.get("routine_body")), "parameters": parameters}


def model_record(catalog: str, schema: str, item: dict, aliases: list, versions: list) -> dict:
    # The API promises no order; a stable one keeps an unchanged model's line identical.
    alias_list = sorted(({"alias": _text(a.get("alias_name")), "version": whole(a.get("version_num"))} for a in aliases if isinstance(a, dict)),
                        key=lambda a: str(a["alias"]))
    version_list = sorted(({"version": whole(v.get("version")), "status": _text(v.get("status")), "source": _text(v.get("source")),
                            "runId": _text(v.get("run_id")), "comment": _text(v.get("comment")), "createdAt": epoch_ms(v.get("created_at"))}
                           for v in versions if isinstance(v, dict)), key=lambda v: (v["version"] is None, v["version"] or 0))
    return {"kind": "model", "catalog": catalog, "schema": schema, "name": item["name"], "fullName": f"{catalog}.{schema}.{item['name']}",
            **_audit(item), "aliases": alias_list, "versions": version_list}


def record(data: dict) -> dict:
    return {"type": "record", "stream": "catalog", "data": data}


def checkpoint(container: str, items: int) -> dict:
    return {"type": "checkpoint", "stream": "catalog", "container": container, "items": items, "done": True}


# ------------------------------------------------------------------ work
class Work:
    """A thread pool whose tasks may submit more tasks; wait() returns once none is queued or running."""

    def __init__(self, workers: int, name: str):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn, *args) -> None:
        with self._idle:
            self._pending += 1
        self._pool.submit(self._run, fn, args)

    def _run(self, fn, args) -> None:
        try:
            fn(*args)
        finally:
            with self._idle:
                self._pending -= 1
                if not self._pending:
                    self._idle.notify_all()

    def wait(self) -> None:
        with self._idle:
            while self._pending:
                self._idle.wait()
        self._pool.shutdown(wait=True)


class Walk:
    def __init__(self, api: Api, opts: Options):
        self.api = api
        self.opts = opts
        self.stop = threading.Event()
        self.fatal: BridgeFailure | None = None
        self._lock = threading.Lock()
        self.counts = dict.fromkeys(("catalogs", "schemas", "tables", "columns", "volumes", "functions", "models", "errors", "stats"), 0)
        self.listing = Work(opts.concurrency, "catalog-list")
        # Per-entity lookups (tags, model versions) run beside the listings: a listing thread waits on
        # them, so they need their own threads or a full listing pool would wait on itself.
        self.lookups = ThreadPoolExecutor(max_workers=opts.concurrency, thread_name_prefix="catalog-lookup")
        self.tags_served = opts.tags
        self.stats = None

    # ---- bookkeeping
    def count(self, key: str, n: int = 1) -> None:
        with self._lock:
            self.counts[key] += n

    def fail(self, failure: BridgeFailure) -> None:
        with self._lock:
            if self.fatal is None:
                self.fatal = failure
        self.stop.set()

    def report(self, container: str, exc: BaseException) -> None:
        """Emits a container's failure, or ends the walk when no container can escape it."""
        failure = failure_of(exc)
        if failure.kind in FATAL:
            self.fail(failure)
            return
        if failure.kind == "internal":
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        self.count("errors")
        emit(failure.as_message(container=container))

    def guarded(self, container: str, fn, *args) -> None:
        if self.stop.is_set():
            return
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - one container's failure must not end the others
            self.report(container, exc)

    def submit(self, container: str, fn, *args) -> None:
        self.listing.submit(self.guarded, container, fn, *args)

    # ---- the command
    def run(self) -> dict:
        if self.opts.stats:
            if self.opts.warehouse_id:
                from .catalog_stats import TableStats

                self.stats = TableStats(self)
            else:
                from .check import WAREHOUSE_REQUIRED_HINT

                self.count("errors")
                emit(BridgeFailure("config", "Warehouse ID required for catalog operations", WAREHOUSE_REQUIRED_HINT).as_message(container="stats"))
        try:
            self.submit("catalogs:", self.catalogs)
            self.listing.wait()
            if self.stats is not None:
                self.stats.wait()
        finally:
            self.stop.set()
            self.lookups.shutdown(wait=True, cancel_futures=True)
        if self.fatal is not None:
            raise self.fatal
        return dict(self.counts)

    # ---- tags
    def tags_of(self, entity_type: str, names: list) -> list:
        """Tags of each entity (None where unknown), read in parallel; a page's worth at a time."""
        if not self.tags_served or not names:
            return [None] * len(names)
        return [f.result() for f in [self.lookups.submit(self.tags_one, entity_type, n) for n in names]]

    def tags_one(self, entity_type: str, full_name: str):
        if not self.tags_served or self.stop.is_set():
            return None
        path = f"{UC}/entity-tag-assignments/{entity_type}/{segment(full_name)}/tags"
        try:
            tags = []
            for items, _ in pages(self.api, path, "tag_assignments", {}, f"tags of {full_name}"):
                tags += [{"key": str(t.get("tag_key")), "value": _text(t.get("tag_value"))} for t in items if isinstance(t, dict) and t.get("tag_key") is not None]
            # Served in no promised order; a stable one keeps an unchanged entity's line identical.
            return sorted(tags, key=lambda t: t["key"])
        except Exception as exc:  # noqa: BLE001 - tags are an extra: the entity is still recorded
            failure = failure_of(exc)
            code = str(getattr(exc, "error_code", None) or "")
            if failure.status == 404 and code.endswith("_DOES_NOT_EXIST"):
                return None  # deleted since it was listed; the next walk drops it
            if failure.status in (404, 501):
                self.tags_missing("The workspace does not serve tag assignments (entity-tag-assignments); tags are left out")
                return None
            if failure.kind == "permission":
                if self.tags_missing(None):
                    self.count("errors")
                    emit(failure.as_message(container="tags", message=f"Tags are unreadable with this token: {failure.message}"))
                return None
            if failure.kind in FATAL:
                self.fail(failure)
                return None
            singular = {"catalogs": "catalog", "schemas": "schema", "tables": "table"}.get(entity_type, entity_type)
            self.count("errors")
            emit(failure.as_message(container=f"{singular}:{full_name}", message=f"Tags of {full_name} could not be read: {failure.message}"))
            return None

    def tags_missing(self, note: str | None) -> bool:
        """Stops asking for tags; True for the one caller that stopped it."""
        with self._lock:
            if not self.tags_served:
                return False
            self.tags_served = False
        if note:
            protocol.log("info", note)
        return True

    # ---- listings
    def entries(self, items: list, singular: str, parent: str, wanted) -> tuple:
        """The page's entries this walk keeps, and whether any was malformed (its container is then incomplete)."""
        kept, broken = [], False
        for item in items:
            try:
                name = _name(item)
            except BridgeFailure as failure:
                broken = True
                self.count("errors")
                emit(failure.as_message(container=f"{singular}:{parent}.?" if parent else f"{singular}:?"))
                continue
            if wanted(name):
                kept.append(item)
        return kept, broken

    def build(self, entity: str, make):
        """A record, or None (reported as the entity's error) when the server's entry cannot be read."""
        try:
            return make()
        except Exception as exc:  # noqa: BLE001 - one malformed entry must not hide the rest of the page
            self.report(entity, exc)
            return None

    def listing_of(self, container: str, singular: str, parent: str, what: str, path: str, key: str, query: dict, listing: str, wanted, page, then=None):
        """Reads a container page by page; `page(items)` returns its records (None for an entry it
        could not read, which leaves the container without a checkpoint), and `then(records)` runs
        once they are out, so work about an entity never reaches the consumer before the entity."""
        total, complete = 0, True
        for items, last in pages(self.api, path, key, query, what, self.opts.page_for(listing)):
            if self.stop.is_set():
                return
            kept, broken = self.entries(items, singular, parent, wanted)
            complete = complete and not broken
            records = page(kept)
            if self.stop.is_set():
                return
            complete = complete and all(r is not None for r in records)
            records = [r for r in records if r is not None]
            total += len(records)
            messages = [record(r) for r in records]
            if last and complete:
                messages.append(checkpoint(container, total))
            if messages:
                emit_many(messages)
            if then is not None and records:
                then(records)

    def catalogs(self) -> None:
        def page(items):
            tags = self.tags_of("catalogs", [c["name"] for c in items])
            records = [self.build(f"catalog:{c['name']}", lambda c=c, t=t: catalog_record(c, t)) for c, t in zip(items, tags)]
            self.count("catalogs", sum(r is not None for r in records))
            return records

        def then(records):
            for r in records:
                self.submit(f"schemas:{r['name']}", self.schemas, r["name"])

        self.listing_of("catalogs:", "catalog", "", "catalogs", f"{UC}/catalogs", "catalogs", {}, "catalogs", self.opts.wants_catalog, page, then)

    def schemas(self, catalog: str) -> None:
        def page(items):
            full = [f"{catalog}.{s['name']}" for s in items]
            tags = self.tags_of("schemas", full)
            records = [self.build(f"schema:{f}", lambda s=s, t=t: schema_record(catalog, s, t)) for s, t, f in zip(items, tags, full)]
            self.count("schemas", sum(r is not None for r in records))
            return records

        def then(records):
            for r in records:
                for kind in self.opts.kinds:
                    self.submit(f"{kind}:{r['fullName']}", getattr(self, kind), catalog, r["name"])

        self.listing_of(f"schemas:{catalog}", "schema", catalog, f"schemas of {catalog}", f"{UC}/schemas", "schemas", {"catalog_name": catalog},
                        "schemas", lambda name: self.opts.wants_schema(catalog, name), page, then)

    def tables(self, catalog: str, schema: str) -> None:
        parent = f"{catalog}.{schema}"

        def page(items):
            full = [f"{parent}.{t['name']}" for t in items]
            tags = self.tags_of("tables", full)
            records = [self.build(f"table:{f}", lambda t=t, g=g: table_record(catalog, schema, t, g)) for t, g, f in zip(items, tags, full)]
            done = [r for r in records if r is not None]
            self.count("tables", len(done))
            self.count("columns", sum(len(r["columns"]) for r in done))
            return records

        def then(records):
            if self.stats is not None:
                for r in records:
                    if r["tableType"] in TABLES_WITH_DETAIL:
                        self.stats.submit(catalog, schema, r["name"])

        self.listing_of(f"tables:{parent}", "table", parent, f"tables of {parent}", f"{UC}/tables", "tables", {"catalog_name": catalog, "schema_name": schema},
                        "tables", lambda name: self.opts.wants_table(f"{parent}.{name}"), page, then)

    def volumes(self, catalog: str, schema: str) -> None:
        parent = f"{catalog}.{schema}"

        def page(items):
            records = [self.build(f"volume:{parent}.{v['name']}", lambda v=v: volume_record(catalog, schema, v)) for v in items]
            self.count("volumes", sum(r is not None for r in records))
            return records

        self.listing_of(f"volumes:{parent}", "volume", parent, f"volumes of {parent}", f"{UC}/volumes", "volumes", {"catalog_name": catalog, "schema_name": schema},
                        "volumes", lambda name: True, page)

    def functions(self, catalog: str, schema: str) -> None:
        parent = f"{catalog}.{schema}"

        def page(items):
            records = [self.build(f"function:{parent}.{f['name']}", lambda f=f: function_record(catalog, schema, f)) for f in items]
            self.count("functions", sum(r is not None for r in records))
            return records

        self.listing_of(f"functions:{parent}", "function", parent, f"functions of {parent}", f"{UC}/functions", "functions",
                        {"catalog_name": catalog, "schema_name": schema}, "functions", lambda name: True, page)

    def models(self, catalog: str, schema: str) -> None:
        parent = f"{catalog}.{schema}"

        def page(items):
            futures = [self.lookups.submit(self.model_one, catalog, schema, m) for m in items]
            records = [f.result() for f in futures]
            self.count("models", sum(r is not None for r in records))
            return records

        self.listing_of(f"models:{parent}", "model", parent, f"models of {parent}", f"{UC}/models", "registered_models",
                        {"catalog_name": catalog, "schema_name": schema}, "models", lambda name: True, page)

    def model_one(self, catalog: str, schema: str, item: dict):
        full = f"{catalog}.{schema}.{item['name']}"
        if self.stop.is_set():
            return None
        try:
            versions = []
            for items, _ in pages(self.api, f"{UC}/models/{segment(full)}/versions", "model_versions", {}, f"versions of model {full}",
                                  self.opts.page_for("model_versions")):
                versions += items
            aliases = item.get("aliases")
            if aliases is None:
                # Listings may leave aliases out; the model itself has them on request.
                aliases = self.api.get(f"{UC}/models/{segment(full)}", {"include_aliases": True}).get("aliases")
            return model_record(catalog, schema, item, aliases if isinstance(aliases, list) else [], versions)
        except Exception as exc:  # noqa: BLE001 - one model's versions must not hide the others
            self.report(f"model:{full}", exc)
            return None


def cmd_stream_catalog(params: dict) -> dict:
    """Walks Unity Catalog (see the module docstring); returns how many of each kind were emitted."""
    opts = Options(params)
    return Walk(api_client(opts.retry_timeout), opts).run()
