import { until } from "../helpers/until.ts";
import { createServer, type Server } from "node:http";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createQueue, QueueName } from "@langguard/queue-contracts";
import { verifySignature } from "../../services/policy-evaluation/src/webhooks/signature.ts";
import { createIntegration, startFleet, syncAndWait, type Fleet } from "../helpers/fleet.ts";
import { runFixture } from "../helpers/mlflow-server.ts";
import { policyInput } from "../helpers/policy-input.ts";

// Assembled at run time, so no committed file holds a complete key.
const OPENAI_KEY = ["sk-proj-", "Ab3dE5gH7jK9mN1pQ3sT5vX7zB9dF1hJ3lN5pR7tV9xZ1bD3"].join("");
const SSN = ["536", "22", "4478"].join("-");

interface GovernanceTrace {
  name: string;
  agent: string;
  user?: string;
  question: string;
  tool?: string;
  toolInput?: string;
  model?: string;
  answer: string;
}

describe("policy evaluation: sync → queue → evaluation → violations, entities, webhooks", () => {
  const mlflowUrl = inject("mlflowUrl");
  let fleet: Fleet;
  let integrationId: string;
  let traceIds: string[];
  let receiver: Server;
  let receiverUrl = "";
  const received: Array<{ body: string; signature: string }> = [];
  let receiverDown = true;

  beforeAll(async () => {
    fleet = await startFleet({ env: { POLICY_SWEEP_INTERVAL_MS: "500", POLICY_SWEEP_GRACE_MS: "0", WEBHOOK_RETRY_DELAY_MS: "300" } });
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        if (receiverDown) {
          res.writeHead(503).end();
          return;
        }
        received.push({ body, signature: String(req.headers["x-langguard-signature"]) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks/langguard`;

    const experiment = `governance-${randomUUID().slice(0, 8)}`;
    const traces: GovernanceTrace[] = [
      { name: "leaky", agent: "SupportBot", user: "user-4711", question: `Please use my key ${OPENAI_KEY} for this`, model: "gpt-4o", answer: "Done." },
      { name: "pii", agent: "SupportBot", user: "user-4711", question: `My SSN is ${SSN}, can you check my account?`, answer: "I cannot store that." },
      { name: "tool", agent: "OpsBot", user: "user-0815", question: "How many rows?", tool: "run_sql", toolInput: "SELECT count(*) FROM sales", answer: "42" },
      {
        name: "clean",
        agent: "OpsBot",
        user: "user-0815",
        question: "Build 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 at 1732550400123 uses v1.2.3",
        answer: "ok",
      },
    ];
    traceIds = (await runFixture<{ traceIds: string[] }>("write_governance_traces.py", [mlflowUrl, experiment, JSON.stringify(traces)])).traceIds;
    integrationId = (await createIntegration(fleet, { source: "mlflow", host: mlflowUrl, experiments: [experiment] })).id;
  });
  afterAll(async () => {
    await fleet?.close();
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  const violations = async (query = "") =>
    (await fleet.inject({ method: "GET", url: `/api/policies/violations?integrationId=${integrationId}&limit=200&count=true${query}` })).json();

  it("has the built-in policies on a fresh organization, with their defaults", async () => {
    const list = (await fleet.inject({ method: "GET", url: "/api/policies?limit=200" })).json();
    const byId = Object.fromEntries(list.items.map((p: { builtinId: string }) => [p.builtinId, p]));
    expect(Object.keys(byId)).toEqual(
      expect.arrayContaining([
        "credential-surface-discovery",
        "pii-detection",
        "unapproved-tool-use",
        "approved-model-version",
        "cross-boundary-access",
        "latency-health-threshold",
        "budget-overrun",
        "mandatory-trace-logging",
        "metadata-tagging",
        "nhi-violation",
      ]),
    );
    expect(byId["credential-surface-discovery"]).toMatchObject({ severity: "critical", enabled: true, kind: "builtin", version: 1 });
    expect(byId["approved-model-version"]).toMatchObject({ severity: "high", enabled: false });
  });

  it("refuses a custom expression that does not compile, with its position, and saves one that does", async () => {
    const bad = await fleet.inject({ method: "POST", url: "/api/policies", payload: { name: "broken", severity: "low", expression: "trace.name == " } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0]).toMatchObject({ field: "body.expression", reason: expect.stringContaining("does not compile") });
    expect(bad.json().issues[0].column).toEqual(expect.any(Number));
    const good = await fleet.inject({
      method: "POST",
      url: "/api/policies",
      payload: {
        name: "flags the tool trace",
        severity: "medium",
        expression: `{"violated": trace.name.matches("^to+l$"), "message": "the tool trace ran", "evidence": []}`,
      },
    });
    expect(good.statusCode, good.body).toBe(201);
  });

  it("evaluates every synced trace and stores violations with masked evidence, never twice", async () => {
    await (await fleet.inject({ method: "GET", url: "/api/policies" })).json();
    fleet.startPolicyWorker({ POLICY_SWEEP_INTERVAL_MS: "500", POLICY_SWEEP_GRACE_MS: "0", WEBHOOK_RETRY_DELAY_MS: "300" });
    // A webhook whose receiver is down at first.
    const hook = await fleet.inject({ method: "POST", url: "/api/webhooks", payload: { url: receiverUrl } });
    expect(hook.statusCode, hook.body).toBe(201);
    const secret = hook.json().secret as string;

    expect((await syncAndWait(fleet, integrationId)).status).toBe("succeeded");
    const found = await until("violations", async () => {
      const v = await violations();
      return (
        v.items.some((i: { policyName: string }) => i.policyName.includes("Credential")) &&
        v.items.some((i: { policyName: string }) => i.policyName.includes("PII")) &&
        v
      );
    });
    const stored = await fleet.db.trace.findMany({ where: { integrationId } });
    const byName = Object.fromEntries(stored.map((t) => [t.name, t.id]));
    const of = (trace: string) => found.items.filter((v: { traceId: string }) => v.traceId === byName[trace]).map((v: { policyName: string }) => v.policyName);
    expect(of("leaky").join()).toMatch(/Credential/);
    expect(of("pii").join()).toMatch(/PII/);
    expect(of("tool").join()).toMatch(/tool/i);
    expect(of("tool").join()).toMatch(/flags the tool trace/);
    expect(of("clean").join()).not.toMatch(/Credential|PII/);

    const leak = found.items.find((v: { traceId: string; policyName: string }) => v.traceId === byName.leaky && v.policyName.includes("Credential"));
    expect(leak.evidence[0]).toMatchObject({ path: expect.stringContaining("input"), match: expect.stringMatching(/^sk-.*…/) });
    const everything = JSON.stringify(await fleet.db.violation.findMany({ where: { integrationId } }));
    expect(everything).not.toContain(OPENAI_KEY);
    expect(everything).not.toContain(SSN);
    expect(await until("all traces evaluated", async () => (await fleet.db.trace.count({ where: { integrationId, policySetVersion: null } })) === 0)).toBe(
      true,
    );

    // Evaluated again (a full re-sync hands every trace over again): nothing new.
    const before = await fleet.db.violation.count({ where: { integrationId } });
    const queue = createQueue(QueueName.PolicyEvaluation, { connection: fleet.redis, prefix: fleet.prefix });
    const again = await queue.add(
      QueueName.PolicyEvaluation,
      { organizationId: fleet.organizationId, integrationId, traceIds: stored.map((t) => t.id) },
      { jobId: `again-${randomUUID()}` },
    );
    await until("the repeat to finish", async () => (await again.getState()) === "completed");
    expect(await fleet.db.violation.count({ where: { integrationId } })).toBe(before);
    await queue.close();

    // The receiver comes back: every violation arrives, signed.
    receiverDown = false;
    await until("webhook deliveries", async () => received.length >= before, 60_000);
    for (const delivery of received) {
      expect(verifySignature(secret, delivery.body, delivery.signature)).toBe(true);
      const event = JSON.parse(delivery.body);
      expect(event).toMatchObject({ event: "policy.violation", timestamp: expect.any(String), data: { id: expect.any(String), severity: expect.any(String) } });
    }
    expect(received.map((r) => r.body).join()).not.toContain(OPENAI_KEY);
    expect(traceIds).toHaveLength(4);
  });

  it("disables a subscriber whose deliveries keep failing, without slowing evaluation", async () => {
    const failing = createServer((_req, res) => res.writeHead(500).end());
    await new Promise<void>((r) => failing.listen(0, "127.0.0.1", () => r()));
    const other = await startFleet({ env: { WEBHOOK_RETRY_DELAY_MS: "100", WEBHOOK_ATTEMPTS: "2", WEBHOOK_DISABLE_AFTER_FAILURES: "2" } });
    try {
      other.startPolicyWorker({ WEBHOOK_RETRY_DELAY_MS: "100", WEBHOOK_ATTEMPTS: "2", WEBHOOK_DISABLE_AFTER_FAILURES: "2" });
      const hook = (
        await other.inject({ method: "POST", url: "/api/webhooks", payload: { url: `http://127.0.0.1:${(failing.address() as { port: number }).port}/` } })
      ).json();
      const { id } = await createIntegration(other, {
        source: "mlflow",
        host: mlflowUrl,
        experiments: [(await fleet.db.experiment.findFirstOrThrow({ where: { integrationId } })).externalId],
      });
      expect((await syncAndWait(other, id)).status).toBe("succeeded");
      const disabled = await until("the webhook to be disabled", async () => {
        const list = (await other.inject({ method: "GET", url: "/api/webhooks" })).json();
        const found = list.items.find((h: { id: string }) => h.id === hook.id);
        return found && !found.enabled && found;
      });
      expect(disabled.disabledReason).toContain("in a row failed");
      expect(disabled.disabledReason).toContain("HTTP 500");
      // Evaluation was not held up by the receiver: every trace is evaluated.
      expect(await other.db.trace.count({ where: { integrationId: id, policySetVersion: null } })).toBe(0);
    } finally {
      await other.close();
      await new Promise<void>((r) => failing.close(() => r()));
    }
  });

  it("recovers a lost hand-off: traces stored but never evaluated are found by the sweep", async () => {
    // As after a crash between the sync's commit and its enqueue, or Redis losing its last writes.
    await fleet.db.violation.deleteMany({ where: { integrationId } });
    await fleet.db.trace.updateMany({ where: { integrationId }, data: { policySetVersion: null, evaluatedAt: null } });
    const queue = createQueue(QueueName.PolicyEvaluation, { connection: fleet.redis, prefix: fleet.prefix });
    await queue.obliterate({ force: true });
    await queue.close();
    await until("the sweep to evaluate them", async () => (await fleet.db.trace.count({ where: { integrationId, policySetVersion: null } })) === 0);
    expect(await until("violations again", async () => (await fleet.db.violation.count({ where: { integrationId } })) > 0)).toBe(true);
  });

  it("filters, exports as CSV, changes status with a note, in bulk too", async () => {
    const critical = await violations("&severity=critical");
    expect(critical.items.length).toBeGreaterThan(0);
    expect(critical.items.every((v: { severity: string }) => v.severity === "critical")).toBe(true);
    const byAgent = await violations("&agent=OpsBot");
    expect(byAgent.items.every((v: { agents: string[] }) => v.agents.includes("OpsBot"))).toBe(true);
    const id = critical.items[0].id;
    const ack = await fleet.inject({ method: "PATCH", url: `/api/policies/violations/${id}`, payload: { status: "acknowledged", note: "looking into it" } });
    expect(ack.json()).toMatchObject({ status: "acknowledged", note: "looking into it", statusChangedBy: expect.any(String) });
    const bulk = await fleet.inject({
      method: "POST",
      url: "/api/policies/violations/bulk",
      payload: { ids: critical.items.map((v: { id: string }) => v.id), status: "resolved" },
    });
    expect(bulk.json().updated).toBe(critical.items.length);
    expect((await violations("&status=resolved")).total).toBe(critical.items.length);
    const csv = await fleet.inject({ method: "GET", url: `/api/policies/violations?integrationId=${integrationId}&format=csv` });
    expect(csv.headers["content-type"]).toContain("text/csv");
    const lines = csv.body.trim().split("\r\n");
    expect(lines[0]).toBe('"id","createdAt","severity","status","policyName","policyVersion","integrationId","traceId","agents","message","note"');
    expect(lines.length - 1).toBe((await violations()).total);
  });

  it("lists entities, records approvals with who and when, and re-evaluates a window as a job with progress", async () => {
    const tools = (await fleet.inject({ method: "GET", url: "/api/entities?kind=tool" })).json();
    const runSql = tools.items.find((e: { name: string }) => e.name === "run_sql");
    expect(runSql).toMatchObject({ approval: "pending" });
    const approved = await fleet.inject({ method: "PATCH", url: `/api/entities/${runSql.id}`, payload: { approval: "approved", stage: "prod" } });
    expect(approved.json()).toMatchObject({ approval: "approved", stage: "prod", updatedBy: expect.stringContaining("api-key:") });
    expect(await fleet.db.entityChange.count({ where: { entityId: runSql.id } })).toBe(1);

    const policy = (await fleet.inject({ method: "GET", url: "/api/policies?limit=200" }))
      .json()
      .items.find((p: { builtinId: string }) => p.builtinId === "unapproved-tool-use");
    const edited = await fleet.inject({ method: "PATCH", url: `/api/policies/${policy.id}`, payload: { severity: "critical" } });
    expect(edited.json().version).toBe(2);
    const job = await fleet.inject({
      method: "POST",
      url: `/api/policies/${policy.id}/evaluate`,
      payload: { from: new Date(Date.now() - 3600_000).toISOString(), to: new Date().toISOString() },
    });
    expect(job.statusCode).toBe(202);
    const done = await until("the evaluation job", async () => {
      const state = (await fleet.inject({ method: "GET", url: `/api/policies/${policy.id}/evaluate/${job.json().jobId}` })).json();
      return state.state === "completed" && state;
    });
    expect(done.progress).toMatchObject({ evaluated: 4, total: 4 });
    // Approved now: version 2 finds nothing on the tool trace.
    expect(await fleet.db.violation.count({ where: { integrationId, policyId: policy.id, policyVersion: 2 } })).toBe(0);
  });

  it("tests a policy on a posted sample without saving anything", async () => {
    const policy = (await fleet.inject({ method: "GET", url: "/api/policies?limit=200" }))
      .json()
      .items.find((p: { builtinId: string }) => p.builtinId === "pii-detection");
    const sample = policyInput({ trace: { integrationId, input: { q: `ssn ${SSN}` } } });
    const before = await fleet.db.violation.count();
    const res = await fleet.inject({ method: "POST", url: `/api/policies/${policy.id}/test`, payload: { input: sample } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().outcome).toMatchObject({ violated: true });
    expect(res.body).not.toContain(SSN);
    expect(await fleet.db.violation.count()).toBe(before);
  });
});
