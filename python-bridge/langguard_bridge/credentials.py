"""The pieces of each authentication method that are ours: where its token may come from, and what
its failures mean. The tokens themselves come from databricks-sdk's own credential providers
(oauth-m2m, azure-client-secret) and MLflow's own settings; nothing here fetches one."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from .errors import BridgeFailure, classify


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return (parts.scheme.lower(), (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower()))


def check_token_endpoint(cfg) -> None:
    """OAuth M2M posts the client secret to the token endpoint the workspace's discovery document
    names: refuse one that is not on the workspace itself, before the SDK posts anything."""
    try:
        endpoints = cfg.databricks_oidc_endpoints
    except BridgeFailure:
        raise
    except Exception as exc:  # noqa: BLE001 - the discovery's failure is the step's verdict
        raise classify_setup(exc, "oauth-m2m") from exc
    token_endpoint = getattr(endpoints, "token_endpoint", None) if endpoints is not None else None
    host = os.environ.get("DATABRICKS_HOST", "")
    if not token_endpoint:
        raise BridgeFailure(
            "config",
            f"{urlsplit(host).hostname} publishes no OAuth token endpoint (/oidc/.well-known/oauth-authorization-server)",
            "OAuth M2M needs a workspace with OAuth enabled; use a personal access token otherwise.",
        )
    if _origin(token_endpoint) != _origin(host):
        raise BridgeFailure(
            "blocked_host",
            f"The workspace's OAuth token endpoint is on {urlsplit(token_endpoint).hostname}, not on the workspace's own host",
            "OAuth M2M secrets are only sent to the workspace's own token endpoint; check the host URL.",
        )


def environment_overrides(method: str) -> dict:
    """Settings the SDK takes as arguments rather than from the environment; none yet."""
    return {}


def classify_setup(exc: BaseException, method: str) -> BridgeFailure:
    """A failure while the SDK set up the method's credentials (classify reads a token endpoint's refusal)."""
    return classify(exc)
