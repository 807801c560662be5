import { randomUUID } from "node:crypto";
import { MAX_EXPRESSION_LENGTH } from "@langguard/policy-engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleet, type Fleet } from "../../../tests/helpers/fleet.ts";

// Issue 16, items 9 and 16: policy tests off the gateway's event loop, one expression length limit.

/** Distinct phone-shaped numbers: the slowest text for the detectors. */
function phoneDense(bytes: number): string {
  let out = "";
  for (let i = 0; out.length < bytes; i++) out += `call +1 415 555 ${String(1000 + (i % 9000))} or (212) ${200 + (i % 700)}-${String(1000 + i).slice(-4)}; `;
  return out.slice(0, bytes);
}

function sample(outputs: string[]) {
  const now = new Date().toISOString();
  return {
    trace: {
      id: randomUUID(),
      externalId: "tr-sample",
      integrationId: randomUUID(),
      name: "sample",
      timestamp: now,
      durationMs: 10,
      status: "OK",
      input: null,
      output: null,
      metadata: {},
      tags: {},
      inputTokens: null,
      outputTokens: null,
      totalTokens: null,
    },
    observations: outputs.map((output, i) => ({
      id: `s${i}`,
      parentId: null,
      name: "step",
      type: "CHAIN",
      startTime: now,
      endTime: now,
      durationMs: 1,
      status: "OK",
      statusMessage: null,
      input: null,
      output,
      attributes: {},
      model: null,
      provider: null,
      usage: { input: null, output: null, total: null },
      truncated: false,
    })),
    agents: [],
    identity: { userId: null, userName: null, servicePrincipal: false, applicationId: null },
    entities: { agents: {}, models: {}, tools: {}, data: {} },
    agentStats: {},
  };
}

describe("policies: containment of expressions and tests", () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ worker: false });
  });
  afterAll(() => fleet?.close());

  const create = (name: string, expression: string) =>
    fleet.inject({ method: "POST", url: "/api/policies", payload: { name: `${name} ${randomUUID().slice(0, 8)}`, severity: "low", expression } });

  it("states the expression length limit once: the engine's, in validation and in the OpenAPI document", async () => {
    const doc = (await fleet.app.inject({ method: "GET", url: "/docs/json" })).json();
    const body = doc.paths["/api/policies"].post.requestBody.content["application/json"].schema;
    expect(body.properties.expression.maxLength).toBe(MAX_EXPRESSION_LENGTH);

    const longest = `true${" ".repeat(MAX_EXPRESSION_LENGTH - 4)}`;
    expect((await create("longest", longest)).statusCode).toBe(201);
    const tooLong = await create("too long", `${longest} `);
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().issues).toEqual([{ field: "body.expression", reason: `must be at most ${MAX_EXPRESSION_LENGTH} characters` }]);
  });

  it("runs policy tests off the event loop: /health/live answers in under 100 ms while hostile tests run", async () => {
    const hostile = await create("hostile", `[${Array.from({ length: 300 }, (_, i) => i).join(",")}].exists(i, size(detect(observations[0].output)) < 0)`);
    expect(hostile.statusCode, hostile.body).toBe(201);
    const pii = (await fleet.inject({ method: "GET", url: "/api/policies?limit=200" }))
      .json()
      .items.find((p: { builtinId: string }) => p.builtinId === "pii-detection");
    // A built-in's whole-document scan is not budgeted: on the event loop a large sample stalled everything.
    const tests = [
      ...[0, 1].map(() => fleet.inject({ method: "POST", url: `/api/policies/${hostile.json().id}/test`, payload: { input: sample([phoneDense(63_000)]) } })),
      fleet.inject({ method: "POST", url: `/api/policies/${pii.id}/test`, payload: { input: sample([phoneDense(300_000), phoneDense(300_000)]) } }),
    ];
    let settled = false;
    const all = Promise.all(tests).finally(() => {
      settled = true;
    });
    const latencies: number[] = [];
    while (!settled) {
      const started = performance.now();
      const live = await fleet.app.inject({ method: "GET", url: "/health/live" });
      latencies.push(performance.now() - started);
      expect(live.statusCode).toBe(200);
      await new Promise((r) => setTimeout(r, 20));
    }
    const [first, second, scan] = await all;
    // The first probe waits behind the tests' own bodies (serialised and parsed on this loop, as any
    // request's are); every later one overlaps only their evaluation.
    expect(latencies.length).toBeGreaterThan(3);
    expect(Math.max(...latencies.slice(1))).toBeLessThan(100);
    for (const res of [first!, second!]) {
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().error).toMatch(/(time|cost) limit exceeded/);
    }
    expect(scan!.statusCode, scan!.body).toBe(200);
    expect(scan!.json().outcome.violated).toBe(true);
  });
});
