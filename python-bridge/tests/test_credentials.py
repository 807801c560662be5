"""Which hosts each authentication method may reach, and what its failures say."""

from langguard_bridge import credentials, netguard
from langguard_bridge.auth_errors import token_failure, unauthorized

ENTRA_TOKEN = "https://login.microsoftonline.com/tenant/oauth2/token"


def test_only_azure_jobs_reach_the_entra_login_host():
    policy = netguard.default_policy()
    assert not netguard.check_url(ENTRA_TOKEN, policy).ok
    widened = credentials.entra_policy(policy)
    assert netguard.check_url(ENTRA_TOKEN, widened).ok
    # The one host, nothing else.
    assert not netguard.check_url("https://login.windows.net/tenant/oauth2/token", widened).ok
    assert netguard.check_url("https://dbc-1.cloud.databricks.com/", widened).ok


def test_a_configured_login_url_replaces_microsofts_public_one():
    policy = netguard.parse_policy('{"v":1,"allowedDomains":[],"extraHosts":[],"allowedNetworks":[],"allowHttp":false,"allowedPorts":[443],"entraLoginUrl":"https://login.microsoftonline.us/"}')
    assert policy.entra_login_url == "https://login.microsoftonline.us/"
    assert netguard.parse_policy(netguard.serialize_policy(policy)) == policy
    widened = credentials.entra_policy(policy)
    assert netguard.check_url("https://login.microsoftonline.us/t/oauth2/token", widened).ok
    assert not netguard.check_url(ENTRA_TOKEN, widened).ok


def test_token_endpoint_refusals_are_told_apart():
    def failure(text: str, method: str):
        return token_failure(ValueError(text), method)

    expired = failure("invalid_client: AADSTS7000222: The provided client secret keys for app 'x' are expired.", "azure-client-secret")
    assert expired is not None and expired.message == "Microsoft Entra ID refused the client secret: it has expired (invalid_client)"
    wrong = failure("invalid_client: Client authentication failed", "oauth-m2m")
    assert wrong is not None and wrong.message == "The workspace's token endpoint refused the service principal's client id or secret (invalid_client)"
    assert "generate a new OAuth secret" in (wrong.hint or "")
    # A PAT or an MLflow password never meets a token endpoint: its errors are not read as one.
    assert failure("invalid_client: Client authentication failed", "pat") is None
    assert unauthorized("oauth-m2m", "dbc-1") is not None and unauthorized("pat", "dbc-1") is None


def test_traces_in_unity_catalog_without_a_warehouse_are_one_experiments_error_with_the_fix():
    from langguard_bridge.errors import FATAL, classify

    # MLflow's own words (databricks_rest_store) when the workspace could not pick a warehouse.
    failure = classify(RuntimeError("SQL warehouse ID is required for accessing traces in UC tables.\nPlease set the MLFLOW_TRACING_SQL_WAREHOUSE_ID environment variable"))
    assert failure.kind == "warehouse_required" and failure.kind not in FATAL
    assert "warehouseId" in (failure.hint or "")


def test_a_service_principals_secret_is_posted_only_to_its_methods_token_endpoint(monkeypatch):
    import pytest
    from databricks.sdk import oauth

    from langguard_bridge.errors import BridgeFailure

    credentials.guard_token_endpoints()
    credentials.guard_token_endpoints()  # installing twice wraps once
    monkeypatch.setenv("DATABRICKS_HOST", "https://dbc-1.cloud.databricks.com")
    monkeypatch.setenv("LANGGUARD_AUTH_TYPE", "oauth-m2m")
    posted: list[str] = []
    original = oauth.retrieve_token
    monkeypatch.setattr(oauth, "retrieve_token", lambda _id, _secret, url, *a, **k: posted.append(url) or oauth.Token(access_token="t"))
    try:
        # A discovery document naming another host (even another workspace) never gets the secret.
        for elsewhere in ("https://evil.example.com/oidc/v1/token", "https://dbc-2.cloud.databricks.com/oidc/v1/token", "http://dbc-1.cloud.databricks.com/oidc/v1/token"):
            with pytest.raises(BridgeFailure) as refused:
                oauth.ClientCredentials(client_id="id", client_secret="s3cret", token_url=elsewhere).refresh()
            assert refused.value.kind == "blocked_host"
            assert "s3cret" not in refused.value.message
        oauth.ClientCredentials(client_id="id", client_secret="s", token_url="https://DBC-1.cloud.databricks.com./oidc/v1/token").refresh()
        # Entra ID's secret goes to the login host only, never to the workspace.
        monkeypatch.setenv("LANGGUARD_AUTH_TYPE", "azure-client-secret")
        oauth.ClientCredentials(client_id="id", client_secret="s", token_url=ENTRA_TOKEN).refresh()
        with pytest.raises(BridgeFailure):
            oauth.ClientCredentials(client_id="id", client_secret="s", token_url="https://dbc-1.cloud.databricks.com/oidc/v1/token").refresh()
    finally:
        monkeypatch.setattr(oauth, "retrieve_token", original)
    assert posted == ["https://DBC-1.cloud.databricks.com./oidc/v1/token", ENTRA_TOKEN]


def test_an_expiry_is_told_in_the_gateways_words():
    from langguard_bridge.check import expiry_text

    assert expiry_text(0, 3) == "the token expires in 3 days"
    assert expiry_text(0, 1) == "the token expires in 1 day"
    # Once past, the date it ended, as the integration's credentialWarning says it.
    assert expiry_text(1_767_225_600_000, 0) == "the token expired on 2026-01-01"
