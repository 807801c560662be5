"""Where the bridge reads from. Credentials come only from this process's environment, which the
Node side builds for one job; nothing here writes them anywhere."""

from __future__ import annotations

import os

from .errors import BridgeFailure, classify

SDK_MISSING_HINT = "Install Python 3.11+ with the bridge's packages (pip install -r python-bridge/requirements.lock) and point PYTHON_PATH at that interpreter."


def kind() -> str:
    return os.environ.get("LANGGUARD_SOURCE", "databricks")


def guard_network() -> None:
    """Every connection this process opens goes through the host policy (SSRF), checked again on the
    address actually connected to, so a name that re-resolves to an internal address is refused."""
    from . import transport

    transport.install()


def import_mlflow():
    try:
        import mlflow  # noqa: F401
        from mlflow import MlflowClient
    except ImportError as exc:
        raise BridgeFailure("sdk_missing", f"MLflow SDK not available: cannot import mlflow ({type(exc).__name__})", SDK_MISSING_HINT)
    major = int(mlflow.__version__.split(".")[0])
    if major < 3:
        raise BridgeFailure("sdk_missing", f"MLflow SDK not available: version {mlflow.__version__} is older than 3.0", "pip install 'mlflow>=3.0.0'")
    return mlflow, MlflowClient


def auth_type() -> str:
    """The integration's authentication method, as the Node side set it for this job."""
    default = "pat" if kind() == "databricks" else ("bearer" if os.environ.get("MLFLOW_TRACKING_TOKEN") else "none")
    return os.environ.get("LANGGUARD_AUTH_TYPE") or default


# What each method needs from the environment, and the fix when it is missing.
_NEEDS = {
    "pat": (("DATABRICKS_TOKEN",), "Save a personal access token on the integration."),
    "oauth-m2m": (("DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET"), "Save the service principal's client id and OAuth secret on the integration."),
    "azure-client-secret": (
        ("ARM_TENANT_ID", "ARM_CLIENT_ID", "ARM_CLIENT_SECRET"),
        "Save the Entra ID service principal's tenant id, client id and client secret on the integration.",
    ),
    "basic": (("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD"), "Save the MLflow user name and password on the integration."),
    "bearer": (("MLFLOW_TRACKING_TOKEN",), "Save the MLflow server's token on the integration."),
    "none": ((), None),
}
_METHODS = {"databricks": ("pat", "oauth-m2m", "azure-client-secret"), "mlflow": ("none", "basic", "bearer")}


def require_settings() -> None:
    source = kind()
    if source not in _METHODS:
        raise BridgeFailure("config", f"Unknown source {source!r}")
    if source == "databricks" and not os.environ.get("DATABRICKS_HOST"):
        raise BridgeFailure("config", "DATABRICKS_HOST is not set", "Set the integration's host URL, e.g. https://dbc-xxx.cloud.databricks.com")
    if source == "mlflow" and not os.environ.get("MLFLOW_TRACKING_URI"):
        raise BridgeFailure("config", "MLFLOW_TRACKING_URI is not set", "Set the integration's host to the tracking server URL.")
    method = auth_type()
    if method not in _METHODS[source]:
        raise BridgeFailure("config", f"The {method!r} authentication method does not apply to a {source} source", f"Use one of {', '.join(_METHODS[source])}.")
    names, hint = _NEEDS[method]
    if any(not os.environ.get(name) for name in names):
        what = "token" if method == "pat" else "credentials"
        raise BridgeFailure("config", f"No Databricks {what} was provided" if source == "databricks" else f"No MLflow {what} were provided", hint)
    if source == "databricks" and method in ("oauth-m2m", "azure-client-secret") and "principal" not in _cached:
        # Once per process, before MLflow or any client of ours posts the secret anywhere.
        from . import credentials

        if method == "azure-client-secret":
            credentials.use_entra_login()
        credentials.guard_token_endpoints()
        _cached["principal"] = True


def mlflow_client():
    """Points MLflow at the source named by the environment and returns a client. MLflow reads the
    credentials from the environment itself (DATABRICKS_* through databricks-sdk's own providers,
    MLFLOW_TRACKING_USERNAME/PASSWORD/TOKEN for a tracking server)."""
    require_settings()
    mlflow, MlflowClient = import_mlflow()
    uri = "databricks" if kind() == "databricks" else os.environ["MLFLOW_TRACKING_URI"]
    mlflow.set_tracking_uri(uri)
    return mlflow, MlflowClient(tracking_uri=uri)


_cached: dict = {}


def sdk_config():
    """databricks-sdk's Config for this job's method, built once per process (one process per job),
    so an OAuth token is fetched once and refreshed by the SDK before it expires; it lives only in
    this process's memory."""
    if "config" not in _cached:
        try:
            from databricks.sdk.config import Config
        except ImportError as exc:
            raise BridgeFailure("sdk_missing", f"Databricks SDK not available ({type(exc).__name__})", SDK_MISSING_HINT)
        host = os.environ["DATABRICKS_HOST"]
        method = auth_type()
        try:
            if method == "pat":
                _cached["config"] = Config(host=host, token=os.environ["DATABRICKS_TOKEN"], auth_type="pat")
            else:
                # The SDK reads the client id and secret from the environment itself.
                _cached["config"] = Config(host=host, auth_type=method)
        except BridgeFailure:
            raise
        except Exception as exc:  # noqa: BLE001 - the SDK's own words say which credential failed
            raise classify(exc) from exc
    return _cached["config"]


def workspace_client():
    """databricks-sdk's client for the REST APIs MLflow does not cover (Unity Catalog, SQL, SCIM)."""
    require_settings()
    if "client" not in _cached:
        try:
            from databricks.sdk import WorkspaceClient
        except ImportError as exc:
            raise BridgeFailure("sdk_missing", f"Databricks SDK not available ({type(exc).__name__})", SDK_MISSING_HINT)
        _cached["client"] = WorkspaceClient(config=sdk_config())
    return _cached["client"]
