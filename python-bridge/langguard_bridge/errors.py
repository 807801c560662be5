"""Turns whatever the SDKs raise into one of our error kinds, described in our own words.

Messages never carry what the upstream server said (its body may be an internal service's page, a
password file, anything an attacker pointed the host at): only the kind, the host, the HTTP status
and a hint. The raw text goes to stderr through protocol.detail(), for operators at debug level.
"""

from __future__ import annotations

import os
import re
import threading
from urllib.parse import urlsplit

from . import protocol
from .auth_errors import expired_credential, token_failure, unauthorized

RETRYABLE = {"rate_limited", "timeout", "unavailable", "server_error", "internal"}
# Errors no experiment or container can escape: stop the whole command.
FATAL = {"auth", "sdk_missing", "config", "blocked_host"}

HINTS = {
    "auth": "Verify the token has not expired and has the required permissions, and that the host URL is correct (include https://). Generate a new token if needed.",
    "permission": "Grant the token CAN_VIEW on the workspace and CAN_READ on the experiments (USE CATALOG for Unity Catalog).",
    "not_found": "Check the experiment or object name, and that it has not been deleted.",
    "rate_limited": "The workspace is rate limiting requests; the sync waits and retries.",
    "unavailable": "Check that the workspace is reachable from this machine; the sync retries with backoff.",
    "server_error": "The workspace failed to answer; the sync retries with backoff.",
    "timeout": "Check network latency to the workspace, or increase DATABRICKS_PYTHON_TIMEOUT.",
    "bad_response": "The host did not answer like a Databricks or MLflow API; check the host URL.",
    "blocked_host": "Use the workspace's https URL on an official Databricks domain, or ask the operator to allow this host (SOURCE_ALLOWED_HOSTS, SOURCE_ALLOWED_NETWORKS).",
    "config": None,
    "warehouse_required": (
        "Set the integration's SQL warehouse (warehouseId, or DATABRICKS_WAREHOUSE_ID) to one the token's user or service principal "
        "has CAN USE on: MLflow reads traces stored in Unity Catalog tables through it."
    ),
}

STATUS_TEXT = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class BridgeFailure(Exception):
    def __init__(self, kind: str, message: str, hint: str | None = None, status: int | None = None, retry_after_ms: int | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.hint = hint if hint is not None else HINTS.get(kind)
        self.status = status
        self.retry_after_ms = retry_after_ms

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE

    def as_message(self, **extra) -> dict:
        message = {"type": "error", "kind": self.kind, "message": self.message, "hint": self.hint, "retryable": self.retryable, **extra}
        if self.status is not None:
            message["status"] = self.status
        if self.retry_after_ms is not None:
            message["retryAfterMs"] = self.retry_after_ms
        return message


# ------------------------------------------------------------------ the last HTTP response per thread
# SDK exceptions often lose the status and headers (urllib3 retries end in "too many 429 error
# responses"), so the status line of the last response each thread saw is kept here.
_last = threading.local()


def record_response(status: int, headers) -> None:
    _last.status = status
    _last.retry_after = headers.get("Retry-After") if headers is not None else None
    _last.content_type = (headers.get("Content-Type") or "") if headers is not None else ""


def clear_last_response() -> None:
    _last.status = None
    _last.retry_after = None
    _last.content_type = ""


def last_response():
    return getattr(_last, "status", None), getattr(_last, "retry_after", None), getattr(_last, "content_type", "")


# ------------------------------------------------------------------ classification
def source_host() -> str:
    raw = os.environ.get("DATABRICKS_HOST") if os.environ.get("LANGGUARD_SOURCE", "databricks") == "databricks" else os.environ.get("MLFLOW_TRACKING_URI")
    try:
        return urlsplit(raw or "").hostname or "the workspace"
    except ValueError:
        return "the workspace"


def _retry_after_ms(value) -> int | None:
    if value is None:
        return None
    try:
        seconds = float(str(value).strip())
    except ValueError:
        return None
    return max(0, min(int(seconds * 1000), 3_600_000))


_SDK_STATUS = {
    "Unauthenticated": 401,
    "PermissionDenied": 403,
    "NotFound": 404,
    "ResourceDoesNotExist": 404,
    "TooManyRequests": 429,
    "RequestLimitExceeded": 429,
    "ResourceExhausted": 429,
    "TemporarilyUnavailable": 503,
    "InternalError": 500,
    "BadRequest": 400,
    "InvalidParameterValue": 400,
    "DeadlineExceeded": 504,
}
_MLFLOW_CODES = {
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "RESOURCE_DOES_NOT_EXIST": 404,
    "NOT_FOUND": 404,
    "ENDPOINT_NOT_FOUND": 404,
    "REQUEST_LIMIT_EXCEEDED": 429,
    "RESOURCE_EXHAUSTED": 429,
    "TEMPORARILY_UNAVAILABLE": 503,
    "INTERNAL_ERROR": 500,
    "INVALID_PARAMETER_VALUE": 400,
    "BAD_REQUEST": 400,
    "INVALID_STATE": 400,
}


def _status_from(exc: BaseException, text: str) -> int | None:
    for cls in type(exc).__mro__:
        if cls.__name__ in _SDK_STATUS:
            return _SDK_STATUS[cls.__name__]
    match = re.search(r"error code (\d{3})", text) or re.search(r"\b(\d{3}) (?:Client|Server) Error", text) or re.search(r"too many (\d{3}) error responses", text)
    if match:
        return int(match.group(1))
    return None


def _status_from_code(exc: BaseException) -> int | None:
    # MLflow labels every failure it did not get from the server, a refused connection included,
    # INTERNAL_ERROR: only trust the code once the text has been read for network failures.
    code = getattr(exc, "error_code", None)
    return _MLFLOW_CODES.get(code) if isinstance(code, str) else None


def for_status(status: int, host: str, retry_after=None, content_type: str = "") -> BridgeFailure:
    line = f"{status} {STATUS_TEXT.get(status, 'HTTP error')}"
    if status == 401:
        principal = unauthorized(os.environ.get("LANGGUARD_AUTH_TYPE", ""), host)
        if principal is not None:
            return BridgeFailure(*principal)
        return BridgeFailure("auth", f"401 Unauthorized: {host} rejected the token", status=401)
    if status == 403:
        return BridgeFailure("permission", f"403 Forbidden: the token may not do this on {host}", status=403)
    if status == 404:
        return BridgeFailure("not_found", f"404 Not Found on {host}", status=404)
    if status == 429:
        return BridgeFailure("rate_limited", f"429 Too Many Requests from {host}", status=429, retry_after_ms=_retry_after_ms(retry_after))
    if status in (502, 503, 504):
        return BridgeFailure("unavailable", f"{host} is unavailable ({line})", status=status, retry_after_ms=_retry_after_ms(retry_after))
    if status >= 500:
        return BridgeFailure("server_error", f"{host} failed to answer ({line})", status=status)
    if "html" in content_type.lower():
        return BridgeFailure("bad_response", f"{host} answered {line} with an HTML page instead of the API", status=status)
    return BridgeFailure("config", f"{host} refused the request ({line})", "Check the integration's settings (experiment names, host URL).", status=status)


def classify(exc: BaseException) -> BridgeFailure:
    # A verdict of ours raised deep in the SDK's stack (e.g. a long Retry-After handed back) comes
    # out wrapped in the SDK's own exceptions.
    cause: BaseException | None = exc
    seen = set()
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, BridgeFailure):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    host = source_host()
    text = str(exc)
    protocol.detail(type(exc).__name__, text)
    # MLflow's own verdict (databricks_rest_store) when the workspace could not pick a warehouse.
    if "SQL warehouse ID is required for accessing traces in UC tables" in text:
        return BridgeFailure("warehouse_required", "The experiment's traces are stored in Unity Catalog tables, and the integration has no SQL warehouse to read them")
    # A token endpoint's refusal (OAuth M2M, Entra ID) says more than the status it came with.
    refusal = token_failure(exc, os.environ.get("LANGGUARD_AUTH_TYPE", ""))
    if refusal is not None:
        return BridgeFailure(*refusal)
    from .netguard import blocked_cause

    blocked = blocked_cause(exc)
    if blocked is not None:
        return BridgeFailure("blocked_host", f"Connection to {blocked.host} refused: {blocked.reason}")
    last_status, retry_after, content_type = last_response()
    status = _status_from(exc, text)
    if _says_expired(status if status is not None else last_status, text):
        # Only the verdict is taken from the server's words, never the words themselves.
        expired = expired_credential(os.environ.get("LANGGUARD_AUTH_TYPE", ""), host)
        return BridgeFailure(*expired)
    if status is not None:
        return for_status(status, host, retry_after if status == last_status else getattr(exc, "retry_after_secs", None), content_type)
    # An error code the server sent is the server's verdict; MLflow's own INTERNAL_ERROR is not.
    status = _status_from_code(exc)
    if status is not None and status != 500:
        return for_status(status, host, retry_after if status == last_status else None, content_type)
    # A refused connection has no response; a status seen earlier on this thread is not its cause.
    network = _network_failure(text, host)
    if network is not None:
        return network
    if last_status is not None and last_status >= 400:
        return for_status(last_status, host, retry_after, content_type)
    if status is not None:
        return for_status(status, host)
    return BridgeFailure("internal", f"Unexpected {type(exc).__name__} while talking to {host}", "Run with LOG_LEVEL=debug to see the Python bridge's output.")


# How workspaces have worded an expired token: 401 "Token is expired", and behind some gateways
# 403 "JWT has expired". A 403 counts only with those words, since a 403 is otherwise a permission.
_EXPIRED_403 = ("jwt has expired", "token is expired", "token has expired")


def _says_expired(status: int | None, text: str) -> bool:
    lowered = text.lower()
    if status == 401:
        return "expired" in lowered
    return status == 403 and any(words in lowered for words in _EXPIRED_403)


def _network_failure(text: str, host: str) -> BridgeFailure | None:
    lowered = text.lower()
    if "not in a valid json format" in lowered or "jsondecodeerror" in lowered or "expecting value" in lowered:
        return BridgeFailure("bad_response", f"{host} answered with something that is not JSON")
    if re.search(r"timed out|readtimeout|connecttimeout|timeouterror", lowered):
        return BridgeFailure("timeout", f"Request to {host} timed out")
    if any(
        s in lowered
        for s in (
            "connection refused",
            "max retries exceeded",
            "name or service not known",
            "failed to resolve",
            "nodename nor servname",
            "connection reset",
            "remote end closed",
            "connection aborted",
            "temporary failure in name resolution",
        )
    ):
        return BridgeFailure("unavailable", f"Cannot connect to {host}")
    return None
