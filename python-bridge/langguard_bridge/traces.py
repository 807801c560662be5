"""Trace commands: list the experiments, then page through each one's traces in ascending time."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

from .errors import FATAL, BridgeFailure, classify
from .protocol import _json_default, emit, emit_many
from .source import mlflow_client


def _experiment_record(exp) -> dict:
    return {"id": exp.experiment_id, "name": exp.name, "lifecycle": exp.lifecycle_stage}


def cmd_list_experiments(params: dict) -> dict:
    _, client = mlflow_client()
    count = sum(1 for _ in _experiments(client, params))
    return {"experiments": count}


def _experiments(client, params: dict):
    """Yields (and emits as records) the configured experiments, or every active one (paged)."""
    selected = params.get("selected") or []
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
        page = client.search_experiments(view_type=ViewType.ACTIVE_ONLY, max_results=int(params.get("experimentPageSize", 1000)), page_token=token)
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
    """Lists the experiments, then pages through each one's traces in ascending time.

    `cursors` maps experiment ids to the timestamp to read from; experiments without one read
    from `defaultSinceMs`. After each page a checkpoint names the newest timestamp it covered:
    the consumer stores the page and that cursor together, so the cursor never runs ahead of
    stored data. One process serves the whole job; up to `concurrency` experiments are read
    at once, each holding at most one page in memory.
    """
    _, client = mlflow_client()
    page_size = int(params.get("pageSize", 100))
    max_bytes = int(params.get("maxPayloadBytes", 256 * 1024))
    concurrency = max(1, int(params.get("concurrency", 1)))
    cursors = {str(k): int(v) for k, v in (params.get("cursors") or {}).items()}
    default_since = int(params.get("defaultSinceMs") or 0)
    # Experiments a resumed run has already read completely are listed (so they stay known) but not read again.
    skip = {str(e) for e in (params.get("skip") or [])}
    # Incremental reads also sweep for traces written after they were first due (see _stream_experiment).
    late = params.get("late") or None
    experiments = [exp for exp in _experiments(client, params) if exp.experiment_id not in skip]
    stop = threading.Event()

    def one(exp) -> int:
        try:
            return _stream_experiment(client, exp.experiment_id, cursors.get(exp.experiment_id, default_since), page_size, max_bytes, stop, late)
        except Exception as exc:  # noqa: BLE001
            try:
                _emit_experiment_error(exp.experiment_id, exc)
            except BridgeFailure:
                stop.set()
                raise
            return 0

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        counts = [f.result() for f in [pool.submit(one, exp) for exp in experiments]]
    return {"experiments": len(experiments), "traces": sum(counts)}


def _stream_experiment(client, experiment_id: str, since_ms: int, page_size: int, max_bytes: int, stop: threading.Event, late: dict | None = None) -> int:
    """Reads the experiment from its cursor, then sweeps for traces written late.

    MLflow stamps a trace with its start time but writes it when it ends, so a trace that started
    before this read's window and ended after the previous sync is missed by the first read. Such
    a trace ran longer than the overlap (the previous cursor was at least its start plus the
    overlap), so a second read of the window's preceding `maxDurationMs`, limited to traces longer
    than the overlap, finds every one of them; traces still unchanged cost a read and nothing else.
    """
    sweep = late is not None and since_ms > 0 and int(late.get("maxDurationMs", 0)) > 0
    count, newest, pages = _read_pages(client, experiment_id, f"trace.timestamp_ms >= {since_ms}" if since_ms > 0 else None,
                                       since_ms, page_size, max_bytes, stop, last=not sweep)
    if sweep and not stop.is_set():
        window = f"trace.timestamp_ms >= {max(0, since_ms - int(late['maxDurationMs']))} AND trace.timestamp_ms < {since_ms}"
        try:
            swept, _, _ = _read_pages(client, experiment_id, f"{window} AND trace.execution_time_ms > {int(late['overlapMs'])}",
                                      newest, page_size, max_bytes, stop, last=True, first_page=pages + 1)
        except Exception as exc:  # noqa: BLE001 - a server that cannot filter on duration reads the whole window instead
            if classify(exc).kind != "config":
                raise
            _warn_once("duration-filter", "The workspace rejected a filter on trace.execution_time_ms; late traces are found by re-reading "
                       "the whole late window instead, which costs more reads.")
            swept, _, _ = _read_pages(client, experiment_id, window, newest, page_size, max_bytes, stop, last=True, first_page=pages + 1)
        count += swept
    return count


def _read_pages(client, experiment_id: str, filter_string, cursor_ms: int, page_size: int, max_bytes: int, stop: threading.Event,
                last: bool, first_page: int = 1):
    """Pages through one filtered read in ascending start time, each page followed by its checkpoint.
    The checkpoint's cursor never goes below `cursor_ms`; `done` is set on the final page of the last read."""
    token = None
    count = 0
    pages = first_page - 1
    newest = cursor_ms
    while not stop.is_set():
        page = client.search_traces(
            locations=[experiment_id],
            filter_string=filter_string,
            max_results=page_size,
            order_by=["timestamp_ms ASC"],
            page_token=token,
            include_spans=True,
        )
        messages = []
        for trace in page:
            record = trace_record(trace, max_bytes)
            newest = max(newest, record["timestampMs"])
            messages.append({"type": "record", "stream": "traces", "experimentId": experiment_id, "data": record})
        count += len(page)
        pages += 1
        token = page.token
        messages.append({"type": "checkpoint", "experimentId": experiment_id, "cursorMs": newest, "traces": len(page), "page": pages, "done": last and not token})
        emit_many(messages)
        if not token:
            break
    return count, newest, pages - first_page + 1


_warned: set = set()
_warned_lock = threading.Lock()


def _warn_once(key: str, message: str) -> None:
    with _warned_lock:
        if key in _warned:
            return
        _warned.add(key)
    emit({"type": "log", "level": "warn", "message": message})


def trace_record(trace, max_bytes: int) -> dict:
    info = trace.info.to_dict()
    # MLflow records each trace's total size; when the whole trace fits the limit no single
    # payload can exceed it, and the per-field size checks (a JSON encoding each) are skipped.
    size = str((info.get("trace_metadata") or info.get("request_metadata") or {}).get("mlflow.trace.sizeBytes", ""))
    if size.isdigit() and int(size) <= max_bytes:
        max_bytes = None
    spans = [span_record(span, max_bytes) for span in trace.data.spans]
    request, request_truncated = bounded(_safe(lambda: trace.data.request), max_bytes)
    response, response_truncated = bounded(_safe(lambda: trace.data.response), max_bytes)
    return {
        "info": info,
        "timestampMs": int(getattr(trace.info, "request_time", None) or getattr(trace.info, "timestamp_ms", 0) or 0),
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


def span_record(span, max_bytes: int) -> dict:
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
        "events": [
            {"name": e.name, "timestampNs": _ns(e.timestamp), "attributes": dict(e.attributes or {})} for e in (span.events or [])
        ],
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
