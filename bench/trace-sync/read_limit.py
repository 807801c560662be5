"""The source's read limit: how fast one warm MLflow client can page through an experiment.

Pages exactly as the bridge does (ascending time, spans included) and discards the traces, so
the figure is what reading alone costs, with no serialisation, transport or storage.

Usage: python read_limit.py --tracking-uri URL --experiment-id ID [--page-size 100]
Prints one JSON line: {"traces", "spans", "pages", "seconds", "tracesPerSecond"}
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from mlflow import MlflowClient


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracking-uri", required=True)
    parser.add_argument("--experiment-id", required=True)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()

    client = MlflowClient(tracking_uri=args.tracking_uri)
    # Warm up outside the timing: lazy imports, the HTTP session, the server's first query.
    client.search_traces(locations=[args.experiment_id], max_results=1, include_spans=True)

    traces = spans = pages = 0
    token = None
    started = time.perf_counter()
    while True:
        page = client.search_traces(
            locations=[args.experiment_id],
            max_results=args.page_size,
            order_by=["timestamp_ms ASC"],
            page_token=token,
            include_spans=True,
        )
        pages += 1
        traces += len(page)
        spans += sum(len(trace.data.spans) for trace in page)
        token = page.token
        if not token:
            break
    seconds = time.perf_counter() - started
    print(json.dumps({"traces": traces, "spans": spans, "pages": pages, "seconds": round(seconds, 3), "tracesPerSecond": round(traces / seconds, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
