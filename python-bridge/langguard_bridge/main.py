"""Runs one command: its name is argv[1], its parameters one JSON object on stdin."""

from __future__ import annotations

import sys
import time
import traceback

from . import protocol
from .errors import classify


def main(argv: list[str]) -> int:
    # Libraries print to stdout occasionally; only protocol lines may go there.
    sys.stdout = sys.stderr
    from .commands import COMMANDS

    if len(argv) < 2 or argv[1] not in COMMANDS:
        protocol.emit({"type": "error", "kind": "config", "message": f"Unknown bridge command; expected one of {', '.join(COMMANDS)}", "retryable": False})
        return 2
    started = time.monotonic()
    try:
        from .source import guard_network

        guard_network()
        from .contract import validated

        result = COMMANDS[argv[1]](validated(argv[1], protocol.read_params()))
        protocol.emit({"type": "result", "data": result, "elapsedMs": int((time.monotonic() - started) * 1000)})
        return 0
    except Exception as exc:  # noqa: BLE001 - every failure leaves as one typed message
        failure = classify(exc)
        if failure.kind == "internal":
            traceback.print_exc(file=sys.stderr)
        protocol.emit(failure.as_message())
        return 1
