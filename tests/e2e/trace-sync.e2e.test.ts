import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createQueue, QueueName } from "@langguard/queue-contracts";
import { runPython } from "../helpers/mlflow-server.ts";
import { createIntegration, startFleet, syncAndWait, type Fleet } from "../helpers/fleet.ts";

interface TraceListItem {
  id: string;
  externalId: string;
  status: string;
  name: string;
  spanCount: number;
  totalTokens: number | null;
}

interface SpanView {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  type: string;
  status: string;
  model: string | null;
  provider: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  inputs: unknown;
  outputs: unknown;
  attributes: Record<string, unknown>;
  startTime: string;
  endTime: string;
}

describe("trace sync end to end: MLflow server → gateway → queue → worker → bridge → Postgres", () => {
  const mlflowUrl = inject("mlflowUrl");
  const experimentId = inject("demoExperimentId");
  let fleet: Fleet;
  let integrationId: string;
  let source: Array<{ trace_id: string; state: string; request_time: number; execution_duration: number; tags: Record<string, string> }>;

  beforeAll(async () => {
    fleet = await startFleet();
    // Only the demo experiment: other test files write experiments of their own to the same server.
    integrationId = (await createIntegration(fleet, { source: "mlflow", host: mlflowUrl, experiments: [experimentId] })).id;
    // What the source holds, read independently through the MLflow SDK.
    source = await runPython(
      mlflowUrl,
      `import json, mlflow
from mlflow import MlflowClient
traces = MlflowClient().search_traces(locations=["${experimentId}"], max_results=500)
print(json.dumps([{"trace_id": t.info.trace_id, "state": str(t.info.state.value if hasattr(t.info.state, "value") else t.info.state), "request_time": t.info.request_time, "execution_duration": t.info.execution_duration, "tags": t.info.tags} for t in traces]))`,
    );
  });
  afterAll(() => fleet?.close());

  it("imports every trace with the spec's field mapping, then a second sync adds nothing", async () => {
    const first = await syncAndWait(fleet, integrationId);
    expect(first.status).toBe("succeeded");
    expect(first.itemsFetched).toBe(source.length);
    expect(first.itemsIngested).toBe(source.length);

    const list = (await fleet.inject({ method: "GET", url: `/api/traces?integrationId=${integrationId}&limit=200&count=true` })).json() as {
      total: number;
      items: TraceListItem[];
    };
    expect(list.total).toBe(source.length);
    expect(new Set(list.items.map((t) => t.externalId))).toEqual(new Set(source.map((t) => t.trace_id)));

    for (const expected of source) {
      const item = list.items.find((t) => t.externalId === expected.trace_id)!;
      const detail = (await fleet.inject({ method: "GET", url: `/api/traces/${item.id}` })).json() as Record<string, unknown>;
      expect(detail.status).toBe(expected.state);
      expect(new Date(detail.timestamp as string).getTime()).toBe(expected.request_time);
      expect(detail.durationMs).toBe(expected.execution_duration);
      expect(detail.tags).toMatchObject({ environment: "demo", team: "platform" });
      expect(detail.metadata).toHaveProperty(["mlflow.trace_schema.version"], "3");
      expect(detail.input).toHaveProperty("question");
    }
    expect(list.items.filter((t) => t.status === "ERROR")).toHaveLength(source.filter((t) => t.state === "ERROR").length);
    expect(list.items.some((t) => t.status === "ERROR")).toBe(true);

    // Each committed batch is handed to policy evaluation with the ids of its new traces.
    const policyQueue = createQueue(QueueName.PolicyEvaluation, { connection: fleet.redis, prefix: fleet.prefix });
    const handedOff = async () =>
      (await policyQueue.getJobs(["waiting", "delayed", "active", "completed"])).flatMap((j) => ("traceIds" in j.data ? j.data.traceIds : []));
    const storedIds = (await fleet.db.trace.findMany({ where: { integrationId }, select: { id: true } })).map((t) => t.id);
    expect((await handedOff()).sort()).toEqual(storedIds.sort());

    const second = await syncAndWait(fleet, integrationId);
    expect(await handedOff()).toHaveLength(storedIds.length);
    expect(second.status).toBe("succeeded");
    expect(second.itemsIngested).toBe(0);
    expect(second.itemsUpdated).toBe(0);
    expect(await fleet.db.trace.count({ where: { integrationId } })).toBe(source.length);

    const status = (await fleet.inject({ method: "GET", url: `/api/integrations/${integrationId}/sync/status` })).json();
    expect(status).toMatchObject({ isActive: false, lastSync: { status: "succeeded", itemsFetched: source.length, itemsIngested: 0 } });
    expect(status.lastSync.completedAt).toEqual(expect.any(String));
  });

  it("keeps each span tree: parent links, types, timing, model and token usage", async () => {
    const list = (await fleet.inject({ method: "GET", url: `/api/traces?integrationId=${integrationId}&limit=200&count=true` })).json() as {
      items: TraceListItem[];
    };
    const rag = list.items.find((t) => t.name === "CustomerService")!;
    const trace = (await fleet.inject({ method: "GET", url: `/api/traces/${rag.id}` })).json() as {
      spans: SpanView[];
      totalTokens: number;
      inputTokens: number;
      agents: Array<{ name: string; version: string }>;
    };
    const spans = trace.spans;
    expect(spans).toHaveLength(rag.spanCount);
    const root = spans.filter((s) => s.parentSpanId === null);
    expect(root).toHaveLength(1);
    expect(root[0]).toMatchObject({ name: "CustomerService", type: "AGENT", status: "OK" });
    const children = spans.filter((s) => s.parentSpanId === root[0]!.spanId);
    expect(children.map((s) => s.type).sort()).toEqual(["CHAT_MODEL", "RETRIEVER"]);
    for (const span of spans) expect(new Date(span.endTime).getTime()).toBeGreaterThanOrEqual(new Date(span.startTime).getTime());

    const llm = spans.find((s) => s.type === "CHAT_MODEL")!;
    expect(llm).toMatchObject({ model: "gpt-4o-mini", provider: "openai" });
    expect(llm.inputTokens).toBeGreaterThan(0);
    expect(llm.totalTokens).toBe(llm.inputTokens! + llm.outputTokens!);
    expect(llm.inputs).toHaveProperty("messages");
    expect(trace.totalTokens).toBe(llm.totalTokens);
    expect(root[0]!.attributes).toMatchObject({ "agent.name": "CustomerService", "agent.version": "2.0.0", "agent.type": "RAG" });
    expect(trace.agents).toEqual([expect.objectContaining({ name: "CustomerService", version: "2.0.0" })]);

    const retriever = spans.find((s) => s.type === "RETRIEVER")!;
    expect(retriever.outputs).toEqual([expect.objectContaining({ page_content: expect.any(String) })]);
    const tools = list.items.find((t) => t.name === "CodeReviewer" && t.status === "OK")!;
    const toolTrace = (await fleet.inject({ method: "GET", url: `/api/traces/${tools.id}` })).json() as { spans: SpanView[] };
    expect(toolTrace.spans.some((s) => s.type === "TOOL" && s.name === "read_file")).toBe(true);
    const failed = list.items.find((t) => t.status === "ERROR")!;
    const failedTrace = (await fleet.inject({ method: "GET", url: `/api/traces/${failed.id}` })).json() as { spans: SpanView[] };
    expect(failedTrace.spans.find((s) => s.parentSpanId === null)!.status).toBe("ERROR");
  });

  it("detects the agents named in span attributes", async () => {
    const agents = (await fleet.inject({ method: "GET", url: `/api/agents?integrationId=${integrationId}` })).json() as {
      items: Array<{ id: string; name: string; type: string; versions: string[]; integrationIds: string[]; traceCount: number }>;
    };
    expect(agents.items.map((a) => [a.name, a.type, a.versions])).toEqual([
      ["CodeReviewer", "TOOL_CALLING", ["1.4.2"]],
      ["CustomerService", "RAG", ["2.0.0"]],
      ["DataAnalyst", "SQL", ["0.9.0"]],
    ]);
    for (const agent of agents.items) {
      expect(agent.integrationIds).toContain(integrationId);
      const perIntegration = (
        await fleet.inject({ method: "GET", url: `/api/traces?integrationId=${integrationId}&agent=${agent.name}&count=true` })
      ).json() as {
        total: number;
      };
      expect(perIntegration.total).toBe(source.filter((t) => t.tags["mlflow.traceName"] === agent.name).length);
      const one = (await fleet.inject({ method: "GET", url: `/api/agents/${agent.id}` })).json();
      expect(one).toMatchObject({ name: agent.name, traceCount: agent.traceCount });
    }
  });
});
