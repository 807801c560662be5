"""LangGuard's bridge to Databricks / MLflow.

One process per job. The command is argv[1]; its parameters arrive as one JSON object on
stdin; credentials arrive only through the environment. Every stdout line is one JSON
message (record, checkpoint, progress, log, error, result); free text goes to stderr.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

PROTOCOL_VERSION = 1
_stdout = sys.stdout
# Experiments stream from several threads; a page (its records and its checkpoint) must reach
# stdout as one contiguous block, and lines must never interleave.
_emit_lock = threading.Lock()


def _line(message: dict) -> str:
    # Sorted keys make a record's line identical whenever its content is, so the consumer can
    # tell an unchanged trace from its line alone.
    return json.dumps(message, default=_json_default, separators=(",", ":"), sort_keys=True) + "\n"


def emit(message: dict) -> None:
    emit_many([message])


def emit_many(messages: list) -> None:
    text = "".join(_line(m) for m in messages)
    with _emit_lock:
        _stdout.write(text)
        _stdout.flush()


def _json_default(value):
    if isinstance(value, (set, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def log(level: str, message: str, **fields) -> None:
    emit({"type": "log", "level": level, "message": message, **fields})


class BridgeFailure(Exception):
    def __init__(self, kind: str, message: str, hint: str | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.hint = hint


RETRYABLE = {"rate_limited", "timeout", "unavailable", "internal"}
# Errors that no other experiment can escape: stop the whole command.
FATAL = {"auth", "sdk_missing", "config"}


def classify(exc: BaseException) -> BridgeFailure:
    if isinstance(exc, BridgeFailure):
        return exc
    text = str(exc)
    code = getattr(exc, "error_code", None) or ""
    status = None
    match = re.search(r"error code (\d{3})", text) or re.search(r"\b(\d{3}) (?:Client|Server) Error", text)
    if match:
        status = int(match.group(1))
    status = status or _status_of(exc)
    if code in ("UNAUTHENTICATED",) or status == 401:
        return BridgeFailure("auth", f"401 Unauthorized: {_first_line(text)}", "Check that the token is valid, not expired, and that the host URL is correct (include https://).")
    if code in ("PERMISSION_DENIED",) or status == 403:
        return BridgeFailure("permission", f"403 Forbidden: {_first_line(text)}", "Grant the token CAN_READ on the experiment (and CAN_VIEW on the workspace).")
    if code in ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND", "ENDPOINT_NOT_FOUND") or status == 404:
        return BridgeFailure("not_found", f"Not found: {_first_line(text)}", "Check the experiment id or name, and that it has not been deleted.")
    if code in ("REQUEST_LIMIT_EXCEEDED", "RESOURCE_EXHAUSTED") or status == 429:
        return BridgeFailure("rate_limited", f"429 Too Many Requests: {_first_line(text)}", "The workspace is rate limiting; the sync will retry with backoff.")
    lowered = text.lower()
    if "timed out" in lowered or "timeout" in lowered:
        return BridgeFailure("timeout", f"Request timed out: {_first_line(text)}", "Check network latency to the workspace.")
    if "connection refused" in lowered or "max retries exceeded" in lowered or "name or service not known" in lowered or "failed to resolve" in lowered:
        return BridgeFailure("unavailable", f"Cannot reach the tracking server: {_first_line(text)}", "Check the host URL and that the workspace is reachable from this machine.")
    if code in ("INVALID_PARAMETER_VALUE", "BAD_REQUEST") or status == 400:
        return BridgeFailure("config", f"Rejected by the server: {_first_line(text)}", None)
    return BridgeFailure("internal", f"{type(exc).__name__}: {_first_line(text)}", None)


def _status_of(exc):
    getter = getattr(exc, "get_http_status_code", None)
    try:
        value = getter() if getter else None
        return value if isinstance(value, int) and value != 500 else None
    except Exception:
        return None


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:500]


# ---------------------------------------------------------------------------- source

def import_mlflow():
    try:
        import mlflow  # noqa: F401
        from mlflow import MlflowClient
    except ImportError as exc:
        raise BridgeFailure(
            "sdk_missing",
            f"MLflow SDK not available: {exc}",
            "Install MLflow 3.0+ in the Python that PYTHON_PATH points to: pip install -r python-bridge/requirements.txt",
        )
    major = int(mlflow.__version__.split(".")[0])
    if major < 3:
        raise BridgeFailure("sdk_missing", f"MLflow SDK not available: version {mlflow.__version__} is older than 3.0", "pip install 'mlflow>=3.0.0'")
    return mlflow, MlflowClient


def connect():
    """Points MLflow at the source named by the environment and returns a client."""
    source = os.environ.get("LANGGUARD_SOURCE", "databricks")
    mlflow, MlflowClient = import_mlflow()
    if source == "databricks":
        if not os.environ.get("DATABRICKS_HOST"):
            raise BridgeFailure("config", "DATABRICKS_HOST is not set", "Set the integration's host URL, e.g. https://dbc-xxx.cloud.databricks.com")
        if not os.environ.get("DATABRICKS_TOKEN"):
            raise BridgeFailure("config", "No Databricks token was provided", "Save a personal access token on the integration.")
        uri = "databricks"
    elif source == "mlflow":
        uri = os.environ.get("MLFLOW_TRACKING_URI")
        if not uri:
            raise BridgeFailure("config", "MLFLOW_TRACKING_URI is not set", "Set the integration's host to the tracking server URL.")
    else:
        raise BridgeFailure("config", f"Unknown source {source!r}", None)
    mlflow.set_tracking_uri(uri)
    return mlflow, MlflowClient(tracking_uri=uri)


# ---------------------------------------------------------------------------- commands

def cmd_check(params: dict) -> dict:
    mlflow, client = connect()
    info = {
        "protocol": PROTOCOL_VERSION,
        "python": sys.version.split()[0],
        "mlflow": mlflow.__version__,
        "source": os.environ.get("LANGGUARD_SOURCE", "databricks"),
    }
    try:
        import databricks.sdk.version as dbv

        info["databricksSdk"] = dbv.__version__
    except ImportError:
        info["databricksSdk"] = None
    if info["source"] == "databricks":
        from databricks.sdk import WorkspaceClient

        me = WorkspaceClient(host=os.environ["DATABRICKS_HOST"], token=os.environ["DATABRICKS_TOKEN"]).current_user.me()
        info["user"] = me.user_name
    experiments = client.search_experiments(max_results=1)
    info["experimentsVisible"] = len(experiments) > 0
    return info


def _experiment_record(exp) -> dict:
    return {"id": exp.experiment_id, "name": exp.name, "lifecycle": exp.lifecycle_stage}


def cmd_list_experiments(params: dict) -> dict:
    _, client = connect()
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
                    raise BridgeFailure("not_found", f"Not found: experiment {ref!r} does not exist", "Check the experiment id or name.")
                if exp.lifecycle_stage != "active":
                    raise BridgeFailure("not_found", f"Experiment {ref!r} is deleted", "Restore it in MLflow or remove it from the integration.")
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
    emit({"type": "error", "kind": failure.kind, "message": failure.message, "hint": failure.hint, "retryable": failure.kind in RETRYABLE, "experimentId": experiment_id})


def cmd_stream_traces(params: dict) -> dict:
    """Lists the experiments, then pages through each one's traces in ascending time.

    `cursors` maps experiment ids to the timestamp to read from; experiments without one read
    from `defaultSinceMs`. After each page a checkpoint names the newest timestamp it covered:
    the consumer stores the page and that cursor together, so the cursor never runs ahead of
    stored data. One process serves the whole job; up to `concurrency` experiments are read
    at once, each holding at most one page in memory.
    """
    _, client = connect()
    page_size = int(params.get("pageSize", 100))
    max_bytes = int(params.get("maxPayloadBytes", 256 * 1024))
    concurrency = max(1, int(params.get("concurrency", 1)))
    cursors = {str(k): int(v) for k, v in (params.get("cursors") or {}).items()}
    default_since = int(params.get("defaultSinceMs") or 0)
    experiments = list(_experiments(client, params))
    stop = threading.Event()

    def one(exp) -> int:
        try:
            return _stream_experiment(client, exp.experiment_id, cursors.get(exp.experiment_id, default_since), page_size, max_bytes, stop)
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


def _stream_experiment(client, experiment_id: str, since_ms: int, page_size: int, max_bytes: int, stop: threading.Event) -> int:
    token = None
    count = 0
    pages = 0
    newest = since_ms
    filter_string = f"trace.timestamp_ms >= {since_ms}" if since_ms > 0 else None
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
        messages.append({"type": "checkpoint", "experimentId": experiment_id, "cursorMs": newest, "traces": len(page), "page": pages, "done": not token})
        emit_many(messages)
        if not token:
            break
    return count


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


COMMANDS = {
    "check": cmd_check,
    "list-experiments": cmd_list_experiments,
    "stream-traces": cmd_stream_traces,
}


def main(argv: list[str]) -> int:
    # Libraries print to stdout occasionally; only protocol lines may go there.
    sys.stdout = sys.stderr
    if len(argv) < 2 or argv[1] not in COMMANDS:
        emit({"type": "error", "kind": "config", "message": f"Unknown bridge command; expected one of {', '.join(COMMANDS)}", "retryable": False})
        return 2
    started = time.monotonic()
    try:
        raw = sys.stdin.read()
        params = json.loads(raw) if raw.strip() else {}
        result = COMMANDS[argv[1]](params)
        emit({"type": "result", "data": result, "elapsedMs": int((time.monotonic() - started) * 1000)})
        return 0
    except Exception as exc:  # noqa: BLE001 - every failure leaves as one typed message
        failure = classify(exc)
        if failure.kind == "internal":
            traceback.print_exc(file=sys.stderr)
        emit({"type": "error", "kind": failure.kind, "message": failure.message, "hint": failure.hint, "retryable": failure.kind in RETRYABLE})
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
