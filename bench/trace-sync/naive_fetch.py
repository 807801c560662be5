"""The naive design's fetcher: a fresh process per page, as if spawned once per batch.

Each call pays the interpreter start and the MLflow import again, reads one page from the
page token the previous call handed back, and prints it whole as one JSON document.

Usage: python naive_fetch.py --tracking-uri URL --experiment-id ID [--page-size 100] [--page-token T]
Prints: {"nextPageToken": str | null, "traces": [Trace.to_dict(), ...]}
"""

from __future__ import annotations

import argparse
import json
import sys

from mlflow import MlflowClient


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracking-uri", required=True)
    parser.add_argument("--experiment-id", required=True)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--page-token")
    args = parser.parse_args()

    page = MlflowClient(tracking_uri=args.tracking_uri).search_traces(
        locations=[args.experiment_id],
        max_results=args.page_size,
        order_by=["timestamp_ms ASC"],
        page_token=args.page_token or None,
        include_spans=True,
    )
    json.dump({"nextPageToken": page.token, "traces": [trace.to_dict() for trace in page]}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
