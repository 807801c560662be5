import { randomUUID } from "node:crypto";
import { MAX_EXPRESSION_LENGTH } from "@langguard/policy-engine";
import { registry } from "@langguard/service-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateTraces } from "../../policy-evaluation/src/evaluation/evaluate-traces.ts";
import { startFleet, type Fleet } from "../../../tests/helpers/fleet.ts";
import { policyInput } from "../../../tests/helpers/policy-input.ts";

// Issue 16, items 9, 11 and 16: policy tests off the gateway's event loop, evaluation errors
// visible, one expression length limit.

/** Distinct phone-shaped numbers: the slowest text for the detectors. */
function phoneDense(bytes: number): string {
  let out = "";
  for (let i = 0; out.length < bytes; i++) out += `call +1 415 555 ${String(1000 + (i % 9000))} or (212) ${200 + (i % 700)}-${String(1000 + i).slice(-4)}; `;
  return out.slice(0, bytes);
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
      ...[0, 1].map(() =>
        fleet.inject({ method: "POST", url: `/api/policies/${hostile.json().id}/test`, payload: { input: policyInput({ outputs: [phoneDense(63_000)] }) } }),
      ),
      fleet.inject({
        method: "POST",
        url: `/api/policies/${pii.id}/test`,
        payload: { input: policyInput({ outputs: [phoneDense(300_000), phoneDense(300_000)] }) },
      }),
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
    // request's are); every later one overlaps only their evaluation. Up to six developers share this
    // machine's two cores, so the operating system alone sometimes pauses a process for tens of ms:
    // 95% of the probes must answer in under 100 ms and none may wait 500 ms. Before the pool, the
    // evaluations held the loop for seconds.
    const probes = latencies.slice(1).sort((a, b) => a - b);
    expect(probes.length).toBeGreaterThan(10);
    expect(probes[Math.floor(probes.length * 0.95)]).toBeLessThan(100);
    expect(probes.at(-1)).toBeLessThan(500);
    for (const res of [first!, second!]) {
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().error).toMatch(/(time|cost) limit exceeded/);
    }
    expect(scan!.statusCode, scan!.body).toBe(200);
    expect(scan!.json().outcome.violated).toBe(true);
  });
});

describe("policy evaluation in the worker: errors visible, long batches", () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ worker: false });
  });
  afterAll(() => fleet?.close());

  async function storeTrace(integrationId: string, metadata: Record<string, string>) {
    return fleet.db.trace.create({
      data: {
        organizationId: fleet.organizationId,
        integrationId,
        externalId: `tr-${randomUUID()}`,
        name: "agent",
        timestamp: new Date(),
        durationMs: 5,
        status: "OK",
        metadata,
        tags: {},
        spanCount: 0,
        contentHash: randomUUID(),
      },
    });
  }

  async function errorMetric(policyId: string): Promise<number> {
    const metric = await registry.getSingleMetric("langguard_policy_evaluation_errors_total")?.get();
    return metric?.values.find((v) => v.labels.policy === policyId)?.value ?? 0;
  }

  it("counts per policy with the last error and trace, on the policy and on the violation list, as a metric, and clears a stale error", async () => {
    const integration = await fleet.db.integration.create({
      data: { organizationId: fleet.organizationId, name: `errors ${randomUUID().slice(0, 8)}`, source: "mlflow", host: "http://127.0.0.1:1" },
    });
    // `int("seven")` fails to convert: an evaluation error on that trace only.
    const created = await fleet.inject({
      method: "POST",
      url: "/api/policies",
      payload: { name: `threshold ${randomUUID().slice(0, 8)}`, severity: "high", expression: 'int(trace.metadata["attempts"]) > 5' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const policyId: string = created.json().id;
    expect(created.json().evaluationErrors).toEqual({ count: 0, last: null });
    const broken = await storeTrace(integration.id, { attempts: "seven" });
    const violating = await storeTrace(integration.id, { attempts: "9" });
    const policy = await fleet.db.policy.findUniqueOrThrow({ where: { id: policyId } });
    const metricBefore = await errorMetric(policyId);

    const summary = await evaluateTraces(fleet.db, fleet.organizationId, [broken.id, violating.id], [policy]);
    expect(summary).toMatchObject({ traces: 2, violations: 1, errors: 1 });

    const view = (await fleet.inject({ method: "GET", url: `/api/policies/${policyId}` })).json();
    expect(view.evaluationErrors).toMatchObject({ count: 1, last: { traceId: broken.id, policyVersion: 1, message: expect.stringContaining("int") } });
    const listed = (await fleet.inject({ method: "GET", url: "/api/policies?limit=200" })).json().items.find((p: { id: string }) => p.id === policyId);
    expect(listed.evaluationErrors).toEqual(view.evaluationErrors);
    const violations = (await fleet.inject({ method: "GET", url: `/api/policies/violations?policyId=${policyId}` })).json();
    expect(violations.items).toHaveLength(1);
    expect(violations.items[0]).toMatchObject({ traceId: violating.id, policyEvaluationErrors: { count: 1, last: { traceId: broken.id } } });
    expect(await errorMetric(policyId)).toBe(metricBefore + 1);
    const exposition = await registry.metrics();
    expect(exposition).toContain(`langguard_policy_evaluation_errors_total{policy="${policyId}"}`);

    // Evaluated again while still failing: one error, not two.
    await evaluateTraces(fleet.db, fleet.organizationId, [broken.id], [policy]);
    expect((await fleet.inject({ method: "GET", url: `/api/policies/${policyId}` })).json().evaluationErrors.count).toBe(1);

    // The trace is fixed (or the policy, in a new version): the next evaluation clears the stale error.
    await fleet.db.trace.update({ where: { id: broken.id }, data: { metadata: { attempts: "2" } } });
    expect((await evaluateTraces(fleet.db, fleet.organizationId, [broken.id], [policy])).errors).toBe(0);
    expect((await fleet.inject({ method: "GET", url: `/api/policies/${policyId}` })).json().evaluationErrors).toEqual({ count: 0, last: null });
    const after = (await fleet.inject({ method: "GET", url: `/api/policies/violations?policyId=${policyId}` })).json();
    expect(after.items[0].policyEvaluationErrors).toEqual({ count: 0, last: null });
  });
  it("keeps a worker's event loop turning while a hostile policy uses its whole budget on every trace of a batch", async () => {
    const integration = await fleet.db.integration.create({
      data: { organizationId: fleet.organizationId, name: `hostile ${randomUUID().slice(0, 8)}`, source: "mlflow", host: "http://127.0.0.1:1" },
    });
    const traces = await Promise.all(Array.from({ length: 12 }, () => storeTrace(integration.id, { note: "call +1 415 555 0132 ".repeat(3000) })));
    const created = await fleet.inject({
      method: "POST",
      url: "/api/policies",
      payload: {
        name: `hostile batch ${randomUUID().slice(0, 8)}`,
        severity: "low",
        expression: `[${Array.from({ length: 300 }, (_, i) => i).join(",")}].exists(i, size(detect(trace.metadata["note"])) < 0)`,
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const policy = await fleet.db.policy.findUniqueOrThrow({ where: { id: created.json().id } });
    // Warm the engine and prime the program first (once per process): not what is measured here.
    await evaluateTraces(fleet.db, fleet.organizationId, [traces[0]!.id], [policy]);
    // The largest gap between two turns of the event loop while the batch is evaluated. Each trace
    // uses its whole budget (50 ms of CPU, longer on a busy machine's clock): the loop must turn
    // between traces, so no gap may approach the batch's whole evaluation.
    let worst = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }, 5);
    const started = performance.now();
    const summary = await evaluateTraces(
      fleet.db,
      fleet.organizationId,
      traces.map((t) => t.id),
      [policy],
    );
    const elapsed = performance.now() - started;
    clearInterval(ticker);
    expect(summary.errors).toBe(12);
    expect(worst).toBeLessThan(elapsed / 3);
  });
});
