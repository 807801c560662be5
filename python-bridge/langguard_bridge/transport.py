"""Everything this process does to the HTTP stack under MLflow's and Databricks' SDKs, in one place.

`install()` runs once, before a command, and applies, in this order:

1. the host policy (netguard): every connection any library opens is checked against the SSRF
   policy, on the address actually connected to, and so are redirects. It sits lowest, at connect
   time, so nothing above it can reach a host the policy forbids.
2. one wrapper around urllib3's `HTTPConnectionPool._make_request` (send, then wait for the
   response head), through which every SDK request passes, which
   a. first waits for a slot of the request limit (`limit_requests`): MLflow's `search_traces`
      fetches a page's spans with a thread pool of its own (up to 32 threads per call), so the
      pages a job reads at once say little about the requests the workspace sees; one semaphore
      here bounds them all, whoever issued them. It is outermost, so a request waiting for its
      slot holds no connection;
   b. then records the response's status and headers for this thread (errors.record_response):
      SDK exceptions often lose them, and error classification needs them.
3. the throttle (urllib3's `Retry.sleep_for_retry`): urllib3 honours Retry-After by sleeping in
   the request's thread. A short wait is cheapest served there; a long one would hold a worker's
   job slot and every page thread idle, so the request fails at once as `rate_limited` (or
   `unavailable` for a 503) carrying the wait, and the worker puts the job back in the queue for
   that long without spending an attempt.
"""

from __future__ import annotations

import threading

from .errors import for_status, record_response, source_host

# Waits up to this long are slept through in place (urllib3's own behaviour).
INLINE_WAIT_LIMIT_S = 5.0
_MARK = "_langguard_transport"
_state: dict = {"semaphore": None, "installed": False}
_install_lock = threading.Lock()


def install() -> None:
    """Applies the three layers above, once per process (forked children inherit them)."""
    try:
        import urllib3  # noqa: F401
    except ImportError:
        # An interpreter without HTTP libraries cannot connect anywhere; the MLflow step says why.
        return
    with _install_lock:
        if _state["installed"]:
            return
        from . import netguard

        netguard.install(netguard.load_policy())
        _wrap_requests()
        _hand_long_waits_back()
        _state["installed"] = True


def limit_requests(count: int) -> None:
    """Allows at most `count` requests in flight from now on (the last call wins)."""
    _state["semaphore"] = threading.BoundedSemaphore(max(1, int(count)))
    _wrap_requests()


def _wrap_requests() -> None:
    import urllib3.connectionpool as pool

    if getattr(pool.HTTPConnectionPool._make_request, _MARK, False):
        return
    original = pool.HTTPConnectionPool._make_request

    def _make_request(self, *args, **kwargs):
        semaphore = _state["semaphore"]
        if semaphore is None:
            response = original(self, *args, **kwargs)
        else:
            with semaphore:
                response = original(self, *args, **kwargs)
        record_response(response.status, response.headers)
        return response

    setattr(_make_request, _MARK, True)
    pool.HTTPConnectionPool._make_request = _make_request  # type: ignore[method-assign]


def _hand_long_waits_back() -> None:
    from urllib3.util.retry import Retry

    if getattr(Retry.sleep_for_retry, _MARK, False):
        return
    original = Retry.sleep_for_retry

    def sleep_for_retry(self, response) -> bool:
        status = getattr(response, "status", None)
        if status in (429, 503):
            wait = self.get_retry_after(response)
            if wait is not None and wait > INLINE_WAIT_LIMIT_S:
                raise for_status(status, source_host(), response.headers.get("Retry-After"))
        return original(self, response)

    setattr(sleep_for_retry, _MARK, True)
    Retry.sleep_for_retry = sleep_for_retry  # type: ignore[method-assign]
