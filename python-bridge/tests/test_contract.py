"""Parameters are checked against the contract packages/bridge-client writes (schemas/contract.json)."""

import pytest

from langguard_bridge.catalog import Options, catalog_record, model_record, table_record
from langguard_bridge.contract import check, records_schema, schemas, validated
from langguard_bridge.errors import BridgeFailure
from langguard_bridge.tags import NONE


def refusal(command: str, params) -> str:
    with pytest.raises(BridgeFailure) as caught:
        validated(command, params)
    assert caught.value.kind == "config"
    assert not caught.value.retryable
    return caught.value.message


def test_every_command_has_params_and_fills_its_defaults():
    assert set(schemas()) - {"$comment"} == {"check", "list-experiments", "stream-traces", "stream-catalog"}
    filled = validated("stream-catalog", {})
    assert filled["pageSize"] == 100 and filled["concurrency"] == 8 and filled["kinds"] == ["tables", "volumes", "functions", "models", "servingEndpoints", "genieSpaces"]
    # An object's own defaults fill in too, when the object itself was left out.
    assert filled["stats"] == {"enabled": False, "concurrency": 4, "waitTimeoutSeconds": 10, "pollIntervalSeconds": 1, "maxWaitSeconds": 120}
    assert validated("stream-traces", {"pageSize": 7})["pageSize"] == 7


@pytest.mark.parametrize(
    ("command", "params", "path", "reason"),
    [
        ("stream-catalog", {"concurrency": 65}, "concurrency", "must be at most 64"),
        ("stream-catalog", {"stats": {"concurrency": 0}}, "stats.concurrency", "must be at least 1"),
        ("stream-catalog", {"kinds": ["tables", "views"]}, "kinds[1]", "must be one of"),
        ("stream-catalog", {"include": {"views": ["a"]}}, "include.views", "is not a parameter"),
        ("stream-traces", {"pageSize": 2.5}, "pageSize", "must be a whole number"),
        ("stream-traces", {"cursors": {"1": -5}}, "cursors.1", "must be at least 0"),
        ("stream-traces", {"concurrency": True}, "concurrency", "must be a whole number"),
        ("stream-traces", {"maxPayloadBytes": float("inf")}, "maxPayloadBytes", "must be a whole number"),
        ("check", {"token": "dapi123"}, "token", "is not a parameter"),
    ],
)
def test_refuses_with_the_fields_path_and_reason(command, params, path, reason):
    message = refusal(command, params)
    assert f"'{path}'" in message
    assert reason in message


def test_refuses_parameters_that_are_not_an_object():
    assert "must be an object" in refusal("stream-catalog", [])


def test_refuses_a_schema_keyword_it_cannot_check_rather_than_passing_it():
    with pytest.raises(Exception, match="does not check: pattern"):
        check({"type": "string", "pattern": "^a"}, "b")


def test_catalog_options_read_only_validated_params():
    opts = Options(validated("stream-catalog", {"kinds": ["models", "tables"], "stats": {"enabled": True, "waitTimeoutSeconds": 2}}))
    # Listed in the walk's own order; 1..4 seconds is read as the API's minimum of 5.
    assert opts.kinds == ["tables", "models"]
    assert opts.stats is True and opts.wait_timeout == 5 and opts.max_wait == 120
    assert opts.page_for("tables") == 50


def test_catalog_records_match_the_contracts_record_schema():
    schema = records_schema("stream-catalog")
    item = {"name": "orders", "owner": "me", "columns": [{"name": "id", "type_text": "int", "position": 0}], "created_at": 1700000000000}
    for data in (
        catalog_record({"name": "main"}, NONE),
        table_record("main", "sales", item, NONE, None),
        model_record("main", "ml", {"name": "churn"}, [{"alias_name": "prod", "version_num": 2}], [{"version": 2, "status": "READY"}], NONE),
    ):
        check(schema, {"type": "record", "stream": "catalog", "data": data})
    with pytest.raises(Exception, match="data"):
        check(schema, {"type": "record", "stream": "catalog", "data": {"kind": "table", "name": "t"}})
