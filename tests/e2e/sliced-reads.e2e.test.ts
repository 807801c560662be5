import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BridgeClient, type BridgeMessage } from "@langguard/bridge-client";
import { hostPolicyFromEnv, serializeHostPolicy } from "@langguard/host-policy";
import { startLatencyProxy, type LatencyProxy } from "../helpers/latency-proxy.ts";
import { runFixture, runPython, startMlflowServer, type MlflowServer } from "../helpers/mlflow-server.ts";
import { LOCAL_SOURCES_ENV, PYTHON_PATH } from "../helpers/test-env.ts";

const TRACES = 240;

type Record_ = Extract<BridgeMessage, { type: "record" }>;
type Checkpoint = Extract<BridgeMessage, { type: "checkpoint" }> & { experimentId: string; cursorMs: number; slice?: number; unchanged?: number };

/** The real bridge, reading a real MLflow server (through a proxy that counts and delays requests). */
describe("the bridge's sliced reads", () => {
  let mlflow: MlflowServer;
  let proxy: LatencyProxy;
  let written: { experimentId: string; traceIds: string[]; timestampsMs: number[] };
  const bridge = new BridgeClient({
    pythonPath: PYTHON_PATH,
    timeoutMs: 60_000,
    validationTimeoutMs: 60_000,
    hostPolicy: serializeHostPolicy(hostPolicyFromEnv(LOCAL_SOURCES_ENV)),
  });

  beforeAll(async () => {
    mlflow = await startMlflowServer();
    // Fifteen seconds apart over the last hour: a window of many pages, evenly spread.
    written = await runFixture("write_span_traces.py", [mlflow.storeUri, "sliced", String(TRACES), "2", "15"]);
    proxy = await startLatencyProxy(mlflow.url, 50);
  });
  afterAll(async () => {
    await proxy?.close();
    await mlflow?.stop();
  });

  async function read(params: object, host = proxy.url) {
    const records: Record_[] = [];
    const checkpoints: Checkpoint[] = [];
    const errors: Array<Extract<BridgeMessage, { type: "error" }>> = [];
    for await (const message of bridge.stream("stream-traces", { selected: ["sliced"], pageSize: 50, ...params }, { kind: "mlflow", host })) {
      if (message.type === "record" && message.stream === "traces") records.push(message);
      if (message.type === "checkpoint") checkpoints.push(message as Checkpoint);
      if (message.type === "error") errors.push(message);
    }
    return { records, checkpoints, errors };
  }
  const idOf = (r: Record_) => String((r.data.info as Record<string, unknown>).trace_id);

  it("reads a window of many pages as concurrent slices, each trace once, within the request limit", async () => {
    const before = proxy.stats().requests;
    // MLflow fetches a page's spans ten traces per request, all at once: a page of 50 alone would
    // have 5 requests in flight without the limit of 4.
    const { records, checkpoints, errors } = await read({ concurrency: 4, defaultSinceMs: 0 });
    expect(errors).toEqual([]);
    expect(records.map(idOf).sort()).toEqual([...written.traceIds].sort());
    const parts = new Set(checkpoints.filter((c) => c.slice !== undefined).map((c) => c.slice));
    expect(parts.size).toBeGreaterThanOrEqual(3);
    // The parts are numbered from 0 without a gap, so the consumer can find the committed prefix.
    expect([...parts].sort((a, b) => a! - b!)).toEqual([...Array(parts.size).keys()]);
    // One last checkpoint, after every part, covers the experiment: done at the newest trace.
    const last = checkpoints.at(-1)!;
    expect(last).toMatchObject({ done: true, cursorMs: Math.max(...written.timestampsMs) });
    expect(last.slice).toBeUndefined();
    expect(proxy.stats().requests - before).toBeGreaterThan(checkpoints.length);
    expect(proxy.stats().maxInFlight).toBeLessThanOrEqual(4);
  });

  it("fetches whole only the traces that are new or changed since the consumer stored them", async () => {
    const first = await read({ concurrency: 4, pageSize: 500, defaultSinceMs: 0 });
    const known = { [written.experimentId]: Object.fromEntries(first.records.map((r) => [idOf(r), String(r.data.infoHash)])) };
    expect(Object.keys(known[written.experimentId]!)).toHaveLength(TRACES);
    const since = Math.min(...written.timestampsMs);

    const unchanged = await read({ concurrency: 4, pageSize: 500, cursors: { [written.experimentId]: since }, known });
    expect(unchanged.records).toHaveLength(0);
    expect(unchanged.checkpoints.reduce((sum, c) => sum + (c.unchanged ?? 0), 0)).toBe(TRACES);
    expect(unchanged.checkpoints.at(-1)).toMatchObject({ done: true, cursorMs: Math.max(...written.timestampsMs) });

    const edited = written.traceIds[7]!;
    await runPython(
      mlflow.url,
      `import json; from mlflow import MlflowClient\nMlflowClient().set_trace_tag("${edited}", "reviewed", "yes")\nprint(json.dumps({}))`,
    );
    const changed = await read({ concurrency: 4, pageSize: 500, cursors: { [written.experimentId]: since }, known });
    expect(changed.records.map(idOf)).toEqual([edited]);
    expect((changed.records[0]!.data.info as { tags: Record<string, string> }).tags).toMatchObject({ reviewed: "yes" });
    expect(changed.checkpoints.reduce((sum, c) => sum + (c.unchanged ?? 0), 0)).toBe(TRACES - 1);
  });

  it("stops a part whose server repeats a page token, keeping what it stored, instead of reading for ever", async () => {
    const broken = await startLatencyProxy(mlflow.url, 0, { repeatPageTokens: true });
    try {
      // One page thread, so the repeat is met by a part that follows tokens.
      const { records, checkpoints, errors } = await read({ concurrency: 1, defaultSinceMs: 0 }, broken.url);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ kind: "bad_response", experimentId: written.experimentId });
      expect(errors[0]!.message).toContain("repeated a page token");
      // Pages before the repeat were sent with their checkpoints; the experiment is not marked done.
      expect(records.length).toBeGreaterThan(0);
      expect(checkpoints.some((c) => c.done && c.slice === undefined)).toBe(false);
    } finally {
      await broken.close();
    }
  });
});
