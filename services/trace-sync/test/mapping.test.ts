import { describe, expect, it } from "vitest";
import { detectAgents } from "../src/mapping/agents.ts";
import { mapSpan } from "../src/mapping/span.ts";
import { mapTrace, TraceMappingError } from "../src/mapping/trace.ts";

const span = (overrides: Record<string, unknown> = {}) => ({
  spanId: "a1",
  parentId: null,
  name: "agent",
  spanType: "AGENT",
  startTimeNs: "1700000000000000000",
  endTimeNs: "1700000000250000000",
  status: "OK",
  inputs: { q: "hi" },
  outputs: "hello",
  attributes: {},
  events: [],
  ...overrides,
});

describe("trace mapping (the spec's table)", () => {
  it("maps MLflow 3 TraceInfo V3 fields", () => {
    const row = mapTrace({
      info: {
        trace_id: "tr-123",
        trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: "7" } },
        request_time: "2026-11-25T13:46:19.765Z",
        execution_duration_ms: 366,
        state: "OK",
        trace_metadata: { "mlflow.trace.tokenUsage": '{"input_tokens": 3, "output_tokens": 5, "total_tokens": 8}', user: "u1" },
        tags: { "mlflow.traceName": "agent", team: "a" },
        request_preview: '{"q": "preview"}',
      },
      request: '{"q": "hello"}',
      response: '"answer"',
      spans: [span()],
    });
    expect(row).toMatchObject({
      externalId: "tr-123",
      experimentId: "7",
      name: "agent",
      timestamp: new Date("2026-11-25T13:46:19.765Z"),
      durationMs: 366,
      status: "OK",
      input: { q: "hello" },
      output: "answer",
      metadata: { user: "u1" },
      tags: { team: "a" },
      inputTokens: 3,
      outputTokens: 5,
      totalTokens: 8,
    });
    expect(row.spans).toHaveLength(1);
  });

  it("maps MLflow 2 (V2) field names: request_id, timestamp_ms, execution_time_ms, status, request_metadata, tag lists", () => {
    const row = mapTrace({
      request_id: "tr-v2",
      experiment_id: "3",
      timestamp_ms: 1_700_000_000_123,
      execution_time_ms: 42,
      status: "TRACE_STATUS_ERROR",
      request_metadata: [{ key: "mlflow.traceInputs", value: '{"x": 1}' }],
      tags: [{ key: "env", value: "prod" }],
      request: '{"x": 1}',
      response: "{bad json",
    });
    expect(row).toMatchObject({
      externalId: "tr-v2",
      experimentId: "3",
      timestamp: new Date(1_700_000_000_123),
      durationMs: 42,
      status: "ERROR",
      input: { x: 1 },
      output: "{bad json",
      metadata: { "mlflow.traceInputs": '{"x": 1}' },
      tags: { env: "prod" },
      totalTokens: null,
    });
  });

  it("reads V3 protobuf durations, unknown states, and falls back to previews", () => {
    const row = mapTrace({ info: { trace_id: "t", request_time: 5, execution_duration: "1.5s", state: "STATE_UNSPECIFIED", request_preview: "plain text" } });
    expect(row).toMatchObject({ durationMs: 1500, status: "UNSPECIFIED", input: "plain text", output: null });
  });

  it("rejects a record without an id or a timestamp", () => {
    expect(() => mapTrace({ info: { request_time: 5 } })).toThrow(TraceMappingError);
    expect(() => mapTrace({ info: { trace_id: "t" } })).toThrow(/no valid timestamp/);
  });

  it("hashes content independently of key order, and differently when content changes", () => {
    const a = mapTrace({ info: { trace_id: "t", request_time: 5, state: "IN_PROGRESS", tags: { a: "1", b: "2" } } });
    const b = mapTrace({ info: { trace_id: "t", request_time: 5, state: "IN_PROGRESS", tags: { b: "2", a: "1" } } });
    const c = mapTrace({ info: { trace_id: "t", request_time: 5, state: "OK", tags: { a: "1", b: "2" } } });
    expect(a.contentHash).toBe(b.contentHash);
    expect(c.contentHash).not.toBe(a.contentHash);
  });
});

describe("values Postgres or a double cannot hold as they are", () => {
  const info = { trace_id: "tr-odd", request_time: "2026-11-25T13:46:19.765Z", state: "OK" };

  it("removes NUL from names, keys and values of a record flagged unclean, and says where", () => {
    const row = mapTrace(
      { info: { ...info, tags: { "tag\u0000key": "v\u0000" } }, spans: [span({ name: "a\u0000b", attributes: { "k\u0000": 1 } })] },
      "digest",
      true,
    );
    expect(row.tags).toEqual({ tagkey: "v" });
    expect(row.spans[0]!.name).toBe("ab");
    expect(row.spans[0]!.attributes).toEqual({ k: 1 });
    expect(row.alterations.map((a) => a.path)).toEqual(expect.arrayContaining(["tags.tag\\u0000key", "spans[0].name", "spans[0].attributes.k\\u0000"]));
    expect(row.contentHash).toBe("digest");
  });

  it("keeps durations and token counts beyond 32 bits, and drops with a mark what no bigint holds", () => {
    const month = 30 * 24 * 3_600_000;
    const row = mapTrace({
      info: { ...info, execution_duration_ms: month, trace_metadata: { "mlflow.trace.tokenUsage": '{"input_tokens": 3000000000, "output_tokens": 1e30}' } },
    });
    expect(row.durationMs).toBe(month);
    expect(row.inputTokens).toBe(3_000_000_000);
    expect(row.outputTokens).toBeNull();
    // The total is derived from the two, so it is out of range too.
    expect(row.alterations).toEqual([
      { path: "outputTokens", change: "out-of-range" },
      { path: "totalTokens", change: "out-of-range" },
    ]);
  });

  it("keeps integers beyond 2^53 in request and attributes exactly", () => {
    const row = mapTrace({ info, request: '{"id": 12345678901234567891}', spans: [span({ attributes: { "mlflow.spanFunctionName": '"f"' } })] });
    expect(String((row.input as Record<string, unknown>).id)).toBe("12345678901234567891");
  });
});

describe("span mapping", () => {
  it("keeps parent link, type, timing, status and reads model, provider and token usage", () => {
    const row = mapSpan(
      span({
        spanId: "b2",
        parentId: "a1",
        spanType: "CHAT_MODEL",
        status: "ERROR",
        statusMessage: "rate limited",
        attributes: {
          "mlflow.llm.model": "gpt-4o",
          "mlflow.llm.provider": "openai",
          "mlflow.chat.tokenUsage": { input_tokens: 10, output_tokens: 4, total_tokens: 14 },
        },
        events: [{ name: "exception", timestampNs: 1, attributes: { "exception.message": "boom" } }],
        truncated: true,
      }),
    );
    expect(row).toMatchObject({
      spanId: "b2",
      parentSpanId: "a1",
      type: "CHAT_MODEL",
      status: "ERROR",
      statusMessage: "rate limited",
      durationMs: 250,
      model: "gpt-4o",
      provider: "openai",
      inputTokens: 10,
      outputTokens: 4,
      totalTokens: 14,
      truncated: true,
    });
    expect(row.startTime).toEqual(new Date(1_700_000_000_000));
    expect(row.events).toHaveLength(1);
  });

  it("falls back to OpenTelemetry GenAI attributes and the request's model", () => {
    const otel = mapSpan(
      span({ attributes: { "gen_ai.request.model": "claude", "gen_ai.system": "anthropic", "gen_ai.usage.input_tokens": 7, "gen_ai.usage.output_tokens": 2 } }),
    );
    expect(otel).toMatchObject({ model: "claude", provider: "anthropic", inputTokens: 7, outputTokens: 2 });
    expect(mapSpan(span({ inputs: { model: "llama" } })).model).toBe("llama");
    expect(mapSpan(span({ status: "STATUS_CODE_UNSET", endTimeNs: undefined }))).toMatchObject({ status: "UNSET", endTime: null, durationMs: null });
  });
});

describe("agent detection", () => {
  const trace = (spans: object[], extra: Record<string, unknown> = {}) => mapTrace({ info: { trace_id: "t", request_time: 5, ...extra }, spans });

  it("reads the spec's agent.* span attributes", () => {
    const agents = detectAgents(trace([span({ attributes: { "agent.name": "CustomerService", "agent.version": "2.0.0", "agent.type": "RAG" } })]));
    expect(agents).toEqual([{ name: "CustomerService", version: "2.0.0", type: "RAG" }]);
  });

  it("reads gen_ai.agent.name and trace tags, and does not repeat an agent", () => {
    const agents = detectAgents(
      trace([span({ attributes: { "gen_ai.agent.name": "Planner" } }), span({ spanId: "x", attributes: { "gen_ai.agent.name": "Planner" } })], {
        tags: { "agent.name": "Router", "agent.version": "3" },
      }),
    );
    expect(agents).toEqual([
      { name: "Planner", version: null, type: null },
      { name: "Router", version: "3", type: null },
    ]);
  });

  it("finds none where nothing names an agent", () => {
    expect(detectAgents(trace([span()]))).toEqual([]);
  });
});
