"""Test Connection, step by step: each step reports ok, warning, failed or skipped, with our message
and the fix. A failed step skips the ones that depend on it."""

from __future__ import annotations

import math
import sys
import time

from . import PROTOCOL_VERSION
from .errors import BridgeFailure, classify
from .protocol import emit
from .source import auth_type, import_mlflow, kind, mlflow_client, workspace_client

STEPS = ("python", "mlflow", "auth", "catalog", "experiments", "traces", "warehouse")

NO_TRACES_CAUSES = [
    "MLflow tracing is not enabled in the agent's code",
    "the experiments have runs but no traces",
    "the time range does not include the traces' timestamps",
    "the experiments are archived (deleted)",
]


def who() -> str:
    """Whom a permission is granted to, by method, in the words of the workspace's permission dialogs."""
    return {"oauth-m2m": "the service principal", "azure-client-secret": "the service principal", "basic": "the MLflow user"}.get(auth_type(), "the token's user")


def step(name: str, status: str, message: str, hint: str | None = None, kind_: str | None = None, **data) -> None:
    emit({"type": "step", "step": name, "status": status, "message": message, "hint": hint, "kind": kind_, "data": data or None})


def failed(name: str, failure: BridgeFailure, after: str) -> None:
    step(name, "failed", failure.message, failure.hint, failure.kind)
    for rest in STEPS[STEPS.index(name) + 1 :]:
        if rest != after:
            step(rest, "skipped", f"Skipped because the {name} step failed")


def cmd_check(params: dict) -> dict:
    info = {"protocol": PROTOCOL_VERSION, "python": sys.version.split()[0], "source": kind()}
    if sys.version_info < (3, 11):
        failed("python", BridgeFailure("sdk_missing", f"Python {info['python']} is older than 3.11", "Point PYTHON_PATH at Python 3.11 or newer."), "")
        return info
    step("python", "ok", f"Python {info['python']}")

    try:
        mlflow, _ = import_mlflow()
    except BridgeFailure as failure:
        failed("mlflow", failure, "")
        return info
    info["mlflow"] = mlflow.__version__
    step("mlflow", "ok", f"MLflow {mlflow.__version__}")

    try:
        _, client = mlflow_client()
        if kind() == "databricks":
            me = workspace_client().current_user.me()
            info["user"] = me.user_name
            expires_at = credential_expiry(me)
            info["credentialExpiresAt"] = expires_at
            days = days_left(expires_at)
            if expires_at is not None and days is not None and days <= params["expiryWarningDays"]:
                step(
                    "auth",
                    "warning",
                    f"Authenticated as {me.user_name}; {expiry_text(expires_at, days)}",
                    (
                        "Generate a new OAuth secret for the service principal (account console → Service principals → Secrets) and save it on the integration before then."
                        if auth_type() == "oauth-m2m"
                        else "Generate a new personal access token (Settings → Developer → Access tokens) and save it on the integration before then, "
                        "or switch the integration to a service principal (oauth-m2m)."
                    ),
                    "auth",
                    credentialExpiresAt=expires_at,
                )
            else:
                step("auth", "ok", f"Authenticated as {me.user_name}", credentialExpiresAt=expires_at)
        else:
            client.search_experiments(max_results=1)
            step("auth", "ok", "The tracking server accepted the credentials")
    except Exception as exc:  # noqa: BLE001 - every failure becomes the step's verdict
        failed("auth", classify(exc), "")
        return info

    sync_catalog = params["syncCatalog"]
    sync_traces = params["syncTraces"]
    catalog_step(sync_catalog)
    if not sync_traces:
        step("experiments", "skipped", "Trace sync is off for this integration")
        step("traces", "skipped", "Trace sync is off for this integration")
        warehouse_step(params.get("warehouseId"), sync_catalog)
        return info

    try:
        experiments = client.search_experiments(max_results=5)
        info["experimentsVisible"] = len(experiments)
        if experiments:
            step("experiments", "ok", f"Experiments are readable ({len(experiments)}{'+' if len(experiments) == 5 else ''} visible)")
        else:
            step("experiments", "warning", f"No experiments are visible to {who()}", f"Grant {who()} CAN_READ on the experiments to sync (the experiment's Permissions), or check the workspace.")
    except Exception as exc:  # noqa: BLE001
        f = classify(exc)
        if f.kind == "permission":
            f.hint = f"Grant {who()} CAN_READ on the experiments to sync (the experiment's Permissions)."
        failed("experiments", f, "warehouse")
        experiments = None

    if experiments:
        try:
            found = client.search_traces(locations=[e.experiment_id for e in experiments], max_results=1, include_spans=False)
            if found:
                step("traces", "ok", "Traces are readable")
            else:
                step("traces", "warning", "No traces found in the first experiments", "Possible causes: " + "; ".join(NO_TRACES_CAUSES) + ".")
        except Exception as exc:  # noqa: BLE001
            f = classify(exc)
            step("traces", "failed", f.message, f.hint, f.kind)
    elif experiments is not None:
        step("traces", "skipped", "No experiments to look in")

    warehouse_step(params.get("warehouseId"), sync_catalog)
    return info


def credential_expiry(me) -> int | None:
    """When the credential stops working (ms since the epoch), where the workspace tells.

    Neither listing says which token or secret is the one in use, only the credentials of whoever
    is authenticated, so the latest expiry among them is the bound: ours expires then at the latest
    (exactly then when there is one). None when any of them never expires, or the workspace does not
    say (a listing it refuses is no reason to fail the check).
    - a PAT: the token API lists the user's own tokens (`expiry_time`, ms; -1 for never);
    - OAuth M2M: the workspace's service principal secrets proxy lists the principal's secrets
      (`expire_time`, RFC 3339; absent for never) where the principal may read it.
    Entra ID secrets are listed by Microsoft Graph only, which the workspace credential cannot read."""
    method = auth_type()
    try:
        if method == "pat":
            answer = workspace_client().api_client.do("GET", "/api/2.0/token/list")
            infos = answer.get("token_infos") if isinstance(answer, dict) else None
            raw = [i.get("expiry_time") for i in infos or [] if isinstance(i, dict)]
            expiries = [e for e in raw if isinstance(e, int) and e > 0]
        elif method == "oauth-m2m" and getattr(me, "id", None):
            secrets = list(workspace_client().service_principal_secrets_proxy.list(str(me.id)))
            active = [s for s in secrets if str(getattr(s, "status", "ACTIVE") or "ACTIVE").upper().endswith("ACTIVE")]
            raw = [s.expire_time for s in active]
            parsed = [_rfc3339_ms(e) for e in raw if e]
            expiries = [e for e in parsed if e is not None]
        else:
            return None
    except Exception:  # noqa: BLE001 - an expiry we cannot read is no reason to fail the check
        return None
    if not raw or len(expiries) != len(raw):
        return None
    return max(expiries)


def _rfc3339_ms(value: str) -> int | None:
    from datetime import datetime

    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def expiry_text(expires_at: int, days: int) -> str:
    """In the gateway's words (credentialWarning): a day count ahead, the date once it has passed."""
    if days <= 0:
        return f"the token expired on {time.strftime('%Y-%m-%d', time.gmtime(expires_at / 1000))}"
    return f"the token expires in {days} day{'' if days == 1 else 's'}"


def days_left(expires_at: int | None) -> int | None:
    if expires_at is None:
        return None
    return max(0, math.ceil((expires_at / 1000 - time.time()) / 86400))


def catalog_step(sync_catalog: bool) -> None:
    """Catalog sync reads Unity Catalog: one page of the catalogs listing shows the token may."""
    if not sync_catalog:
        step("catalog", "skipped", "Catalog sync is off for this integration")
        return
    if kind() != "databricks":
        step("catalog", "failed", "Unity Catalog exists only on Databricks workspaces", "Turn catalog sync off for an MLflow server.", "config")
        return
    try:
        answer = workspace_client().api_client.do("GET", "/api/2.1/unity-catalog/catalogs", query={"max_results": 10})
        catalogs = answer.get("catalogs") if isinstance(answer, dict) else None
        count = len(catalogs) if isinstance(catalogs, list) else 0
        more = "+" if isinstance(answer, dict) and answer.get("next_page_token") else ""
        if count:
            step("catalog", "ok", f"Unity Catalog is readable ({count}{more} catalogs visible)")
        else:
            step("catalog", "warning", f"No catalogs are visible to {who()}", f"Grant {who()} USE CATALOG on the catalogs to sync.")
    except Exception as exc:  # noqa: BLE001 - the step's verdict
        f = classify(exc)
        hint = f"Grant {who()} USE CATALOG (and USE SCHEMA) on the catalogs to sync (Catalog Explorer → the catalog → Permissions)." if f.kind == "permission" else f.hint
        step("catalog", "failed", f.message, hint, f.kind)


WAREHOUSE_REQUIRED_HINT = "Create a SQL warehouse in Databricks, set its id on the integration (or DATABRICKS_WAREHOUSE_ID), make sure it is running, and that the token has access to it."


def warehouse_step(warehouse_id, sync_catalog: bool) -> None:
    if not warehouse_id:
        if sync_catalog:
            step("warehouse", "warning", "Warehouse ID required for catalog operations", WAREHOUSE_REQUIRED_HINT, "config")
        else:
            step("warehouse", "skipped", "No SQL warehouse is set (only used by catalog sync, for tags in bulk and table statistics)")
        return
    if kind() != "databricks":
        step("warehouse", "skipped", "SQL warehouses exist only on Databricks workspaces")
        return
    try:
        state = workspace_client().warehouses.get(warehouse_id).state
        state = getattr(state, "value", state)
        if state == "RUNNING":
            step("warehouse", "ok", "The SQL warehouse is running")
        else:
            step("warehouse", "warning", f"The SQL warehouse is {state}", "Start the warehouse (or enable auto-start) before catalog syncs read tags and table statistics.")
    except Exception as exc:  # noqa: BLE001
        f = classify(exc)
        hint = (
            f"Grant {who()} CAN USE on the SQL warehouse (SQL Warehouses → the warehouse → Permissions)."
            if f.kind == "permission"
            else "Check DATABRICKS_WAREHOUSE_ID / the integration's warehouse id."
            if f.kind == "not_found"
            else f.hint
        )
        step("warehouse", "failed", f.message, hint, f.kind)
