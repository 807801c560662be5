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


ENTRA_LOGIN_URL = "https://login.microsoftonline.com/"
# The SDK's own Config.environment property, kept when ours replaces it (a property takes no attributes).
_sdk_environment: dict = {}


def entra_policy(policy):
    """The host policy of an azure-client-secret job: the operator's, plus the one Entra ID login
    host (SOURCE_ENTRA_LOGIN_URL, Microsoft's public one by default). Other jobs never reach it."""
    import dataclasses

    parts = urlsplit(policy.entra_login_url or ENTRA_LOGIN_URL)
    host = (parts.hostname or "").lower()
    extra = policy.extra_hosts if host in policy.extra_hosts else (*policy.extra_hosts, host)
    ports = policy.allowed_ports if parts.port is None or parts.port in policy.allowed_ports else (*policy.allowed_ports, parts.port)
    return dataclasses.replace(policy, extra_hosts=extra, allowed_ports=ports)


def use_entra_login() -> None:
    """For an azure-client-secret job: lets this process reach the Entra ID login endpoint, and makes
    databricks-sdk's Azure provider (ours and the one MLflow builds from the environment) get its
    tokens there. The SDK takes the endpoint from the workspace's cloud environment; only its
    `active_directory_endpoint` is replaced, so a sovereign cloud or a test's fake can stand in."""
    import dataclasses

    from . import netguard

    policy = netguard.installed_policy() or netguard.load_policy()
    netguard.install(entra_policy(policy))
    login_url = policy.entra_login_url or ENTRA_LOGIN_URL
    try:
        from databricks.sdk.config import Config
        from databricks.sdk.environments import ALL_ENVS, Cloud
    except ImportError:
        return
    original = _sdk_environment.setdefault("property", Config.__dict__["environment"])
    # Azure's public cloud itself (the SDK also lists Databricks' own dev and staging clouds).
    public = next(e for e in ALL_ENVS if e.cloud == Cloud.AZURE and e.dns_zone == ".azuredatabricks.net")

    def environment(self):
        env = original.fget(self)
        if self.auth_type != "azure-client-secret":
            return env
        # A workspace on an Azure domain keeps its cloud (public, government, China); another host
        # (a private link name, a test's fake) is taken to be on Azure's public cloud.
        base = env if env.cloud == Cloud.AZURE and env.azure_environment is not None else public
        azure = base.azure_environment
        assert azure is not None  # both choices above have one
        return dataclasses.replace(base, azure_environment=dataclasses.replace(azure, active_directory_endpoint=login_url))

    Config.environment = property(environment)  # type: ignore[method-assign, assignment]


def classify_setup(exc: BaseException, method: str) -> BridgeFailure:
    """A failure while the SDK set up the method's credentials (classify reads a token endpoint's refusal)."""
    return classify(exc)
