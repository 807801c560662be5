"""The line protocol: every stdout line is one JSON message; free text goes to stderr."""

from __future__ import annotations

import json
import math
import sys
import threading

# Captured before main() points sys.stdout at stderr, so stray library prints never corrupt it.
_stdout = sys.stdout
# Several threads stream at once; a page (its records and its checkpoint) must reach stdout as one
# contiguous block, and lines must never interleave.
_emit_lock = threading.Lock()


def _json_default(value):
    if isinstance(value, (set, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def line(message: dict) -> str:
    # Sorted keys make a record's line identical whenever its content is, so the consumer can tell
    # an unchanged record from its line alone.
    try:
        return json.dumps(message, default=_json_default, separators=(",", ":"), sort_keys=True, allow_nan=False) + "\n"
    except (ValueError, TypeError):
        # A workspace value JSON cannot carry as is (NaN, an endless duration, keys of mixed types)
        # must not lose the record: such values are sent as their text, which is rare enough that
        # only these records pay for the walk.
        return json.dumps(_representable(message), default=_json_default, separators=(",", ":"), sort_keys=True, allow_nan=False) + "\n"


def _representable(value):
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {str(k): _representable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_representable(v) for v in value]
    return value


def emit(message: dict) -> None:
    emit_many([message])


def emit_many(messages: list) -> None:
    text = "".join(line(m) for m in messages)
    with _emit_lock:
        _stdout.write(text)
        _stdout.flush()


def log(level: str, message: str, **fields) -> None:
    emit({"type": "log", "level": level, "message": message, **fields})


def detail(context: str, text: str) -> None:
    """Upstream detail (response bodies, exception text) goes to stderr only: the Node side scrubs
    it and shows it at debug level, never in a message a user of the API sees."""
    sys.stderr.write(f"[detail] {context}: {text[:2000]}\n")
    sys.stderr.flush()


def read_params() -> dict:
    raw = sys.stdin.read()
    return json.loads(raw) if raw.strip() else {}
