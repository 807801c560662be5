"""What an authentication method's failures mean, in our words with the exact fix. Plain data
(kind, message, hint, status) so errors.py can use it without this module importing errors.py."""

from __future__ import annotations

import re
from typing import NamedTuple


class Failure(NamedTuple):
    kind: str
    message: str
    hint: str | None
    status: int


# A token endpoint refuses in OAuth's words (RFC 6749 §5.2); databricks-sdk raises them as
# "ValueError('<error>: <description>')". Entra ID puts its AADSTS codes in the description.
_OAUTH_ERROR = re.compile(r"\b(invalid_client|unauthorized_client|invalid_grant|invalid_request|invalid_scope|access_denied): ?(.*)", re.S)

NEW_SECRET_DATABRICKS = (
    "In the Databricks account console open User management → Service principals → the principal → Secrets, "
    "generate a new OAuth secret, and save it (and the principal's Application ID as client id) on the integration."
)
NEW_SECRET_ENTRA = "In the Azure portal open Microsoft Entra ID → App registrations → the application → Certificates & secrets, add a new client secret, and save its value on the integration."
ADD_TO_WORKSPACE = (
    "Add the service principal to this workspace: Settings → Identity and access → Service principals → Add service principal "
    "(an account admin may first need to assign it to the workspace), and give it the Workspace access entitlement."
)
SERVICE_PRINCIPALS = ("oauth-m2m", "azure-client-secret")


def token_failure(exc: BaseException, method: str) -> Failure | None:
    """A token endpoint's refusal anywhere in the exception's chain. Only for the service principal
    methods: MLflow and PAT errors never come from a token endpoint."""
    if method not in SERVICE_PRINCIPALS:
        return None
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        match = _OAUTH_ERROR.search(str(cause))
        if match:
            return _oauth_refusal(match.group(1), match.group(2), method)
        cause = cause.__cause__ or cause.__context__
    return None


def _oauth_refusal(code: str, description: str, method: str) -> Failure:
    entra = method == "azure-client-secret"
    where = "Microsoft Entra ID" if entra else "The workspace's token endpoint"
    new_secret = NEW_SECRET_ENTRA if entra else NEW_SECRET_DATABRICKS
    lowered = description.lower()
    # Entra ID: AADSTS7000222 = the secret expired; AADSTS700016 = no such application in the tenant;
    # AADSTS90002 = no such tenant; AADSTS7000215 = a wrong secret. Databricks says "expired".
    if "aadsts7000222" in lowered or "expired" in lowered:
        return Failure("auth", f"{where} refused the client secret: it has expired ({code})", new_secret, 401)
    if "aadsts700016" in lowered or "aadsts90002" in lowered:
        return Failure(
            "auth",
            f"{where} does not know this tenant or client id ({code})",
            "Check the tenant id (Directory (tenant) ID) and the client id (the app registration's Application (client) ID).",
            401,
        )
    if code in ("invalid_client", "unauthorized_client"):
        check = (
            "Check the tenant id, the client id (Application (client) ID) and the secret's value (not its id). "
            if entra
            else "Check the client id (the service principal's Application ID) and the secret. "
        )
        return Failure("auth", f"{where} refused the service principal's client id or secret ({code})", check + new_secret, 401)
    return Failure("auth", f"{where} refused the token request ({code})", new_secret, 401)


def unauthorized(method: str, host: str) -> Failure | None:
    """A 401 from the workspace itself. A service principal's token was just issued by its own
    issuer, so the workspace refusing it means the principal is not a member of the workspace."""
    if method in SERVICE_PRINCIPALS:
        return Failure("auth", f"401 Unauthorized: {host} does not accept the service principal (it is not a member of this workspace)", ADD_TO_WORKSPACE, 401)
    return None


NEW_PAT = (
    "Generate a new personal access token (Settings → Developer → Access tokens → Generate new token) and save it on the "
    "integration; a service principal (oauth-m2m) does not expire with a person's token."
)


def expired_credential(method: str, host: str) -> Failure:
    """A 401 whose cause the workspace gives as an expired token."""
    if method in SERVICE_PRINCIPALS:
        # The SDK refreshes OAuth tokens itself: an expired one it cannot replace means the secret went.
        return Failure("auth", f"401 Unauthorized: {host} says the service principal's token has expired", NEW_SECRET_ENTRA if method == "azure-client-secret" else NEW_SECRET_DATABRICKS, 401)
    return Failure("auth", f"401 Unauthorized: the token has expired ({host})", NEW_PAT, 401)
