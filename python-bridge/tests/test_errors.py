"""Every failure leaves the bridge as one typed message: its kind says what to fix and whether to retry."""

import pytest

from langguard_bridge import errors
from langguard_bridge.errors import BridgeFailure, classify, for_status
from langguard_bridge.netguard import BlockedHostError


@pytest.fixture(autouse=True)
def workspace(monkeypatch):
    monkeypatch.setenv("LANGGUARD_SOURCE", "databricks")
    monkeypatch.setenv("DATABRICKS_HOST", "https://dbc-1.cloud.databricks.com")
    errors.clear_last_response()


@pytest.mark.parametrize(
    ("status", "kind", "retryable"),
    [(401, "auth", False), (403, "permission", False), (404, "not_found", False), (429, "rate_limited", True), (503, "unavailable", True), (500, "server_error", True), (400, "config", False)],
)
def test_statuses_map_to_kinds(status, kind, retryable):
    failure = for_status(status, "dbc-1.cloud.databricks.com")
    assert (failure.kind, failure.retryable, failure.status) == (kind, retryable, status)
    assert failure.hint


def test_a_retry_after_travels_with_a_throttle():
    message = for_status(429, "dbc-1", "30").as_message()
    assert message["retryAfterMs"] == 30_000
    assert message["type"] == "error" and message["kind"] == "rate_limited" and message["retryable"] is True


def test_an_html_page_is_a_bad_response_not_a_config_problem():
    assert for_status(400, "dbc-1", content_type="text/html; charset=utf-8").kind == "bad_response"


def test_our_own_verdict_survives_the_sdks_wrapping():
    inner = BridgeFailure("rate_limited", "429 Too Many Requests")
    try:
        try:
            raise inner
        except BridgeFailure as exc:
            raise RuntimeError("Max retries exceeded") from exc
    except RuntimeError as wrapped:
        assert classify(wrapped) is inner


def test_the_last_response_of_the_thread_names_the_status_the_sdk_lost():
    errors.record_response(429, {"Retry-After": "7"})
    failure = classify(RuntimeError("too many 429 error responses"))
    assert failure.kind == "rate_limited"
    assert failure.retry_after_ms == 7_000


def test_a_blocked_host_is_fatal_and_says_why():
    # As MLflow re-raises it: the SDK's own exception, ours only as its context.
    try:
        try:
            raise BlockedHostError("169.254.169.254", "is a cloud metadata address")
        except BlockedHostError:
            raise ConnectionError("Max retries exceeded") from None
    except ConnectionError as wrapped:
        failure = classify(wrapped)
    assert failure.kind == "blocked_host" and not failure.retryable
    assert "169.254.169.254" in failure.message


def test_anything_else_is_internal_and_retryable():
    failure = classify(ValueError("boom"))
    assert failure.kind == "internal" and failure.retryable
    assert "dbc-1.cloud.databricks.com" in failure.message


def test_a_refused_connection_is_not_blamed_on_an_earlier_status():
    errors.record_response(404, {})
    failure = classify(ConnectionError("HTTPSConnectionPool: Max retries exceeded (Connection refused)"))
    assert failure.kind == "unavailable" and failure.retryable
    assert failure.message == "Cannot connect to dbc-1.cloud.databricks.com"


def test_a_timeout_is_a_timeout():
    assert classify(TimeoutError("Read timed out. (read timeout=120)")).kind == "timeout"


@pytest.mark.parametrize(
    ("status", "text", "expired"),
    [
        (401, "401 Client Error: Token is expired.", True),
        (403, "403 Client Error: JWT has expired", True),
        (403, "403 Client Error: User does not have permission; the grant expired yesterday", False),
        (401, "401 Client Error: Invalid access token", False),
    ],
)
def test_an_expired_token_is_told_apart_from_a_wrong_one_and_from_a_permission(status, text, expired):
    failure = classify(Exception(text))
    assert failure.kind == "auth" if expired else failure.kind in ("auth", "permission")
    assert ("has expired" in failure.message) is expired
    if expired:
        assert failure.status == 401 and "new" in (failure.hint or "").lower()
