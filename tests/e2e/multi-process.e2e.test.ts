/**
 * The fleet as deployed at scale: three trace-sync and two policy-evaluation processes
 * (`node dist/<service>.mjs`) on one queue prefix, fed by the gateway, syncing six workspaces.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { createQueue, QueueName } from "@langguard/queue-contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIntegration, startFleet, waitForRun, type Fleet, type SyncRunView } from "../helpers/fleet.ts";
import { startLatencyProxy, type LatencyProxy } from "../helpers/latency-proxy.ts";
import { runFixture, startMlflowServer, type MlflowServer } from "../helpers/mlflow-server.ts";
import { groupMembers, groupMembersAfter } from "../helpers/process-group.ts";
import { startWorker, type RunningWorker } from "../helpers/running-worker.ts";
import { repoRoot } from "../helpers/test-env.ts";
import { until } from "../helpers/until.ts";
import { killWorkerGroup } from "../helpers/worker-process.ts";

const SERVERS = 2;
const INTEGRATIONS = 6;
const TRACES = 40;
const SPANS = 3;
const TRACE_SYNC_PROCESSES = 3;
const POLICY_PROCESSES = 2;
// Every job of the six holds a slot at once only if the processes' slots add up to six: then
// each process must hold exactly its share, whatever order BullMQ hands the jobs out in.
const TRACE_SYNC_CONCURRENCY = INTEGRATIONS / TRACE_SYNC_PROCESSES;
// A floor under each job's duration (every request waits this long), far above the time the
// processes take to pick up six jobs, so the six runs overlap even on a loaded machine.
const LATENCY_MS = 500;
// Pages of five: each experiment commits about ten pages, each handed to policy evaluation as a
// batch of its own, in bursts (responses come back together after the added latency).
const BATCH_SIZE = 5;
const logDir = path.join(repoRoot, ".data/logs/multi-process");

interface Workspace {
  server: MlflowServer;
  proxy: LatencyProxy;
}

interface Source {
  experimentId: string;
  traceIds: string[];
  host: string;
}

describe("three trace-sync and two policy-evaluation processes sharing one queue prefix", () => {
  const workspaces: Workspace[] = [];
  const sources: Source[] = [];
  const integrationIds: string[] = [];
  let fleet: Fleet;
  let traceSync: RunningWorker[] = [];
  let policy: RunningWorker[] = [];
  let policyId: string;
  let runs: SyncRunView[] = [];

  beforeAll(async () => {
    mkdirSync(logDir, { recursive: true });
    const servers = await Promise.all(Array.from({ length: SERVERS }, () => startMlflowServer()));
    for (const server of servers) workspaces.push({ server, proxy: await startLatencyProxy(server.url, LATENCY_MS) });
    // Each experiment's traces through MLflow's own store API, one writer per sqlite file at a time.
    const perServer = INTEGRATIONS / SERVERS;
    const seeded = await Promise.all(
      workspaces.map(async ({ server, proxy }, s) => {
        const out: Source[] = [];
        for (let i = 0; i < perServer; i += 1) {
          const written = await runFixture<{ experimentId: string; traceIds: string[] }>("write_span_traces.py", [
            server.storeUri,
            `multi-${s}-${i}`,
            String(TRACES),
            String(SPANS),
            "10",
          ]);
          out.push({ ...written, host: proxy.url });
        }
        return out;
      }),
    );
    sources.push(...seeded.flat());

    fleet = await startFleet({ worker: false });
    // Violated by every trace: one violation per trace is the trace's proof of evaluation.
    const created = await fleet.inject({
      method: "POST",
      url: "/api/policies",
      payload: { name: "every trace", severity: "low", expression: 'trace.id != ""' },
    });
    expect(created.statusCode, created.body).toBe(201);
    policyId = created.json().id;
    for (const source of sources) {
      integrationIds.push((await createIntegration(fleet, { source: "mlflow", host: source.host, experiments: [source.experimentId] })).id);
    }

    const logFile = (name: string) => path.join(logDir, `${fleet.prefix}-${name}.log`);
    [traceSync, policy] = await Promise.all([
      Promise.all(
        Array.from({ length: TRACE_SYNC_PROCESSES }, (_, i) =>
          startWorker("trace-sync", fleet.prefix, {
            env: { TRACE_SYNC_CONCURRENCY: String(TRACE_SYNC_CONCURRENCY), TRACE_SYNC_BATCH_SIZE: String(BATCH_SIZE), LOG_LEVEL: "info" },
            log: logFile(`trace-sync-${i}`),
          }),
        ),
      ),
      Promise.all(
        Array.from({ length: POLICY_PROCESSES }, (_, i) =>
          // One batch at a time: a batch arriving while a process is busy can only go to the other.
          startWorker("policy-evaluation", fleet.prefix, { env: { POLICY_EVALUATION_CONCURRENCY: "1", LOG_LEVEL: "info" }, log: logFile(`policy-${i}`) }),
        ),
      ),
    ]);
    // Ready is not enough: each process must be waiting on its queue before the first job exists,
    // or an early one could take the work of one still connecting.
    const listening = async (queueName: QueueName, expected: number) => {
      const queue = createQueue(queueName, { connection: fleet.redis, prefix: fleet.prefix });
      try {
        await until(`${expected} ${queueName} workers on the queue`, async () => (await queue.getWorkersCount()) === expected, 60_000);
      } finally {
        await queue.close();
      }
    };
    await listening(QueueName.TraceSync, TRACE_SYNC_PROCESSES);
    await listening(QueueName.PolicyEvaluation, POLICY_PROCESSES);
  }, 600_000);

  afterAll(async () => {
    for (const worker of [...traceSync, ...policy]) killWorkerGroup(worker.child);
    await fleet?.close();
    for (const { server, proxy } of workspaces) {
      await proxy.close();
      await server.stop();
    }
  });

  it("syncs every integration once, each run succeeding with exact counts, all six at once", async () => {
    const triggers = await Promise.all(integrationIds.map((id) => fleet.inject({ method: "POST", url: `/api/integrations/${id}/sync`, payload: {} })));
    for (const trigger of triggers) expect(trigger.statusCode, trigger.body).toBe(202);
    runs = await Promise.all(integrationIds.map((id, i) => waitForRun(fleet, id, triggers[i]!.json().syncRunId, 300_000)));
    for (const run of runs) {
      expect(run).toMatchObject({
        status: "succeeded",
        attempts: 1,
        itemsFetched: TRACES,
        itemsIngested: TRACES,
        itemsUpdated: 0,
        spansIngested: TRACES * SPANS,
        errorKind: null,
        experimentErrors: [],
      });
    }
    expect(await fleet.db.syncRun.count({ where: { integrationId: { in: integrationIds } } })).toBe(INTEGRATIONS);
    // Every run was running while every other was: six jobs held six slots at one moment.
    const stored = await fleet.db.syncRun.findMany({ where: { integrationId: { in: integrationIds } } });
    const lastStart = Math.max(...stored.map((r) => r.startedAt!.getTime()));
    const firstEnd = Math.min(...stored.map((r) => r.completedAt!.getTime()));
    expect(lastStart).toBeLessThan(firstEnd);
  });

  it("stores every source trace exactly once, with all its spans and its agent link", async () => {
    for (const [i, source] of sources.entries()) {
      const integrationId = integrationIds[i]!;
      const stored = await fleet.db.trace.findMany({ where: { integrationId }, select: { externalId: true }, orderBy: { externalId: "asc" } });
      expect(stored.map((t) => t.externalId)).toEqual([...source.traceIds].sort());
      expect(await fleet.db.span.count({ where: { trace: { integrationId } } })).toBe(TRACES * SPANS);
      expect(await fleet.db.agentTrace.count({ where: { integrationId } })).toBe(TRACES);
    }
    const incomplete = await fleet.db.$queryRaw<Array<{ n: bigint }>>`
      SELECT COUNT(*) AS n FROM "Trace" t WHERE t."organizationId" = ${fleet.organizationId}::uuid
        AND t."spanCount" <> (SELECT COUNT(*) FROM "Span" s WHERE s."traceId" = t."id")`;
    expect(Number(incomplete[0]!.n)).toBe(0);
    // One agent row for the organization, however many processes upserted it at once.
    const agents = await fleet.db.agent.findMany({ where: { organizationId: fleet.organizationId }, include: { _count: { select: { traces: true } } } });
    expect(agents.map((a) => [a.name, a._count.traces])).toEqual([["SpanWriter", INTEGRATIONS * TRACES]]);
  });

  it("evaluates every trace exactly once, in batches spread over both policy processes", async () => {
    const total = INTEGRATIONS * TRACES;
    const queue = createQueue(QueueName.PolicyEvaluation, { connection: fleet.redis, prefix: fleet.prefix });
    try {
      await until(
        "every trace evaluated and the queue drained",
        async () => {
          const [pending, counts] = await Promise.all([
            fleet.db.trace.count({ where: { organizationId: fleet.organizationId, policySetVersion: null } }),
            queue.getJobCounts("waiting", "active", "delayed", "prioritized"),
          ]);
          return pending === 0 && Object.values(counts).every((n) => n === 0);
        },
        120_000,
      );
      expect(await queue.getJobCountByTypes("failed")).toBe(0);
      // Completed jobs stay in Redis (up to 1,000) with their payload and result: every evaluation
      // of this fleet, whoever enqueued it (a sync's page, or the sweep).
      const jobs = await queue.getJobs(["completed"], 0, -1);
      const times = new Map<string, number>();
      // The sweep also evaluates what other tests left unevaluated in the shared database; only
      // this organization's batches are counted here.
      for (const job of jobs.filter((j) => j.data.organizationId === fleet.organizationId)) {
        const ids = "traceIds" in job.data ? job.data.traceIds : [];
        expect(job.returnvalue).toMatchObject({ traces: ids.length });
        for (const id of ids) times.set(id, (times.get(id) ?? 0) + 1);
      }
      const traces = await fleet.db.trace.findMany({ where: { organizationId: fleet.organizationId }, select: { id: true } });
      expect(traces).toHaveLength(total);
      expect(times.size).toBe(total);
      expect(traces.filter((t) => times.get(t.id) !== 1)).toEqual([]);

      const org = await fleet.db.organization.findUniqueOrThrow({ where: { id: fleet.organizationId } });
      expect(await fleet.db.trace.count({ where: { organizationId: fleet.organizationId, policySetVersion: org.policySetVersion } })).toBe(total);
      const violations = await fleet.db.violation.groupBy({ by: ["traceId"], where: { policyId }, _count: { _all: true } });
      expect(violations).toHaveLength(total);
      expect(violations.every((v) => v._count._all === 1)).toBe(true);
      expect(await fleet.db.policyEvaluationError.count({ where: { organizationId: fleet.organizationId } })).toBe(0);

      // Each policy process did some of it, and between them they did exactly these jobs.
      const done = await Promise.all(policy.map((p) => p.jobs(QueueName.PolicyEvaluation, "completed")));
      for (const count of done) expect(count).toBeGreaterThan(0);
      expect(done.reduce((a, b) => a + b, 0)).toBe(jobs.length);
      for (const p of policy) expect(await p.jobs(QueueName.PolicyEvaluation, "failed")).toBe(0);
    } finally {
      await queue.close();
    }
  });

  it("spread the sync jobs over every trace-sync process, each running its share", async () => {
    const completed = await Promise.all(traceSync.map((p) => p.jobs(QueueName.TraceSync, "completed")));
    expect(completed).toEqual(traceSync.map(() => TRACE_SYNC_CONCURRENCY));
    for (const p of traceSync) {
      expect(await p.jobs(QueueName.TraceSync, "failed")).toBe(0);
      expect(await p.jobs(QueueName.TraceSync, "interrupted")).toBe(0);
    }
  });

  it("stops every process on SIGTERM with exit code 0, leaving no Python bridge behind", async () => {
    // The check below means something only if each trace-sync process did have a bridge running.
    for (const p of traceSync) expect(groupMembers(p.child.pid!).some((m) => m.includes("python-bridge/bridge.py"))).toBe(true);
    const exits = await Promise.all([...traceSync, ...policy].map((p) => p.stop()));
    expect(exits).toEqual([...traceSync, ...policy].map(() => ({ code: 0, signal: null })));
    for (const p of [...traceSync, ...policy]) expect(await groupMembersAfter(p.child.pid!, 3_000)).toEqual([]);
  });
});
