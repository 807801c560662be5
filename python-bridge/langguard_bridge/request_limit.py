"""A cap on the HTTP requests this process has in flight to its workspace.

MLflow's `search_traces` fetches a page's spans with a thread pool of its own (up to 32 threads
per call), so the pages a job reads at once say little about the requests the workspace sees.
Every SDK request goes through urllib3's `HTTPConnectionPool._make_request` (send, then wait for
the response head), so one semaphore there bounds them all, whoever issued them.
"""

from __future__ import annotations

import threading

_MARK = "_langguard_request_limit"
_state = {"semaphore": None}


def limit_requests(count: int) -> None:
    """Allows at most `count` requests in flight from now on (the last call wins)."""
    import urllib3.connectionpool as pool

    _state["semaphore"] = threading.BoundedSemaphore(max(1, int(count)))
    if getattr(pool.HTTPConnectionPool._make_request, _MARK, False):
        return
    original = pool.HTTPConnectionPool._make_request

    def _make_request(self, *args, **kwargs):
        semaphore = _state["semaphore"]
        if semaphore is None:
            return original(self, *args, **kwargs)
        with semaphore:
            return original(self, *args, **kwargs)

    setattr(_make_request, _MARK, True)
    pool.HTTPConnectionPool._make_request = _make_request
