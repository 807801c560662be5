import { until } from "../helpers/until.ts";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createQueue, QueueName } from "@langguard/queue-contracts";
import { checkEvictionPolicy, registry } from "@langguard/service-runtime";
import { scheduleId } from "@langguard/sync-runs";
import { createOperatorKey } from "../../services/gateway/src/auth/api-keys.ts";
import { createIntegration, startFleet, syncAndWait, type Fleet } from "../helpers/fleet.ts";
import { runFixture } from "../helpers/mlflow-server.ts";
import { startRedisCluster, type RedisCluster } from "../helpers/redis-cluster.ts";

// Assembled at run time, so no committed file holds a complete key.
const OPENAI_KEY = ["sk-proj-", "Zx8cV6bN4mQ2wE0rT8yU6iO4pA2sD0fG8hJ6kL4zX2cV0bN8"].join("");
const SSN = ["536", "22", "4478"].join("-");

function captureLogger() {
  const lines: Array<{ level: string; text: string }> = [];
  const at = (level: string) => (a: unknown, b?: unknown) => lines.push({ level, text: `${typeof a === "string" ? a : JSON.stringify(a)} ${b ?? ""}` });
  return { lines, logger: { error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") } as never };
}

describe("the fleet on a three-node Redis Cluster", () => {
  const mlflowUrl = inject("mlflowUrl");
  let cluster: RedisCluster;
  let fleet: Fleet;
  let integrationId: string;

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    fleet = await startFleet({ env: { REDIS_URL: cluster.url } });
    const experiment = `cluster-${randomUUID().slice(0, 8)}`;
    await runFixture("write_governance_traces.py", [
      mlflowUrl,
      experiment,
      JSON.stringify([
        { name: "leaky", agent: "SupportBot", user: "user-1", question: `Please use my key ${OPENAI_KEY} for this`, model: "gpt-4o", answer: "Done." },
        { name: "pii", agent: "SupportBot", user: "user-1", question: `My SSN is ${SSN}, can you check my account?`, answer: "I cannot store that." },
        { name: "tool", agent: "OpsBot", user: "user-2", question: "How many rows?", tool: "run_sql", toolInput: "SELECT count(*) FROM sales", answer: "42" },
        { name: "clean", agent: "OpsBot", user: "user-2", question: "What is the build status?", answer: "green" },
      ]),
    ]);
    integrationId = (await createIntegration(fleet, { source: "mlflow", host: mlflowUrl, experiments: [experiment] })).id;
  });
  afterAll(async () => {
    await fleet?.close();
    await cluster?.stop();
  });

  it("puts the queues under a hash-tagged prefix", () => {
    expect(cluster.url).toMatch(/^redis\+cluster:\/\/127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/);
    expect(fleet.prefix).toMatch(/^\{test-[0-9a-f]{8}\}$/);
  });

  it("syncs every trace and evaluates each through the policy queue", async () => {
    // The sweep runs once at start and not again, so only the sync's hand-off can evaluate.
    fleet.startPolicyWorker({ POLICY_SWEEP_INTERVAL_MS: "600000" });
    const run = await syncAndWait(fleet, integrationId);
    expect(run).toMatchObject({ status: "succeeded", itemsFetched: 4, itemsIngested: 4, errorKind: null });
    expect(await fleet.db.trace.count({ where: { integrationId } })).toBe(4);

    await until("every trace evaluated", async () => (await fleet.db.trace.count({ where: { integrationId, policySetVersion: null } })) === 0);
    const stored = await fleet.db.trace.findMany({ where: { integrationId }, select: { id: true, name: true } });
    const policyQueue = createQueue(QueueName.PolicyEvaluation, { connection: fleet.redis, prefix: fleet.prefix });
    try {
      const completed = await policyQueue.getJobs(["completed"]);
      // The sweep also evaluates what other tests left unevaluated in the shared database.
      const evaluated = completed
        .filter((job) => job.data.organizationId === fleet.organizationId)
        .flatMap((job) => ("traceIds" in job.data ? job.data.traceIds : []));
      expect(evaluated.sort()).toEqual(stored.map((t) => t.id).sort());
    } finally {
      await policyQueue.close();
    }

    const violations = (await fleet.inject({ method: "GET", url: `/api/policies/violations?integrationId=${integrationId}&limit=200` })).json() as {
      items: Array<{ traceId: string; policyName: string }>;
    };
    const of = (name: string) =>
      violations.items
        .filter((v) => v.traceId === stored.find((t) => t.name === name)!.id)
        .map((v) => v.policyName)
        .join();
    expect(of("leaky")).toMatch(/Credential/);
    expect(of("pii")).toMatch(/PII/);
    expect(of("clean")).not.toMatch(/Credential|PII/);
  });

  it("keeps every key of the fleet's queues in the one slot of its hash tag, on the one node serving it", async () => {
    const byNode = new Map<number, string[]>();
    for (const node of cluster.nodes) {
      const direct = node.direct();
      const keys: string[] = [];
      let cursor = "0";
      do {
        const [next, found] = await direct.scan(cursor, "MATCH", `${fleet.prefix}:*`, "COUNT", 1000);
        keys.push(...found);
        cursor = next;
      } while (cursor !== "0");
      byNode.set(node.port, keys);
    }
    const holding = [...byNode].filter(([, keys]) => keys.length > 0);
    expect(holding).toHaveLength(1);
    const [port, keys] = holding[0]!;

    const run = await fleet.db.syncRun.findFirstOrThrow({ where: { integrationId } });
    expect(keys).toEqual(
      expect.arrayContaining([
        `${fleet.prefix}:trace-sync:sync-run-${run.id}`,
        `${fleet.prefix}:trace-sync:completed`,
        `${fleet.prefix}:policy-evaluation:completed`,
        `${fleet.prefix}:sync-schedule:repeat`,
        `${fleet.prefix}:policy-sweep-lock`,
      ]),
    );
    // Redis computes the slots itself: every key hashes to the slot of the tag alone.
    const direct = cluster.nodes.find((n) => n.port === port)!.direct();
    const tagSlot = await direct.cluster("KEYSLOT", fleet.prefix.slice(1, -1));
    const slots = new Set(await Promise.all(keys.map((key) => direct.cluster("KEYSLOT", key))));
    expect([...slots]).toEqual([tagSlot]);
    const [, , serving] = (await direct.cluster("SLOTS")).find(([from, to]) => tagSlot >= from && tagSlot <= to)!;
    expect(serving?.[1]).toBe(port);
  });

  it("keeps the integration's sync schedules as job schedulers on the cluster", async () => {
    const schedules = createQueue(QueueName.SyncSchedule, { connection: fleet.redis, prefix: fleet.prefix });
    try {
      const found = await schedules.getJobSchedulers(0, 99);
      expect(found.map((s) => s.key)).toContain(scheduleId(integrationId, "traces"));
      expect(found.find((s) => s.key === scheduleId(integrationId, "traces"))).toMatchObject({ every: 15 * 60_000 });
    } finally {
      await schedules.close();
    }
  });

  it("counts rate limits, answers readiness, queue metrics and Bull Board from the cluster", async () => {
    const remaining = async () => Number((await fleet.inject({ method: "GET", url: "/api/policies" })).headers["x-ratelimit-remaining"]);
    const first = await remaining();
    expect(first).toBeGreaterThan(1);
    expect(await remaining()).toBe(first - 1);
    // The counters take QUEUE_PREFIX without its tag, so they spread over the slots.
    const counters = (await Promise.all(cluster.nodes.map((n) => n.direct().keys(`${fleet.prefix.slice(1, -1)}:ratelimit:*`)))).flat();
    expect(counters.length).toBeGreaterThan(0);

    const health = await fleet.inject({ method: "GET", url: "/health" });
    expect(health.statusCode, health.body).toBe(200);
    expect(health.json()).toMatchObject({ status: "ok", checks: { database: "ok", redis: "ok" } });

    const metrics = await registry.metrics();
    expect(metrics).toMatch(/langguard_queue_jobs\{queue="trace-sync",state="completed"\} 1\b/);
    expect(metrics).toMatch(/langguard_queue_jobs\{queue="policy-evaluation",state="completed"\} [1-9]/);

    // The queue board opens to the fleet's operators only.
    const operator = { authorization: `Bearer ${(await createOperatorKey(fleet.db, "cluster test")).key}` };
    const board = await fleet.inject({ method: "GET", url: "/admin/queues/api/queues", headers: operator });
    expect(board.statusCode, board.body).toBe(200);
    const traceQueue = (board.json() as { queues: Array<{ name: string; counts: Record<string, number> }> }).queues.find((q) => q.name.endsWith("trace-sync"));
    expect(traceQueue?.counts.completed).toBe(1);
    const stats = await fleet.inject({ method: "GET", url: "/admin/queues/api/redis/stats", headers: operator });
    expect(stats.statusCode, stats.body).toBe(200);
  });

  it("checks the eviction policy of every node, not of whichever one answers", async () => {
    const quiet = captureLogger();
    expect(await checkEvictionPolicy(fleet.redis, quiet.logger)).toBe("noeviction");
    expect(quiet.lines).toEqual([]);

    const last = cluster.nodes.at(-1)!;
    await last.direct().config("SET", "maxmemory-policy", "allkeys-lru");
    try {
      const loud = captureLogger();
      expect(await checkEvictionPolicy(fleet.redis, loud.logger)).toBe("allkeys-lru");
      expect(loud.lines).toHaveLength(1);
      expect(loud.lines[0]).toMatchObject({ level: "error" });
      expect(loud.lines[0]!.text).toContain(`127.0.0.1:${last.port} (allkeys-lru)`);
    } finally {
      await last.direct().config("SET", "maxmemory-policy", "noeviction");
    }
  });
});
