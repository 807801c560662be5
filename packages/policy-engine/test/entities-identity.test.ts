import { describe, expect, it } from "vitest";
import { extractEntities, identityFrom } from "../src/index.ts";
import { document, llm, observation, tool } from "./fixtures/documents.ts";

describe("extractEntities", () => {
  it("collects models, tools (spans, calls, offers) and Unity Catalog table candidates", () => {
    const doc = document({
      observations: [
        llm("gpt-4o", {
          input: { messages: [], tools: [{ type: "function", function: { name: "get_weather" } }] },
          output: { choices: [{ message: { tool_calls: [{ id: "1", type: "function", function: { name: "lookup_customer", arguments: "{}" } }] } }] },
        }),
        llm("claude-sonnet-4", { type: "LLM", output: { content: [{ type: "tool_use", name: "send_email", input: {} }] } }),
        tool("sql_runner", { input: { query: "SELECT a FROM main.sales.orders o JOIN `hive_metastore`.`default`.`Customers` c ON 1=1" } }),
        observation({ type: "RETRIEVER", attributes: { index: "prod.rag.docs_index", host: "adb-123.azuredatabricks.net", file: "model.v1.2.bin" } }),
        llm("gpt-4o"),
      ],
    });
    expect(extractEntities(doc)).toEqual({
      models: ["gpt-4o", "claude-sonnet-4"],
      tools: ["get_weather", "lookup_customer", "send_email", "sql_runner"],
      data: ["main.sales.orders", "hive_metastore.default.customers", "prod.rag.docs_index"],
    });
  });

  it("ignores longer dotted chains and names inside URLs or e-mail addresses", () => {
    const doc = document({ observations: [tool("t", { input: "see https://a.b.c/x and x@foo.bar.baz and com.example.pkg.Class and 1.2.3" })] });
    expect(extractEntities(doc).data).toEqual([]);
  });
});

describe("identityFrom", () => {
  it("prefers the request's end user over whoever logged the trace", () => {
    expect(identityFrom({ "mlflow.trace.user": "alice@corp.com" }, { "mlflow.user": "etl-bot@corp.com" })).toEqual({
      userId: "alice@corp.com",
      userName: null,
      servicePrincipal: false,
      applicationId: null,
    });
  });

  it("reads OpenTelemetry and plain keys from span attributes", () => {
    expect(identityFrom({}, {}, [{ "enduser.id": "u-123" }])).toMatchObject({ userId: "u-123", servicePrincipal: false });
    expect(identityFrom({ user_id: "42", user_name: "Ada" }, {})).toMatchObject({ userId: "42", userName: "Ada" });
    expect(identityFrom({}, {}, { "gen_ai.agent.user.id": "u-9" }).userId).toBe("u-9");
  });

  it("recognises a service principal by its application id or a declared identity type", () => {
    const appId = "7f1c9a52-3d4e-4b6a-9c2d-1e8f0a7b6c5d";
    expect(identityFrom({}, { "mlflow.user": appId })).toEqual({ userId: appId, userName: null, servicePrincipal: true, applicationId: appId });
    expect(identityFrom({ "identity.type": "service_principal", application_id: "app-7" }, {})).toEqual({
      userId: null,
      userName: null,
      servicePrincipal: true,
      applicationId: "app-7",
    });
  });

  it("treats a person's mlflow.user as both id and name", () => {
    expect(identityFrom({}, { "mlflow.user": "bob@corp.com" })).toEqual({
      userId: "bob@corp.com",
      userName: "bob@corp.com",
      servicePrincipal: false,
      applicationId: null,
    });
  });
});
