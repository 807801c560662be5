"""Where the bridge reads from. Credentials come only from this process's environment, which the
Node side builds for one job; nothing here writes them anywhere."""

from __future__ import annotations

import os

from .errors import BridgeFailure

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


def require_settings() -> None:
    if kind() == "databricks":
        if not os.environ.get("DATABRICKS_HOST"):
            raise BridgeFailure("config", "DATABRICKS_HOST is not set", "Set the integration's host URL, e.g. https://dbc-xxx.cloud.databricks.com")
        if not os.environ.get("DATABRICKS_TOKEN"):
            raise BridgeFailure("config", "No Databricks token was provided", "Save a personal access token on the integration.")
    elif kind() == "mlflow":
        if not os.environ.get("MLFLOW_TRACKING_URI"):
            raise BridgeFailure("config", "MLFLOW_TRACKING_URI is not set", "Set the integration's host to the tracking server URL.")
    else:
        raise BridgeFailure("config", f"Unknown source {kind()!r}")


def mlflow_client():
    """Points MLflow at the source named by the environment and returns a client."""
    require_settings()
    mlflow, MlflowClient = import_mlflow()
    uri = "databricks" if kind() == "databricks" else os.environ["MLFLOW_TRACKING_URI"]
    mlflow.set_tracking_uri(uri)
    return mlflow, MlflowClient(tracking_uri=uri)


def workspace_client():
    """databricks-sdk's client for the REST APIs MLflow does not cover (Unity Catalog, SQL, SCIM)."""
    require_settings()
    try:
        from databricks.sdk import WorkspaceClient
    except ImportError as exc:
        raise BridgeFailure("sdk_missing", f"Databricks SDK not available ({type(exc).__name__})", SDK_MISSING_HINT)
    return WorkspaceClient(host=os.environ["DATABRICKS_HOST"], token=os.environ["DATABRICKS_TOKEN"], auth_type="pat")
