"""Where agents and models run in a workspace, beside Unity Catalog: Model Serving endpoints
(serving-endpoints API) and Genie spaces (Genie API), streamed as `catalog` records of kinds
`servingEndpoint` and `genieSpace`.

Each is one workspace-wide listing (no parent) that ends with a checkpoint only when it completed:
an endpoint whose details could not be read leaves the listing without one, so the consumer marks
nothing of it deleted in this run (the same rule as the Unity Catalog containers in catalog.py).

What is kept is what governance needs and nothing that could carry a secret: an external model's
provider settings hold API keys (plaintext or secret references), so only its provider, name and
task are read.

The functions take the catalog walk (catalog.Walk: its api, lookups pool, listing_of, report and
count), untyped here so that this module does not import catalog.py, which imports it.
"""

from __future__ import annotations

import json

from .errors import BridgeFailure
from .names import full_name
from .protocol import emit
from .uc import epoch_ms, failure_of, segment, text, whole

SERVING = "/api/2.0/serving-endpoints"
GENIE = "/api/2.0/genie/spaces"
# An inference table is named by its prefix: Databricks writes the payloads to `<prefix>_payload`.
PAYLOAD_SUFFIX = "_payload"
# An entry that vanished between the listing and its details: left out, the listing still complete.
VANISHED = object()
UNAVAILABLE_HINT = "The workspace does not serve this API (an older deployment, or the feature is off). Turn off {setting} on the integration to stop asking; nothing stored is deleted meanwhile."
GENIE_TABLES_HINT = "Reading the tables a Genie space uses needs CAN EDIT on the space; grant it to the integration's principal, or its tables stay unlinked."


# ------------------------------------------------------------------ records
def _obj(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def governance_kind(task) -> str:
    """Agent or model, by what the endpoint serves. An endpoint whose task is an agent task
    (`agent/v1/chat`, `agent/v2/chat`, `agent/v1/responses`: what `databricks.agents.deploy` and
    chat-agent models declare) is an agent; any other (foundation model, external model, custom
    model) is a model."""
    if isinstance(task, str) and task.startswith("agent/"):
        return "agent"
    return "model"


def _version(value):
    # A string in the API; kept as text whatever form it comes in.
    number = whole(value)
    return text(value) or (str(number) if number is not None else None)


def served_entity(item: dict) -> dict:
    foundation = item.get("foundation_model")
    external = item.get("external_model")
    return {
        "name": text(item.get("name")),
        "entityName": text(item.get("entity_name")),
        "entityVersion": _version(item.get("entity_version")),
        "foundationModel": {"name": text(foundation.get("name")), "displayName": text(foundation.get("display_name"))} if isinstance(foundation, dict) else None,
        # Only these three: the provider's config block holds its credentials.
        "externalModel": {"provider": text(external.get("provider")), "name": text(external.get("name")), "task": text(external.get("task"))} if isinstance(external, dict) else None,
    }


def _inference_table(config: dict):
    catalog, schema, prefix = text(config.get("catalog_name")), text(config.get("schema_name")), text(config.get("table_name_prefix"))
    if not (catalog and schema and prefix):
        return None
    return {"enabled": config.get("enabled") is True, "table": full_name(catalog, schema, prefix + PAYLOAD_SUFFIX)}


def _guardrail(params: dict):
    if not params:
        return None
    pii = _obj(params.get("pii"))
    return {
        "safety": params.get("safety") is True,
        "pii": text(pii.get("behavior")),
        "invalidKeywords": len(_list(params.get("invalid_keywords"))),
        "validTopics": len(_list(params.get("valid_topics"))),
    }


def ai_gateway(gateway: dict, auto_capture: dict) -> dict:
    # Legacy endpoints capture payloads through the config's auto_capture_config rather than AI Gateway.
    table = _inference_table(_obj(gateway.get("inference_table_config"))) or _inference_table(auto_capture)
    guardrails = _obj(gateway.get("guardrails"))
    return {
        "usageTracking": _obj(gateway.get("usage_tracking_config")).get("enabled") is True,
        "inferenceTable": table,
        "guardrails": {"input": _guardrail(_obj(guardrails.get("input"))), "output": _guardrail(_obj(guardrails.get("output")))},
        "rateLimits": [
            {"calls": whole(r.get("calls")), "tokens": whole(r.get("tokens")), "key": text(r.get("key")), "principal": text(r.get("principal")), "renewalPeriod": text(r.get("renewal_period"))}
            for r in _list(gateway.get("rate_limits"))
            if isinstance(r, dict)
        ],
    }


def serving_endpoint_record(item: dict) -> dict:
    name = item["name"]
    config = _obj(item.get("config"))
    served = [served_entity(e) for e in _list(config.get("served_entities")) if isinstance(e, dict)]
    state = _obj(item.get("state"))
    gateway = ai_gateway(_obj(item.get("ai_gateway")), _obj(config.get("auto_capture_config")))
    uc_models = sorted({e["entityName"] for e in served if e["entityName"] and e["entityName"].count(".") >= 2 and not e["foundationModel"] and not e["externalModel"]})
    table = gateway["inferenceTable"]
    return {
        "kind": "servingEndpoint",
        "name": name,
        "fullName": full_name(name),
        "endpointId": text(item.get("id")),
        "owner": text(item.get("creator")),
        "comment": text(item.get("description")),
        "createdAt": epoch_ms(item.get("creation_timestamp")),
        "updatedAt": epoch_ms(item.get("last_updated_timestamp")),
        "task": text(item.get("task")),
        "entityKind": governance_kind(item.get("task")),
        "state": {"ready": text(state.get("ready")), "configUpdate": text(state.get("config_update"))},
        # The endpoint's own key-value tags, in the shape Unity Catalog objects' tags take.
        "tags": sorted(({"key": t["key"], "value": text(t.get("value"))} for t in _list(item.get("tags")) if isinstance(t, dict) and isinstance(t.get("key"), str)), key=lambda t: t["key"]),
        "servedEntities": served,
        "aiGateway": gateway,
        # What it reads or writes in Unity Catalog: the registered models it serves and its inference table.
        "models": uc_models,
        "tables": [table["table"]] if table else [],
    }


def genie_tables(serialized) -> list | None:
    """The tables and metric views a space's export names (`data_sources`), or None when the
    export is absent or unreadable."""
    if not isinstance(serialized, str) or not serialized:
        return None
    try:
        space = json.loads(serialized)
    except (ValueError, RecursionError):  # a deeply nested export is as unreadable as a broken one
        return None
    sources = _obj(_obj(space).get("data_sources"))
    names = [text(_obj(t).get("identifier")) for key in ("tables", "metric_views") for t in _list(sources.get(key))]
    return sorted({n for n in names if n})


def genie_space_record(item: dict, tables: list | None) -> dict:
    space_id = item["space_id"]
    return {
        "kind": "genieSpace",
        # The id names it: a title may change or repeat, and a rename must not make a new entity.
        "name": space_id,
        "fullName": full_name(space_id),
        "title": text(item.get("title")),
        "comment": text(item.get("description")),
        "warehouseId": text(item.get("warehouse_id")),
        "parentPath": text(item.get("parent_path")),
        "createdAt": epoch_ms(item.get("create_time")),
        "updatedAt": epoch_ms(item.get("update_time")),
        "tables": tables or [],
        "tablesKnown": tables is not None,
    }


# ------------------------------------------------------------------ listings
def serving_endpoints(walk) -> None:
    """`GET /api/2.0/serving-endpoints` answers every endpoint at once (no pages); each endpoint's
    details (`GET …/serving-endpoints/{name}`) add its inference table capture and served entities'
    full configuration."""

    page = details_page(walk, "servingEndpoints", endpoint_one)
    unavailable_is_a_warning(
        walk, "servingEndpoints", "syncServingEndpoints", lambda: walk.listing_of("servingEndpoints", "servingEndpoint", (), SERVING, "endpoints", {}, lambda item, name: True, page, page_param=None)
    )


def details_page(walk, listing: str, one):
    """A listing's page whose entries each need a details request: fetched side by side on the
    walk's lookup threads; an entry gone in between (VANISHED) is left out, an unreadable one is
    None (its error was reported, and the listing gets no checkpoint)."""

    def page(items):
        futures = [walk.lookups.submit(one, walk, item) for item in items]
        records = [r for r in (f.result() for f in futures) if r is not VANISHED]
        walk.count(listing, sum(r is not None for r in records))
        return records

    return page


def unavailable_is_a_warning(walk, listing: str, setting: str, run) -> None:
    """A workspace that answers 404 for the whole API does not have it: a warning (container
    `unavailable:<listing>`) rather than a failed listing, so a workspace without Genie does not make
    every catalog run partial. The listing has no checkpoint all the same. Any other failure (a 403
    included) is the listing's error, as for every catalog container."""
    try:
        run()
    except Exception as exc:  # noqa: BLE001 - only a 404 is handled here; the rest goes on up
        failure = failure_of(exc)
        if failure.kind != "not_found":
            raise
        emit(BridgeFailure("not_found", f"The workspace does not serve {listing}: {failure.message}", UNAVAILABLE_HINT.format(setting=setting)).as_message(container=f"unavailable:{listing}"))


def endpoint_one(walk, item: dict):
    if walk.stop.is_set():
        return None
    name = item["name"]
    try:
        detail = walk.api.get(f"{SERVING}/{segment(name)}")
        return serving_endpoint_record({**item, **detail, "name": name})
    except Exception as exc:  # noqa: BLE001 - one endpoint's failure must not hide the others
        if failure_of(exc).kind == "not_found":
            return VANISHED
        walk.report(f"servingEndpoint:{full_name(name)}", "servingEndpoint", (name,), exc)
        return None


def genie_spaces(walk) -> None:
    """`GET /api/2.0/genie/spaces`, page by page (page_size, page_token). The list leaves out each
    space's export, so its tables come from `GET …/spaces/{id}?include_serialized_space=true`,
    which needs CAN EDIT: without it the space is kept, its tables unknown, and a warning says why."""

    page = details_page(walk, "genieSpaces", space_one)
    unavailable_is_a_warning(
        walk, "genieSpaces", "syncGenieSpaces", lambda: walk.listing_of("genieSpaces", "genieSpace", (), GENIE, "spaces", {}, lambda item, name: True, page, page_param="page_size", field="space_id")
    )


def space_one(walk, item: dict):
    if walk.stop.is_set():
        return None
    space_id = item["space_id"]
    try:
        detail = walk.api.get(f"{GENIE}/{segment(space_id)}", {"include_serialized_space": "true"})
        tables = genie_tables(detail.get("serialized_space"))
    except Exception as exc:  # noqa: BLE001 - the space is listed; only its tables are unknown
        failure = failure_of(exc)
        if failure.kind == "not_found":
            return VANISHED
        if failure.kind != "permission":
            walk.report(f"genieSpace:{full_name(space_id)}", "genieSpace", (space_id,), exc)
            return None
        emit(BridgeFailure(failure.kind, f"The tables of Genie space {space_id} could not be read: {failure.message}", GENIE_TABLES_HINT).as_message(container=f"genieTables:{space_id}"))
        tables = None
    return genie_space_record(item, tables)
