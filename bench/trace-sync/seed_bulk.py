"""Seeds an MLflow tracking server with many realistic traces, fast.

Writing each trace through @mlflow.trace costs 0.2-0.4 s, far too slow for tens of thousands.
Instead one template trace is written through the real SDK and the server, read back, and
cloned with fresh ids and timestamps; the clones go straight into the server's SQL store with
`log_spans`, the same call the server makes when it receives spans, which also creates the
trace rows (state, timestamps, token usage) from the spans.

Usage: python seed_bulk.py --tracking-uri URL --store-uri sqlite:///PATH
                           --target NAME=COUNT [--target NAME=COUNT ...]
Prints one JSON line: {"seedSeconds": s, "experiments": [{"name", "experimentId", "traces", "spans", "oldestMs", "newestMs"}]}
"""

from __future__ import annotations

import argparse
import base64
import copy
import json
import os
import secrets
import sys
import time
from pathlib import Path

os.environ.setdefault("MLFLOW_ENABLE_ASYNC_TRACE_LOGGING", "false")

# The template has the demo's bulk shape: eight spans, one agent, LLM calls with token usage.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "demo"))

import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.entities import Span  # noqa: E402
from seed_mlflow import bulk_trace  # noqa: E402

TEMPLATE_EXPERIMENT = "bench-template"
REQUEST_ID_ATTRIBUTE = "mlflow.traceRequestId"


def write_template(client: MlflowClient) -> list[dict]:
    """Writes one trace through the SDK and returns its spans as the server stored them."""
    experiment = mlflow.set_experiment(TEMPLATE_EXPERIMENT)
    bulk_trace(0)
    page = client.search_traces(locations=[experiment.experiment_id], max_results=1, include_spans=True)
    if not page or not page[0].data.spans:
        raise SystemExit("the template trace was not readable from the server")
    return [span.to_dict() for span in page[0].data.spans]


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def clone(template: list[dict], start_ns: int) -> list[Span]:
    """One copy of the template with fresh trace and span ids, its root starting at start_ns."""
    trace_bytes = secrets.token_bytes(16)
    request_id = json.dumps(f"tr-{trace_bytes.hex()}")
    span_ids = {d["span_id"]: b64(secrets.token_bytes(8)) for d in template}
    shift = start_ns - min(d["start_time_unix_nano"] for d in template)
    spans = []
    for original in template:
        d = copy.deepcopy(original)
        d["trace_id"] = b64(trace_bytes)
        d["span_id"] = span_ids[original["span_id"]]
        d["parent_span_id"] = span_ids.get(original["parent_span_id"]) if original["parent_span_id"] else None
        d["start_time_unix_nano"] += shift
        if d.get("end_time_unix_nano"):
            d["end_time_unix_nano"] += shift
        for event in d.get("events") or []:
            event["time_unix_nano"] += shift
        d["attributes"][REQUEST_ID_ATTRIBUTE] = request_id
        spans.append(Span.from_dict(d))
    return spans


def seed(store, experiment_id: str, template: list[dict], count: int, oldest_ms: int, newest_ms: int, batch: int) -> None:
    # Integer nanoseconds: epoch nanoseconds do not fit a float exactly.
    step_ns = (newest_ms - oldest_ms) * 1_000_000 // max(1, count - 1)
    pending: list[Span] = []
    for i in range(count):
        pending.extend(clone(template, oldest_ms * 1_000_000 + i * step_ns))
        if (i + 1) % batch == 0 or i + 1 == count:
            store.log_spans(experiment_id, pending)
            pending = []


def verify(client: MlflowClient, experiment_id: str, expected_traces: int, spans_per_trace: int) -> None:
    """Counts the traces the server returns, and checks a page of them comes back with spans."""
    found = 0
    token = None
    while True:
        page = client.search_traces(locations=[experiment_id], max_results=500, page_token=token, include_spans=False)
        found += len(page)
        token = page.token
        if not token:
            break
    if found != expected_traces:
        raise SystemExit(f"experiment {experiment_id}: the server returns {found} traces, expected {expected_traces}")
    sample = client.search_traces(locations=[experiment_id], max_results=100, include_spans=True)
    short = [t.info.trace_id for t in sample if len(t.data.spans) != spans_per_trace]
    if short:
        raise SystemExit(f"experiment {experiment_id}: {len(short)} sampled traces lack spans, e.g. {short[0]}")


def parse_target(text: str) -> tuple[str, int]:
    name, _, count = text.rpartition("=")
    if not name or not count.isdigit() or int(count) < 1:
        raise argparse.ArgumentTypeError(f"expected NAME=COUNT, got {text!r}")
    return name, int(count)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracking-uri", required=True, help="the running server, for the template and the check")
    parser.add_argument("--store-uri", required=True, help="the server's backend store, written directly")
    parser.add_argument("--target", type=parse_target, action="append", required=True, help="experiment NAME=COUNT")
    parser.add_argument("--batch", type=int, default=250, help="traces per log_spans call")
    # Spread over most of a day, so an incremental sync's overlap window (10 min by default)
    # re-reads a realistic handful of traces rather than all of them.
    parser.add_argument("--window-hours", type=float, default=20.0)
    args = parser.parse_args()

    started = time.monotonic()
    mlflow.set_tracking_uri(args.tracking_uri)
    client = MlflowClient(tracking_uri=args.tracking_uri)
    template = write_template(client)
    store = MlflowClient(tracking_uri=args.store_uri)._tracking_client.store

    newest_ms = int(time.time() * 1000) - 5 * 60_000
    oldest_ms = newest_ms - int(args.window_hours * 3600_000)
    report = []
    for name, count in args.target:
        experiment_id = client.create_experiment(name)
        seed(store, experiment_id, template, count, oldest_ms, newest_ms, args.batch)
        verify(client, experiment_id, count, len(template))
        report.append({"name": name, "experimentId": experiment_id, "traces": count, "spans": count * len(template), "oldestMs": oldest_ms, "newestMs": newest_ms})
    print(json.dumps({"seedSeconds": round(time.monotonic() - started, 2), "spansPerTrace": len(template), "experiments": report}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
