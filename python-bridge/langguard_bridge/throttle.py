"""Long waits a workspace asks for are the queue's business, not this process's.

urllib3 (under MLflow's SDK) honours Retry-After by sleeping in the request's thread. A short wait
is cheapest served here; a long one would hold a worker's job slot and every page thread idle, so
the request fails at once as `rate_limited` (or `unavailable` for a 503) carrying the wait, and the
worker puts the job back in the queue for that long without spending an attempt.
"""

from __future__ import annotations

from .errors import for_status, source_host

# Waits up to this long are slept through in place (urllib3's own behaviour).
INLINE_WAIT_LIMIT_S = 5.0
_MARK = "_langguard_throttle"


def hand_long_waits_back() -> None:
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
    Retry.sleep_for_retry = sleep_for_retry
