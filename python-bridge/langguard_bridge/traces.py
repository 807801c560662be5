"""Trace commands: list the experiments, then page through each one's traces in ascending time."""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time

from .errors import FATAL, BridgeFailure, classify
from .protocol import _json_default, emit, emit_many
from .source import mlflow_client
from .transport import limit_requests
from .workers import Work


def _experiment_record(exp) -> dict:
    return {"id": exp.experiment_id, "name": exp.name, "lifecycle": exp.lifecycle_stage}


def cmd_list_experiments(params: dict) -> dict:
    """The experiments a sync would read (each as a record, and their count); or, given `pageSize`,
    one page of the workspace's active experiments by name, for a person choosing some."""
    _, client = mlflow_client()
    if params.get("pageSize") is not None:
        return _experiment_page(client, params)
    count = sum(1 for _ in _experiments(client, params))
    return {"experiments": count}


def _experiment_page(client, params: dict) -> dict:
    """One page of active experiments in name order whose name contains `search` (any case).

    MLflow's filter grammar has no escape inside a quoted string, so the value is quoted with a
    quote it does not contain (the gateway refuses a search holding both)."""
    from mlflow.entities import ViewType

    search = params["search"]
    quote = "'" if "'" not in search else '"'
    filter_string = f"name ILIKE {quote}%{search}%{quote}" if search else None
    page = client.search_experiments(
        view_type=ViewType.ACTIVE_ONLY,
        max_results=params["pageSize"],
        filter_string=filter_string,
        order_by=["name ASC"],
        page_token=params.get("pageToken") or None,
    )
    emit_many([{"type": "record", "stream": "experiments", "data": _experiment_record(exp)} for exp in page])
    return {"experiments": len(page), "nextPageToken": page.token or None}


def _experiments(client, params: dict):
    """Yields (and emits as records) the configured experiments, or every active one (paged)."""
    selected = params["selected"]
    if selected:
        for ref in selected:
            try:
                exp = client.get_experiment(ref) if str(ref).isdigit() else client.get_experiment_by_name(ref)
                if exp is None:
                    raise BridgeFailure("not_found", "Experiment not found", "Check the experiment id or name in the integration's settings.")
                if exp.lifecycle_stage != "active":
                    raise BridgeFailure("not_found", "Experiment is deleted", "Restore it in MLflow or remove it from the integration.")
            except Exception as exc:  # noqa: BLE001 - one bad reference must not hide the others
                _emit_experiment_error(str(ref), exc)
                continue
            emit({"type": "record", "stream": "experiments", "data": _experiment_record(exp)})
            yield exp
        return
    from mlflow.entities import ViewType

    token = None
    while True:
        page = client.search_experiments(view_type=ViewType.ACTIVE_ONLY, max_results=params["experimentPageSize"], page_token=token)
        for exp in page:
            emit({"type": "record", "stream": "experiments", "data": _experiment_record(exp)})
            yield exp
        token = page.token
        if not token:
            return


def _emit_experiment_error(experiment_id: str, exc: BaseException) -> None:
    failure = classify(exc)
    if failure.kind in FATAL:
        raise failure
    emit(failure.as_message(experimentId=experiment_id))


def cmd_stream_traces(params: dict) -> dict:
    """Lists the experiments, then reads each one's traces in ascending time.

    `cursors` maps experiment ids to the timestamp to read from; experiments without one read
    from `defaultSinceMs`. After each page a checkpoint names the newest timestamp it covered:
    the consumer stores the page and that cursor together, so the cursor never runs ahead of
    stored data. A window larger than a page is split into time slices read at once (see
    `_ExperimentRead`). Experiments and slices share one pool of threads, each holding at most
    one page, and the requests they and MLflow's own span fetchers make are capped at
    `concurrency` in flight, so one workspace is never flooded.
    """
    _, client = mlflow_client()
    # Keys, bounds and defaults are the contract's (contract.py); main() validated them.
    page_size = int(params["pageSize"])
    max_bytes = int(params["maxPayloadBytes"])
    concurrency = int(params["concurrency"])
    cursors = {k: int(v) for k, v in params["cursors"].items()}
    default_since = int(params["defaultSinceMs"])
    # Experiments a resumed run has already read completely are listed (so they stay known) but not read again.
    skip = set(params["skip"])
    # Incremental reads also sweep for traces written after they were first due (see _ExperimentRead).
    late = params.get("late") or None
    limit_requests(concurrency)
    experiments = [exp for exp in _experiments(client, params) if exp.experiment_id not in skip]
    # As many page threads as requests: MLflow fetches each page's spans in several requests at
    # once, so the cap, not the thread count, is what bounds the workspace's load.
    pool = Work(concurrency, "trace-read")
    # Traces the consumer already holds in each experiment's window, by the hash of their info.
    known = params["known"]
    reads = [
        _ExperimentRead(client, exp.experiment_id, cursors.get(exp.experiment_id, default_since), page_size, max_bytes, late, pool, concurrency, known.get(exp.experiment_id)) for exp in experiments
    ]
    for read in reads:
        read.start()
    pool.wait()
    return {"experiments": len(experiments), "traces": sum(r.count for r in reads)}


class _ExperimentRead:
    """One experiment's read, as parts numbered in the order their cursors may be committed.

    - Part 0, for incremental reads: the late sweep. MLflow stamps a trace with its start time but
      writes it when it ends, so a trace that started before this window and ended after the
      previous sync was missed then. It ran longer than the overlap (the previous cursor was at
      least its start plus the overlap), so reading the window's preceding `maxDurationMs`,
      limited to traces longer than the overlap, finds every one of them.
    - Then the first page of the window. Most incremental windows fit in it: one request, done.
    - When more remains, the rest of the window is cut into time slices sized from the first
      page's density, read at once. The last slice is open-ended, so nothing written meanwhile is
      cut off.

    Checkpoints carry the part's number; the consumer moves the experiment's cursor only over the
    prefix of parts already committed, so a crash resumes exactly, whatever order parts finished
    in. When every part is read, one last checkpoint marks the experiment done.
    """

    def __init__(self, client, experiment_id: str, since_ms: int, page_size: int, max_bytes: int, late, pool: Work, max_slices: int, known=None):
        self.client, self.experiment_id, self.since_ms = client, experiment_id, since_ms
        self.known = known or {}
        self.page_size, self.max_bytes, self.pool, self.max_slices = page_size, max_bytes, pool, max_slices
        self.sweep = late is not None and since_ms > 0 and int(late.get("maxDurationMs", 0)) > 0
        self.late = late
        self.count = 0
        self.pages = 0
        self.newest = since_ms
        self._lock = threading.Lock()
        self._open = 0
        self._failed = False
        self._next_part = 0

    def _part_number(self) -> int:
        with self._lock:
            number = self._next_part
            self._next_part += 1
            self._open += 1
            return number

    def start(self) -> None:
        sweep_part = self._part_number() if self.sweep else None
        first_part = self._part_number()
        if sweep_part is not None:
            self.pool.submit(lambda: self._guarded(lambda: self._read_sweep(sweep_part)))
        self.pool.submit(lambda: self._guarded(lambda: self._read_first(first_part)))

    def _guarded(self, work) -> None:
        try:
            work()
        except Exception as exc:  # noqa: BLE001 - one experiment's failure must not stop the others
            with self._lock:
                first_failure = not self._failed
                self._failed = True
            if first_failure:
                try:
                    _emit_experiment_error(self.experiment_id, exc)
                except BridgeFailure:
                    self.pool.stop.set()
                    raise
        finally:
            self._part_finished()

    def _part_finished(self) -> None:
        with self._lock:
            self._open -= 1
            finished = self._open == 0 and not self._failed and not self.pool.stop.is_set()
            self.pages += 1 if finished else 0
            page, newest = self.pages, self.newest
        if finished and self._next_part > 1:
            emit({"type": "checkpoint", "stream": "traces", "experimentId": self.experiment_id, "cursorMs": newest, "traces": 0, "page": page, "done": True})

    @property
    def _stopped(self) -> bool:
        return self._failed or self.pool.stop.is_set()

    def _read_sweep(self, part: int) -> None:
        late = self.late
        window = f"trace.timestamp_ms >= {max(0, self.since_ms - int(late['maxDurationMs']))} AND trace.timestamp_ms < {self.since_ms}"
        try:
            self._read_pages(f"{window} AND trace.execution_time_ms > {int(late['overlapMs'])}", part, known_only=True)
        except Exception as exc:  # noqa: BLE001 - a server that cannot filter on duration reads the whole window instead
            if classify(exc).kind != "config":
                raise
            _warn_once("duration-filter", "The workspace rejected a filter on trace.execution_time_ms; late traces are found by re-reading the whole late window instead, which costs more reads.")
            self._read_pages(window, part, known_only=True)

    def _read_first(self, part: int) -> None:
        started_ms = int(time.time() * 1000)
        where = f"trace.timestamp_ms >= {self.since_ms}" if self.since_ms > 0 else None
        page = self._page(where, None, known_only=True)
        single = not page.token and self._next_part == 1
        # An experiment read in one page keeps the plain protocol: one checkpoint, done.
        self._emit_page(page, None if single else part, done=not page.token)
        if not page.token or self._stopped:
            return
        if not page.timestamps:
            # Nothing to size slices by: the rest is read as one stream.
            self._read_pages(where, part, token=page.token)
            return
        first_ms, last_ms = page.timestamps[0], page.timestamps[-1]
        for lower, upper in self._slices(first_ms, last_ms, len(page.timestamps), max(started_ms, last_ms + 1)):
            number = self._part_number()
            where = f"trace.timestamp_ms >= {lower}" + (f" AND trace.timestamp_ms < {upper}" if upper is not None else "")
            # Traces at the first page's last timestamp that it already carried are not read twice.
            skip_ids = page.ids_at_last if lower == last_ms else None
            self.pool.submit(lambda where=where, number=number, skip_ids=skip_ids: self._guarded(lambda: self._read_pages(where, number, skip_ids)))

    def _slices(self, first_ms: int, last_ms: int, first_count: int, end_ms: int):
        """Cuts [last_ms, ∞) into slices of roughly equal expected size. The first page's density
        estimates how many pages remain up to `end_ms`; each slice gets a few of them."""
        span = max(1, last_ms - first_ms)
        expected_pages = first_count * (end_ms - last_ms) / span / self.page_size
        count = max(1, min(self.max_slices, math.ceil(expected_pages / 2)))
        step = max(1, (end_ms - last_ms) // count)
        bounds = [last_ms + i * step for i in range(count)]
        return [(lower, bounds[i + 1] if i + 1 < len(bounds) else None) for i, lower in enumerate(bounds)]

    def _read_pages(self, filter_string, part: int, skip_ids=None, token=None, known_only=False) -> None:
        seen = {token} if token else set()
        while not self._stopped:
            page = self._page(filter_string, token, skip_ids, known_only)
            token = page.token
            if token in seen:
                # A server that hands back a token it already gave would be read for ever.
                raise BridgeFailure(
                    "bad_response",
                    "The server repeated a page token while listing this experiment's traces",
                    "The workspace's trace search misbehaved; the next sync reads this experiment again from its cursor.",
                )
            seen.add(token)
            self._emit_page(page, part, done=not token)
            if not token:
                return

    def _search(self, filter_string, token, include_spans: bool):
        return self.client.search_traces(
            locations=[self.experiment_id],
            filter_string=filter_string,
            max_results=self.page_size,
            order_by=["timestamp_ms ASC"],
            page_token=token,
            include_spans=include_spans,
        )

    def _page(self, filter_string, token, skip_ids=None, known_only=False) -> _Page:
        """One page of the read. Where the consumer already holds traces of this window (`known`:
        trace id → the hash of its info when stored), the page is listed without spans first and
        only traces that are new or whose info changed are fetched whole: MLflow rewrites a
        trace's info whenever its spans, state, tags or assessments change, so an equal info hash
        means an unchanged trace, and a sync that finds nothing new reads no spans at all."""
        if not (known_only and self.known):
            listed = self._search(filter_string, token, include_spans=True)
            traces = [t for t in listed if not (skip_ids and t.info.trace_id in skip_ids)]
            return _Page(self, [t.info for t in traces], {t.info.trace_id: t for t in traces}, listed.token)
        listed = self._search(filter_string, token, include_spans=False)
        infos = [t.info for t in listed if not (skip_ids and t.info.trace_id in skip_ids)]
        changed = [i.trace_id for i in infos if self.known.get(i.trace_id) != info_hash(i)]
        return _Page(self, infos, self._whole_traces(changed), listed.token)

    def _whole_traces(self, trace_ids: list) -> dict:
        found = {}
        for start in range(0, len(trace_ids), _BATCH_GET):
            for trace in self.client._tracing_client.batch_get_traces(trace_ids[start : start + _BATCH_GET]):
                found[trace.info.trace_id] = trace
        return found

    def _emit_page(self, page: _Page, part, done: bool) -> None:
        newest_in_page = max(page.timestamps, default=self.since_ms)
        with self._lock:
            self.newest = max(self.newest, newest_in_page)
            self.count += len(page.records)
            self.pages += 1
            number = self.pages
        # A part's checkpoint never moves below the read's start: the consumer keeps the greatest.
        checkpoint = {
            "type": "checkpoint",
            "stream": "traces",
            "experimentId": self.experiment_id,
            "cursorMs": max(self.since_ms, newest_in_page),
            "traces": len(page.records),
            "page": number,
            "done": done,
        }
        if part is not None:
            checkpoint["slice"] = part
        if page.unchanged:
            checkpoint["unchanged"] = page.unchanged
        emit_many([*page.records, checkpoint])


# Trace ids per batch-get request (the server's BatchGetTraces limit).
_BATCH_GET = 10


class _Page:
    """A page as listed (every trace's timestamp, in order) and the records to send: the traces
    fetched whole. Listed traces that were not fetched are unchanged and only counted."""

    def __init__(self, read: _ExperimentRead, infos: list, whole: dict, token):
        self.token = token
        self.timestamps = [_timestamp_ms(i) for i in infos]
        last = self.timestamps[-1] if infos else None
        self.ids_at_last = {i.trace_id for i in infos if _timestamp_ms(i) == last}
        self.records = []
        for info in infos:
            trace = whole.get(info.trace_id)
            if trace is not None:
                record = trace_record(trace, read.max_bytes)
                # The listed info's hash: what the next read compares with.
                record["infoHash"] = info_hash(info)
                self.records.append({"type": "record", "stream": "traces", "experimentId": read.experiment_id, "data": record})
        self.unchanged = len(infos) - len(self.records)


def info_hash(info) -> str:
    return hashlib.sha256(json.dumps(info.to_dict(), sort_keys=True, default=str).encode()).hexdigest()[:32]


def _timestamp_ms(info) -> int:
    return int(getattr(info, "request_time", None) or getattr(info, "timestamp_ms", 0) or 0)


_warned: set = set()
_warned_lock = threading.Lock()


def _warn_once(key: str, message: str) -> None:
    with _warned_lock:
        if key in _warned:
            return
        _warned.add(key)
    emit({"type": "log", "level": "warn", "message": message})


def trace_record(trace, max_bytes: int | None) -> dict:
    info = trace.info.to_dict()
    # MLflow records each trace's total size; when the whole trace fits the limit no single
    # payload can exceed it, and the per-field size checks (a JSON encoding each) are skipped.
    size = str((info.get("trace_metadata") or info.get("request_metadata") or {}).get("mlflow.trace.sizeBytes", ""))
    if size.isdigit() and max_bytes is not None and int(size) <= max_bytes:
        max_bytes = None
    spans = [span_record(span, max_bytes) for span in trace.data.spans]
    request, request_truncated = bounded(_safe(lambda: trace.data.request), max_bytes)
    response, response_truncated = bounded(_safe(lambda: trace.data.response), max_bytes)
    return {
        "info": info,
        "timestampMs": _timestamp_ms(trace.info),
        "request": request,
        "response": response,
        "truncated": request_truncated or response_truncated,
        "spans": spans,
    }


def _safe(getter):
    try:
        return getter()
    except Exception:  # noqa: BLE001 - a malformed root span must not lose the trace
        return None


_IO_KEYS = ("mlflow.spanInputs", "mlflow.spanOutputs")


def span_record(span, max_bytes: int | None) -> dict:
    attributes = {k: v for k, v in (span.attributes or {}).items() if k not in _IO_KEYS}
    truncated = False
    for key, value in list(attributes.items()):
        attributes[key], cut = bounded(value, max_bytes)
        truncated = truncated or cut
    inputs, cut_in = bounded(span.inputs, max_bytes)
    outputs, cut_out = bounded(span.outputs, max_bytes)
    status = span.status
    return {
        "spanId": span.span_id,
        "parentId": span.parent_id,
        "name": span.name,
        "spanType": span.span_type,
        # Nanosecond epochs exceed 2**53: as strings they survive JSON parsing exactly.
        "startTimeNs": _ns(span.start_time_ns),
        "endTimeNs": _ns(span.end_time_ns),
        "status": getattr(getattr(status, "status_code", None), "value", None) or str(getattr(status, "status_code", "UNSET")),
        "statusMessage": getattr(status, "description", None) or None,
        "inputs": inputs,
        "outputs": outputs,
        "attributes": attributes,
        "events": [{"name": e.name, "timestampNs": _ns(e.timestamp), "attributes": dict(e.attributes or {})} for e in (span.events or [])],
        "truncated": truncated or cut_in or cut_out,
    }


def _ns(value):
    return None if value is None else str(int(value))


def bounded(value, max_bytes):
    """Returns (value, truncated). Oversized values become an explicit, labelled preview."""
    if value is None or max_bytes is None:
        return value, False
    text = value if isinstance(value, str) else json.dumps(value, default=_json_default)
    size = len(text.encode("utf-8"))
    if size <= max_bytes:
        return value, False
    return {"truncated": True, "originalBytes": size, "preview": text.encode("utf-8")[:max_bytes].decode("utf-8", "ignore")}, True
