"""Serving endpoints and Genie spaces as records: the agent-or-model rule, what an endpoint's
record keeps (and never: an external model's credentials), and a Genie export's tables."""

import json

from langguard_bridge.ai_assets import genie_space_record, genie_tables, governance_kind, serving_endpoint_record


def test_an_agent_task_is_an_agent_and_everything_else_a_model():
    assert governance_kind("agent/v1/chat") == "agent"
    assert governance_kind("agent/v1/responses") == "agent"
    assert governance_kind("llm/v1/chat") == "model"
    assert governance_kind(None) == "model"


def test_an_external_model_keeps_provider_name_and_task_only():
    item = {
        "name": "openai-gpt",
        "task": "llm/v1/chat",
        "config": {"served_entities": [{"name": "gpt", "external_model": {"provider": "openai", "name": "gpt-4o", "task": "llm/v1/chat", "openai_config": {"openai_api_key_plaintext": "sk-canary"}}}]},
    }
    record = serving_endpoint_record(item)
    assert record["servedEntities"][0]["externalModel"] == {"provider": "openai", "name": "gpt-4o", "task": "llm/v1/chat"}
    assert "sk-canary" not in json.dumps(record)
    assert record["entityKind"] == "model" and record["tables"] == [] and record["models"] == []


def test_an_endpoint_links_its_uc_model_and_its_inference_table():
    item = {
        "name": "agent",
        "task": "agent/v1/chat",
        "creator": "a@example.com",
        "config": {"served_entities": [{"name": "a-1", "entity_name": "main.agents.bot", "entity_version": 3}]},
        "ai_gateway": {
            "inference_table_config": {"catalog_name": "main", "schema_name": "logs", "table_name_prefix": "bot", "enabled": True},
            "rate_limits": [{"calls": 5, "key": "user", "renewal_period": "minute"}],
        },
    }
    record = serving_endpoint_record(item)
    assert record["entityKind"] == "agent" and record["owner"] == "a@example.com"
    assert record["models"] == ["main.agents.bot"] and record["tables"] == ["main.logs.bot_payload"]
    assert record["servedEntities"][0]["entityVersion"] == "3"
    assert record["aiGateway"]["rateLimits"] == [{"calls": 5, "tokens": None, "key": "user", "principal": None, "renewalPeriod": "minute"}]
    assert record["aiGateway"]["inferenceTable"] == {"enabled": True, "table": "main.logs.bot_payload"}


def test_a_genie_export_names_its_tables_and_metric_views():
    export = json.dumps({"data_sources": {"tables": [{"identifier": "a.b.t2"}, {"identifier": "a.b.t1"}], "metric_views": [{"identifier": "a.b.m"}]}})
    assert genie_tables(export) == ["a.b.m", "a.b.t1", "a.b.t2"]
    assert genie_tables(None) is None and genie_tables("not json") is None
    record = genie_space_record({"space_id": "abc", "title": "Sales", "warehouse_id": "w1", "create_time": "2024-02-01T12:00:00Z"}, None)
    assert record["name"] == "abc" and record["title"] == "Sales" and record["tablesKnown"] is False and record["tables"] == []
    assert record["createdAt"] == 1706788800000


def test_values_no_time_or_export_can_hold_leave_the_space_stored():
    from langguard_bridge.ai_assets import genie_space_record, genie_tables
    from langguard_bridge.uc import epoch_ms

    assert epoch_ms(float("inf")) is None and epoch_ms(float("nan")) is None and epoch_ms(1.7e12) == 1_700_000_000_000
    record = genie_space_record({"space_id": "s1", "title": "t", "create_time": float("inf"), "update_time": float("nan")}, None)
    assert record["createdAt"] is None and record["updatedAt"] is None and record["tablesKnown"] is False
    # An export nested past the parser's depth is unreadable, like a broken one: the tables are unknown.
    assert genie_tables("[" * 100_000) is None
