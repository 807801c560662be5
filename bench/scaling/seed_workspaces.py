"""Seeds several MLflow tracking stores (one per workspace) with agent traces, fast.

Each trace is an AGENT root span and SPANS - 1 TOOL children, built as MLflow Span entities and
written with the tracking store's own `log_spans` (what the server does with spans it receives,
and how MLflow derives each trace's info), as tests/fixtures/write_span_traces.py does. One
interpreter seeds every store, so MLflow is imported once.

Usage: python seed_workspaces.py --traces N --spans S [--window-hours H]
                                 --workspace STORE_URI,EXPERIMENT,AGENT [--workspace ...]
Prints one JSON line: {"seedSeconds": s, "workspaces": [{"experimentId", "traces", "spans"}]}
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("MLFLOW_ENABLE_ASYNC_TRACE_LOGGING", "false")

from mlflow import MlflowClient  # noqa: E402

# The span builder the test fixtures use.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "fixtures"))
from span_entities import TraceSpans  # noqa: E402


def build_trace(index: int, spans: int, agent: str, start_ns: int) -> list:
    trace = TraceSpans(start_ns)
    root = trace.add(agent, "AGENT", 0, spans * 1_000_000,
                     {"agent.name": agent, "mlflow.spanInputs": {"question": f"request {index}"}, "mlflow.spanOutputs": {"answer": "ok"}})
    for i in range(1, spans):
        trace.add(f"tool-{i}", "TOOL", i * 1_000_000, 500_000, {"mlflow.spanInputs": {"step": i}, "mlflow.spanOutputs": {"rows": i}}, parent=root)
    return trace.spans


def seed(store_uri: str, experiment: str, agent: str, traces: int, spans: int, oldest_ns: int, newest_ns: int) -> str:
    client = MlflowClient(tracking_uri=store_uri)
    experiment_id = client.create_experiment(experiment)
    store = client._tracking_client.store
    step = (newest_ns - oldest_ns) // max(1, traces - 1)
    batch: list = []
    for index in range(traces):
        batch.extend(build_trace(index, spans, agent, oldest_ns + index * step))
        if len(batch) >= 5_000 or index + 1 == traces:
            store.log_spans(experiment_id, batch)
            batch = []
    return experiment_id


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--traces", type=int, required=True)
    parser.add_argument("--spans", type=int, required=True)
    # Spread over most of a day, inside the first sync's lookback, so the read is cut into time slices.
    parser.add_argument("--window-hours", type=float, default=20.0)
    parser.add_argument("--workspace", action="append", required=True, help="STORE_URI,EXPERIMENT,AGENT")
    args = parser.parse_args()
    if args.traces < 1 or args.spans < 1:
        raise SystemExit("--traces and --spans must be at least 1")

    started = time.monotonic()
    newest_ns = time.time_ns() - 5 * 60 * 1_000_000_000
    oldest_ns = newest_ns - int(args.window_hours * 3600 * 1_000_000_000)
    report = []
    for spec in args.workspace:
        store_uri, experiment, agent = spec.rsplit(",", 2)
        experiment_id = seed(store_uri, experiment, agent, args.traces, args.spans, oldest_ns, newest_ns)
        report.append({"experimentId": experiment_id, "traces": args.traces, "spans": args.traces * args.spans})
    print(json.dumps({"seedSeconds": round(time.monotonic() - started, 2), "workspaces": report}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
