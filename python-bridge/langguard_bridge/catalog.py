"""Unity Catalog traversal: catalogs, schemas, tables (with their columns), volumes, functions and
registered models (with versions and aliases), streamed as `catalog` records.

Each container (the catalogs of the metastore, the schemas of a catalog, the tables, volumes or
functions of a schema, the registered models of a catalog) ends with a checkpoint only when its
listing completed without error: the consumer marks objects missing from a checkpointed container
deleted, so a listing that failed or was cut short must never get one. A checkpoint names the
container by its parts and lists the entries the filters left out, which the consumer must not take
for deleted. Names are parts; full names (names.py) are for display and the API. Pages are read
through databricks-sdk's transport (its auth and retries) but followed by our own pager, because the
SDK's iterators follow a repeating `next_page_token` forever. A workspace that throttles stops the
whole walk, to wait in the queue (uc.py).
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from . import ai_assets
from .errors import FATAL, BridgeFailure
from .filters import Filters
from .names import full_name
from .protocol import emit, emit_many
from .tags import NONE, ObjectTags, WarehouseTags
from .uc import UC, api_client, epoch_ms, failure_of, is_throttle, pages, record, segment, text, whole
from .workers import Work

if TYPE_CHECKING:
    from .catalog_stats import TableStats

KINDS = ("tables", "volumes", "functions", "models")
# The Unity Catalog spec's maxima: spec-strict servers refuse a larger max_results as invalid.
MAX_PAGE = {"catalogs": 1000, "schemas": 1000, "tables": 50, "volumes": 10000, "functions": 1000, "models": 50, "model_versions": 50, "genieSpaces": 100}
TABLES_WITH_DETAIL = {"MANAGED", "EXTERNAL"}
# Where a container's failure leaves things: nothing retries it within this run.
CONTAINER_HINT = "Nothing under it is marked deleted in this run; the next sync reads it again."


# ------------------------------------------------------------------ parameters
class Options:
    """The walk's settings, from parameters main() validated against the contract (contract.py):
    keys, bounds and defaults are stated there, in packages/bridge-client, only."""

    def __init__(self, params: dict):
        self.filters = Filters(params)
        self.page_size = params["pageSize"]
        self.concurrency = params["concurrency"]
        self.kinds = [k for k in KINDS if k in params["kinds"]]
        # Workspace-wide listings beside Unity Catalog (ai_assets.py), asked for through the same `kinds`.
        self.serving_endpoints = "servingEndpoints" in params["kinds"]
        self.genie_spaces = "genieSpaces" in params["kinds"]
        self.tags = params["tags"]
        self.tags_concurrency = params["tagsConcurrency"]
        # None keeps the SDK's own retry budget (minutes); a catalog job may want to give up on a
        # container sooner and move on to the others.
        self.retry_timeout = params.get("retryTimeoutSeconds")
        stats = params["stats"]
        self.stats = stats["enabled"]
        self.warehouse_id = (stats.get("warehouseId") or os.environ.get("DATABRICKS_WAREHOUSE_ID") or "").strip() or None
        self.stats_concurrency = stats["concurrency"]
        # The Statement Execution API accepts 0 or 5..50 seconds. Warehouse tag statements use
        # these timings too, whether or not stats are read.
        wait = stats["waitTimeoutSeconds"]
        self.wait_timeout = 0 if wait == 0 else max(5, int(wait))
        self.poll_interval = stats["pollIntervalSeconds"]
        self.max_wait = stats["maxWaitSeconds"]

    def page_for(self, listing: str) -> int | None:
        # 0 asks for the server's page size; leaving max_results out would let some listings
        # answer everything at once, as they do for old clients. The Genie API's page_size has no
        # such 0: there, 0 leaves the parameter out (its default, 20).
        if listing == "genieSpaces" and self.page_size == 0:
            return None
        return min(self.page_size, MAX_PAGE[listing])


# ------------------------------------------------------------------ records
def _properties(value) -> dict:
    return {str(k): v if isinstance(v, str) else str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _audit(item: dict) -> dict:
    return {"owner": text(item.get("owner")), "comment": text(item.get("comment")), "createdAt": epoch_ms(item.get("created_at")), "updatedAt": epoch_ms(item.get("updated_at"))}


def _name(item, field: str = "name") -> str:
    name = item.get(field) if isinstance(item, dict) else None
    if not isinstance(name, str) or not name:
        raise BridgeFailure("bad_response", "The server listed an entry without a name")
    return name


def _named(kind: str, parts: tuple) -> dict:
    names = {"catalog": parts[0]} if kind != "catalog" else {}
    if len(parts) == 3:
        names["schema"] = parts[1]
    return {"kind": kind, **names, "name": parts[-1], "fullName": full_name(*parts)}


def catalog_record(item: dict, tags) -> dict:
    return {**_named("catalog", (item["name"],)), **_audit(item), "properties": _properties(item.get("properties")), **tags.fields()}


def schema_record(catalog: str, item: dict, tags) -> dict:
    return {**_named("schema", (catalog, item["name"])), **_audit(item), "properties": _properties(item.get("properties")), **tags.fields()}


def column_record(column: dict, index: int, tags: dict | None) -> dict:
    if not isinstance(column, dict) or not isinstance(column.get("name"), str):
        raise BridgeFailure("bad_response", "The server listed a column without a name")
    position = whole(column.get("position"))
    nullable = column.get("nullable")
    out = {
        "name": column["name"],
        "typeText": text(column.get("type_text")),
        "typeName": text(column.get("type_name")),
        "nullable": nullable if isinstance(nullable, bool) else None,
        "position": index if position is None else position,
        "comment": text(column.get("comment")),
    }
    if tags is not None:
        out["tags"] = tags.get(column["name"], [])
    return out


def table_record(catalog: str, schema: str, item: dict, tags, column_tags: dict | None) -> dict:
    columns = item.get("columns") or []
    return {
        **_named("table", (catalog, schema, item["name"])),
        "tableType": text(item.get("table_type")),
        "dataSourceFormat": text(item.get("data_source_format")),
        "storageLocation": text(item.get("storage_location")),
        **_audit(item),
        "properties": _properties(item.get("properties")),
        **tags.fields(),
        "columns": [column_record(c, i, column_tags) for i, c in enumerate(columns if isinstance(columns, list) else [])],
    }


def volume_record(catalog: str, schema: str, item: dict, tags) -> dict:
    return {**_named("volume", (catalog, schema, item["name"])), "volumeType": text(item.get("volume_type")), "storageLocation": text(item.get("storage_location")), **_audit(item), **tags.fields()}


def function_record(catalog: str, schema: str, item: dict, tags) -> dict:
    params = (item.get("input_params") or {}).get("parameters") if isinstance(item.get("input_params"), dict) else None
    parameters = []
    for index, p in enumerate(params if isinstance(params, list) else []):
        if not isinstance(p, dict) or not isinstance(p.get("name"), str):
            raise BridgeFailure("bad_response", "The server listed a function parameter without a name")
        position = whole(p.get("position"))
        parameters.append(
            {"name": p["name"], "typeText": text(p.get("type_text")), "typeName": text(p.get("type_name")), "position": index if position is None else position, "comment": text(p.get("comment"))}
        )
    return {
        **_named("function", (catalog, schema, item["name"])),
        **_audit(item),
        "dataType": text(item.get("data_type")),
        "fullDataType": text(item.get("full_data_type")),
        "routineBody": text(item.get("routine_body")),
        "parameters": parameters,
        **tags.fields(),
    }


def model_record(catalog: str, schema: str, item: dict, aliases: list, versions: list, tags) -> dict:
    # The API promises no order; a stable one keeps an unchanged model's line identical.
    alias_list = sorted(({"alias": text(a.get("alias_name")), "version": whole(a.get("version_num"))} for a in aliases if isinstance(a, dict)), key=lambda a: str(a["alias"]))
    version_list = sorted(
        (
            {
                "version": whole(v.get("version")),
                "status": text(v.get("status")),
                "source": text(v.get("source")),
                "runId": text(v.get("run_id")),
                "comment": text(v.get("comment")),
                "createdAt": epoch_ms(v.get("created_at")),
            }
            for v in versions
            if isinstance(v, dict)
        ),
        key=lambda v: (v["version"] is None, v["version"] or 0),
    )
    return {**_named("model", (catalog, schema, item["name"])), **_audit(item), "aliases": alias_list, "versions": version_list, **tags.fields()}


def checkpoint(listing: str, parent: tuple, items: int, excluded: list) -> dict:
    message = {"type": "checkpoint", "stream": "catalog", "container": f"{listing}:{full_name(*parent)}", "listing": listing, "parent": list(parent), "items": items, "done": True}
    if excluded:
        message["excluded"] = excluded
    return message


# ------------------------------------------------------------------ the walk
class Walk:
    def __init__(self, api, opts: Options):
        self.api = api
        self.opts = opts
        self.filters = opts.filters
        self.stop = threading.Event()
        self.fatal: BridgeFailure | None = None
        self._lock = threading.Lock()
        self.counts = dict.fromkeys(("catalogs", "schemas", "tables", "columns", "volumes", "functions", "models", "servingEndpoints", "genieSpaces", "errors", "stats"), 0)
        self.listing = Work(opts.concurrency, "catalog-list")
        # Per-entity lookups (tags, model versions) run beside the listings: a listing thread waits on
        # them, so they need their own threads or a full listing pool would wait on itself.
        self.lookups = ThreadPoolExecutor(max_workers=opts.concurrency, thread_name_prefix="catalog-lookup")
        self.tags: ObjectTags | WarehouseTags | None = None
        self.object_tags: ObjectTags | None = None
        self.stats: TableStats | None = None

    # ---- bookkeeping
    def count(self, key: str, n: int = 1) -> None:
        with self._lock:
            self.counts[key] += n

    def fail(self, failure: BridgeFailure) -> None:
        with self._lock:
            if self.fatal is None:
                self.fatal = failure
        self.stop.set()

    def report(self, container: str, kind: str, parts: tuple, exc: BaseException) -> None:
        """Emits a container's (or one object's) failure, or ends the walk when nothing can escape it:
        bad credentials, or a workspace asking us to wait."""
        failure = failure_of(exc)
        if failure.kind in FATAL or is_throttle(failure):
            self.fail(failure)
            return
        if failure.kind == "internal":
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        self.count("errors")
        emit(failure.as_message(container=container, containerKind=kind, fullName=full_name(*parts), hint=CONTAINER_HINT))

    def guarded(self, container: str, kind: str, parts: tuple, fn, *args) -> None:
        if self.stop.is_set():
            return
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - one container's failure must not end the others
            self.report(container, kind, parts, exc)

    def submit(self, listing: str, parts: tuple, fn, *args) -> None:
        self.listing.submit(self.guarded, f"{listing}:{full_name(*parts)}", listing, parts, fn, *args)

    # ---- the command
    def run(self) -> dict:
        if self.opts.tags:
            object_tags = self.object_tags = ObjectTags(self)
            self.tags = WarehouseTags(self, object_tags) if self.opts.warehouse_id else object_tags
        if self.opts.stats:
            if self.opts.warehouse_id:
                from .catalog_stats import TableStats

                self.stats = TableStats(self)
            else:
                from .check import WAREHOUSE_REQUIRED_HINT

                self.count("errors")
                emit(BridgeFailure("config", "Warehouse ID required for catalog operations", WAREHOUSE_REQUIRED_HINT).as_message(container="stats"))
        try:
            self.submit("catalogs", (), self.catalogs)
            # Independent of the catalogs: a refusal of one API fails only its own listing.
            if self.opts.serving_endpoints:
                self.submit("servingEndpoints", (), ai_assets.serving_endpoints, self)
            if self.opts.genie_spaces:
                self.submit("genieSpaces", (), ai_assets.genie_spaces, self)
            self.listing.wait()
            if self.stats is not None:
                self.stats.wait()
        finally:
            self.stop.set()
            self.lookups.shutdown(wait=True, cancel_futures=True)
            if self.object_tags is not None:
                self.object_tags.close()
        if self.fatal is not None:
            raise self.fatal
        return dict(self.counts)

    def tags_of(self, kind: str, names: list) -> list:
        if self.tags is None:
            return [NONE] * len(names)
        return self.tags.many(kind, names)

    # ---- listings
    def entries(self, items: list, singular: str, parent: tuple, wanted, field: str = "name") -> tuple:
        """The page's entries this walk keeps, those the filters leave out (as full parts), and
        whether any was malformed (its container is then incomplete)."""
        kept, excluded, broken = [], [], False
        for item in items:
            try:
                name = _name(item, field)
                if singular == "model":
                    _name(item, "schema_name")
            except BridgeFailure as failure:
                broken = True
                self.count("errors")
                emit(failure.as_message(container=f"{singular}:{full_name(*parent)}.?", containerKind=singular, fullName=full_name(*parent, "?")))
                continue
            if wanted(item, name):
                kept.append(item)
            else:
                excluded.append(list(parent) + ([item.get("schema_name")] if singular == "model" else []) + [name])
        return kept, excluded, broken

    def build(self, kind: str, parts: tuple, make):
        """A record, or None (reported as the object's error) when the server's entry cannot be read."""
        try:
            return make()
        except Exception as exc:  # noqa: BLE001 - one malformed entry must not hide the rest of the page
            self.report(f"{kind}:{full_name(*parts)}", kind, parts, exc)
            return None

    def listing_of(self, listing: str, singular: str, parent: tuple, path: str, key: str, query: dict, wanted, page, then=None, page_param: str | None = "max_results", field: str = "name"):
        """Reads a container page by page; `page(items)` returns its records (None for an entry it
        could not read, which leaves the container without a checkpoint), and `then(records)` runs
        once they are out, so work about an object never reaches the consumer before the object."""
        total, complete, excluded = 0, True, []
        what = f"{listing} of {full_name(*parent)}" if parent else listing
        size = self.opts.page_for(listing) if page_param else None
        for items, last in pages(self.api, path, key, query, what, size, page_param or "max_results"):
            if self.stop.is_set():
                return
            kept, left_out, broken = self.entries(items, singular, parent, wanted, field)
            excluded += left_out
            complete = complete and not broken
            records = page(kept)
            if self.stop.is_set():
                return
            complete = complete and all(r is not None for r in records)
            records = [r for r in records if r is not None]
            total += len(records)
            messages = [record(r) for r in records]
            if last and complete:
                messages.append(checkpoint(listing, parent, total, excluded))
            if messages:
                emit_many(messages)
            if then is not None and records:
                then(records)

    def catalogs(self) -> None:
        def page(items):
            tags = self.tags_of("catalog", [(c["name"],) for c in items])
            records = [self.build("catalog", (c["name"],), lambda c=c, t=t: catalog_record(c, t)) for c, t in zip(items, tags)]
            self.count("catalogs", sum(r is not None for r in records))
            return records

        def then(records):
            for r in records:
                self.submit("schemas", (r["name"],), self.schemas, r["name"])
                if "models" in self.opts.kinds:
                    self.submit("models", (r["name"],), self.models, r["name"])

        self.listing_of("catalogs", "catalog", (), f"{UC}/catalogs", "catalogs", {}, lambda item, name: self.filters.wants_catalog(name), page, then)

    def schemas(self, catalog: str) -> None:
        def page(items):
            tags = self.tags_of("schema", [(catalog, s["name"]) for s in items])
            records = [self.build("schema", (catalog, s["name"]), lambda s=s, t=t: schema_record(catalog, s, t)) for s, t in zip(items, tags)]
            self.count("schemas", sum(r is not None for r in records))
            return records

        def then(records):
            for r in records:
                for kind in self.opts.kinds:
                    if kind != "models":
                        self.submit(kind, (catalog, r["name"]), getattr(self, kind), catalog, r["name"])

        self.listing_of("schemas", "schema", (catalog,), f"{UC}/schemas", "schemas", {"catalog_name": catalog}, lambda item, name: self.filters.wants_schema(catalog, name), page, then)

    def tables(self, catalog: str, schema: str) -> None:
        def page(items):
            tags = self.tags_of("table", [(catalog, schema, t["name"]) for t in items])
            columns = self.tags.columns if self.tags is not None else (lambda parts: None)
            records = [self.build("table", (catalog, schema, t["name"]), lambda t=t, g=g: table_record(catalog, schema, t, g, columns((catalog, schema, t["name"])))) for t, g in zip(items, tags)]
            done = [r for r in records if r is not None]
            self.count("tables", len(done))
            self.count("columns", sum(len(r["columns"]) for r in done))
            return records

        def then(records):
            if self.stats is not None:
                for r in records:
                    if r["tableType"] in TABLES_WITH_DETAIL:
                        self.stats.submit(catalog, schema, r["name"])

        self.listing_of(
            "tables",
            "table",
            (catalog, schema),
            f"{UC}/tables",
            "tables",
            {"catalog_name": catalog, "schema_name": schema},
            lambda item, name: self.filters.wants_table(catalog, schema, name),
            page,
            then,
        )

    def volumes(self, catalog: str, schema: str) -> None:
        def page(items):
            tags = self.tags_of("volume", [(catalog, schema, v["name"]) for v in items])
            records = [self.build("volume", (catalog, schema, v["name"]), lambda v=v, t=t: volume_record(catalog, schema, v, t)) for v, t in zip(items, tags)]
            self.count("volumes", sum(r is not None for r in records))
            return records

        self.listing_of("volumes", "volume", (catalog, schema), f"{UC}/volumes", "volumes", {"catalog_name": catalog, "schema_name": schema}, lambda item, name: True, page)

    def functions(self, catalog: str, schema: str) -> None:
        def page(items):
            tags = self.tags_of("function", [(catalog, schema, f["name"]) for f in items])
            records = [self.build("function", (catalog, schema, f["name"]), lambda f=f, t=t: function_record(catalog, schema, f, t)) for f, t in zip(items, tags)]
            self.count("functions", sum(r is not None for r in records))
            return records

        self.listing_of("functions", "function", (catalog, schema), f"{UC}/functions", "functions", {"catalog_name": catalog, "schema_name": schema}, lambda item, name: True, page)

    def models(self, catalog: str) -> None:
        """The registered models of a whole catalog, in one listing (one request per 50 models instead
        of one per schema); a model whose schema the filters leave out is excluded."""

        def wanted(item, name):
            return self.filters.wants_schema(catalog, item["schema_name"])

        def page(items):
            names = [(catalog, m["schema_name"], m["name"]) for m in items]
            tags = self.tags_of("model", names)
            futures = [self.lookups.submit(self.model_one, parts, m, t) for parts, m, t in zip(names, items, tags)]
            records = [f.result() for f in futures]
            self.count("models", sum(r is not None for r in records))
            return records

        self.listing_of("models", "model", (catalog,), f"{UC}/models", "registered_models", {"catalog_name": catalog}, wanted, page)

    def model_one(self, parts: tuple, item: dict, tags):
        if self.stop.is_set():
            return None
        full = full_name(*parts)
        try:
            versions = []
            for items, _ in pages(self.api, f"{UC}/models/{segment(full)}/versions", "model_versions", {}, f"versions of model {full}", self.opts.page_for("model_versions")):
                versions += items
            aliases = item.get("aliases")
            if aliases is None:
                # Listings may leave aliases out; the model itself has them on request.
                aliases = self.api.get(f"{UC}/models/{segment(full)}", {"include_aliases": True}).get("aliases")
            return model_record(parts[0], parts[1], item, aliases if isinstance(aliases, list) else [], versions, tags)
        except Exception as exc:  # noqa: BLE001 - one model's versions must not hide the others
            self.report(f"model:{full}", "model", parts, exc)
            return None


def cmd_stream_catalog(params: dict) -> dict:
    """Walks Unity Catalog (see the module docstring); returns how many of each kind were emitted."""
    opts = Options(params)
    return Walk(api_client(opts.retry_timeout), opts).run()
