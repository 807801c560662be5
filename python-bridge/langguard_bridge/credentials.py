"""The pieces of each authentication method that are ours: where its token may come from, and what
its failures mean. The tokens themselves come from databricks-sdk's own credential providers
(oauth-m2m, azure-client-secret) and MLflow's own settings; nothing here fetches one."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from .errors import BridgeFailure

_GUARDED = "_langguard_token_endpoint_guard"


def guard_token_endpoints() -> None:
    """A service principal's secret is posted to a token endpoint each time the SDK refreshes its
    token: for oauth-m2m the one the workspace's discovery document names, for Entra ID the login
    host. The post itself is checked, for our clients and the ones MLflow builds alike, so no
    discovery answer (however it changes between requests) can send the secret elsewhere: only
    the workspace's own origin, or the Entra ID login origin for azure-client-secret, receives it."""
    from databricks.sdk import oauth

    if getattr(oauth.ClientCredentials.refresh, _GUARDED, False):
        return
    original = oauth.ClientCredentials.refresh

    def refresh(self):
        _require_allowed_token_endpoint(self.token_url)
        return original(self)

    setattr(refresh, _GUARDED, True)
    oauth.ClientCredentials.refresh = refresh  # type: ignore[method-assign]


def _require_allowed_token_endpoint(token_url: str) -> None:
    from . import netguard

    if os.environ.get("LANGGUARD_AUTH_TYPE") == "azure-client-secret":
        policy = netguard.installed_policy()
        allowed, hint = (policy.entra_login_url if policy else None) or ENTRA_LOGIN_URL, "Entra ID secrets are only sent to the Entra ID login host (SOURCE_ENTRA_LOGIN_URL)."
    else:
        allowed, hint = os.environ.get("DATABRICKS_HOST", ""), "OAuth M2M secrets are only sent to the workspace's own token endpoint; check the host URL."
    if netguard.origin_of(token_url) != netguard.origin_of(allowed):
        raise BridgeFailure("blocked_host", f"The OAuth token endpoint is on {urlsplit(token_url).hostname}, not on {urlsplit(allowed).hostname}", hint)


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
