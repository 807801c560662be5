"""What every part of the catalog walk shares: the REST transport (databricks-sdk's ApiClient, its
auth and retries, with throttling handed back to the queue), the pager, value conversion, and a
thread pool whose tasks may submit more tasks."""

from __future__ import annotations

import math
import re
import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from . import errors
from .errors import BridgeFailure, classify, for_status, source_host
from .source import workspace_client
from .transport import INLINE_WAIT_LIMIT_S

UC = "/api/2.1/unity-catalog"
# A server that keeps answering empty pages with fresh tokens would otherwise be followed forever.
MAX_EMPTY_PAGES = 100
PAGING_HINT = "The workspace's listing misbehaved; the next sync reads this container again. If it persists, report it to Databricks support."
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# ------------------------------------------------------------------ transport
_waits = threading.local()


def _throttle_clock():
    """The SDK retries 429 and 503 itself, sleeping for the server's Retry-After. Waits up to
    INLINE_WAIT_LIMIT_S in all, per request, are slept here; a longer one is the queue's business:
    the request fails as rate limited, carrying the wait, and the worker puts the job back in the
    queue for that long without spending an attempt (as trace sync does)."""
    from databricks.sdk.clock import RealClock

    class ThrottleClock(RealClock):
        def sleep(self, seconds: float) -> None:
            status, retry_after, _ = errors.last_response()
            if status == 429 or (status == 503 and retry_after is not None):
                spent = getattr(_waits, "slept", 0.0) + seconds
                if spent > INLINE_WAIT_LIMIT_S + 1:  # the SDK adds up to a second of jitter
                    raise for_status(429 if status == 429 else 503, source_host(), retry_after)
                _waits.slept = spent
            super().sleep(seconds)

    return ThrottleClock()


class Api:
    """The SDK's ApiClient answering JSON objects."""

    def __init__(self, client):
        self._client = client

    def call(self, method: str, path: str, query: dict | None = None, body: dict | None = None) -> dict:
        _waits.slept = 0.0
        answer = self._client.do(method, path, query=query, body=body)
        if not isinstance(answer, dict):
            raise BridgeFailure("bad_response", f"{source_host()} answered with JSON that is not an object")
        return answer

    def get(self, path: str, query: dict | None = None) -> dict:
        return self.call("GET", path, query=query)


def api_client(retry_timeout: int | None) -> Api:
    from databricks.sdk.core import ApiClient

    w = workspace_client()
    # The budget and the clock are read when the ApiClient is built, so one is built over the config.
    if retry_timeout is not None:
        w.config.retry_timeout_seconds = retry_timeout
    w.config._clock = _throttle_clock()
    return Api(ApiClient(w.config))


def failure_of(exc: BaseException) -> BridgeFailure:
    # The SDK's retry loop gives up with TimeoutError("Timed out after …") raised from the last
    # real error: that one says what went wrong (a 503 is "unavailable", not a network timeout).
    if type(exc) is TimeoutError and isinstance(exc.__cause__, Exception) and str(exc).startswith("Timed out after"):
        exc = exc.__cause__
    return classify(exc)


def is_throttle(failure: BridgeFailure) -> bool:
    """The workspace asked us to wait: the whole walk stops and waits in the queue."""
    return failure.kind == "rate_limited" or (failure.status == 503 and failure.retry_after_ms is not None)


def pages(api: Api, path: str, key: str, query: dict, what: str, page_size: int | None = None, size_param: str = "max_results"):
    """Yields (items, last) per page, following next_page_token until it is absent or empty.
    Unity Catalog names the page size `max_results`; other APIs (Genie) `page_size`."""
    query = dict(query)
    if page_size is not None:
        query[size_param] = page_size
    seen: set = set()
    empty = 0
    while True:
        body = api.get(path, query)
        items = body.get(key)
        items = [] if items is None else items
        token = body.get("next_page_token") or None
        if not isinstance(items, list) or (token is not None and not isinstance(token, str)):
            raise BridgeFailure("bad_response", f"The server answered the listing of {what} with a malformed page", PAGING_HINT)
        if token in seen:
            raise BridgeFailure("bad_response", f"The server repeated a page token while listing {what}", PAGING_HINT)
        empty = empty + 1 if not items else 0
        if token and empty > MAX_EMPTY_PAGES:
            raise BridgeFailure("bad_response", f"The server answered {empty} empty pages in a row while listing {what}", PAGING_HINT)
        yield items, token is None
        if token is None:
            return
        seen.add(token)
        query["page_token"] = token


def segment(name: str) -> str:
    return quote(name, safe="")


# ------------------------------------------------------------------ value conversion
def epoch_ms(value):
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        # JSON readers accept Infinity and NaN: such a time is unknown, not a reason to drop the object.
        return int(value) if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return (moment - _EPOCH) // timedelta(milliseconds=1)
    return None


def whole(value):
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        try:
            return int(float(value))
        except (TypeError, ValueError, OverflowError):
            return None


def text(value):
    return value if isinstance(value, str) else None


def record(data: dict) -> dict:
    return {"type": "record", "stream": "catalog", "data": data}
