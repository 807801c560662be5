import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createIntegration, startFleet, syncAndWait, type Fleet } from "../helpers/fleet.ts";
import { runFixture } from "../helpers/mlflow-server.ts";
import { startPgBouncer, type PgBouncer } from "../helpers/pgbouncer.ts";
import { TEST_DATABASE_URL } from "../helpers/test-env.ts";

const OPENAI_KEY = ["sk-proj-", "Qw7eR5tY3uI1oP9aS7dF5gH3jK1lZ9xC7vB5nM3qW1eR9tY7"].join("");
const POOL_SIZE = 2;

/** The gateway and both workers with DATABASE_URL on PgBouncer in transaction mode, as docs/scaling.md says they may run. */
describe("the fleet through a transaction-mode connection pooler", () => {
  const mlflowUrl = inject("mlflowUrl");
  let bouncer: PgBouncer;
  let fleet: Fleet;

  beforeAll(async () => {
    bouncer = await startPgBouncer(TEST_DATABASE_URL, POOL_SIZE);
    fleet = await startFleet({ databaseUrl: bouncer.url, logLevel: "warn", env: { POLICY_SWEEP_INTERVAL_MS: "500", POLICY_SWEEP_GRACE_MS: "0" } });
    fleet.startPolicyWorker({ POLICY_SWEEP_INTERVAL_MS: "500", POLICY_SWEEP_GRACE_MS: "0" });
  });
  afterAll(async () => {
    await fleet?.close();
    await bouncer?.stop();
  });

  const database = decodeURIComponent(new URL(TEST_DATABASE_URL).pathname.slice(1));
  const ours = (rows: Array<Record<string, unknown>>) => rows.filter((r) => r.database === database);

  it("syncs, evaluates and stores violations, many client connections sharing two server connections", async () => {
    const config = await bouncer.show("CONFIG");
    expect(config.find((r) => r.key === "pool_mode")?.value).toBe("transaction");
    const before = Number(ours(await bouncer.show("STATS"))[0]?.total_xact_count ?? 0);

    // More clients at once than the pool has server connections: they are multiplexed.
    await Promise.all([0, 1, 2, 3, 4].map(() => fleet.db.$queryRaw`SELECT pg_sleep(0.2)::text`));
    expect(ours(await bouncer.show("CLIENTS")).length).toBeGreaterThan(POOL_SIZE);
    expect(ours(await bouncer.show("SERVERS")).length).toBeLessThanOrEqual(POOL_SIZE);

    const experiment = `pooled-${randomUUID().slice(0, 8)}`;
    const traces = [
      { name: "leaky", agent: "PooledBot", question: `use ${OPENAI_KEY}`, answer: "ok" },
      { name: "plain-1", agent: "PooledBot", question: "hello", answer: "hi" },
      { name: "plain-2", agent: "PooledBot", question: "how are you", tool: "lookup", toolInput: "x", answer: "fine" },
    ];
    const written = await runFixture<{ traceIds: string[] }>("write_governance_traces.py", [mlflowUrl, experiment, JSON.stringify(traces)]);
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflowUrl, experiments: [experiment] });
    expect(await syncAndWait(fleet, id)).toMatchObject({ status: "succeeded", itemsIngested: 3 });
    // A second sync finds the same traces unchanged: cursors and hashes read back through the pooler.
    expect(await syncAndWait(fleet, id)).toMatchObject({ status: "succeeded", itemsIngested: 0, itemsUpdated: 0 });
    const stored = await fleet.db.trace.findMany({ where: { integrationId: id }, select: { externalId: true } });
    expect(stored.map((t) => t.externalId).sort()).toEqual([...written.traceIds].sort());

    const org = await fleet.db.organization.findUniqueOrThrow({ where: { id: fleet.organizationId } });
    const deadline = Date.now() + 60_000;
    while ((await fleet.db.trace.count({ where: { integrationId: id, policySetVersion: org.policySetVersion } })) < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(await fleet.db.trace.count({ where: { integrationId: id, policySetVersion: org.policySetVersion } })).toBe(3);
    expect(await fleet.db.violation.count({ where: { integrationId: id, severity: "critical" } })).toBeGreaterThan(0);

    // All of it went through the pooler, and it never opened more server connections than its pool.
    const after = Number(ours(await bouncer.show("STATS"))[0]?.total_xact_count ?? 0);
    expect(after - before).toBeGreaterThan(20);
    expect(ours(await bouncer.show("SERVERS")).length).toBeLessThanOrEqual(POOL_SIZE);
  });
});
