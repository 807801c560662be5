import { createQueue, QueueName } from "@langguard/queue-contracts";
import { createIntegration, type Fleet } from "../../tests/helpers/fleet.ts";
import { startWorker, type RunningWorker } from "../../tests/helpers/running-worker.ts";
import { killWorkerGroup } from "../../tests/helpers/worker-process.ts";
import { busyShare, groupCpuSeconds, machineCpu, untilSettled } from "./cpu.ts";
import { settledActivity, type DatabaseActivity } from "./postgres-stats.ts";
import type { Workspace } from "./workspaces.ts";

export interface PhaseSettings {
  fleet: Fleet;
  databaseUrl: string;
  processes: number;
  /** TRACE_SYNC_CONCURRENCY of each process, and the workspaces each one is given. */
  jobsPerProcess: number;
  workspaces: Workspace[];
  /** The trace-sync settings every process runs with. */
  workerEnv: Record<string, string>;
  /** Also read Postgres' write counters over the phase (costs two waits for them to settle). */
  measureDatabase: boolean;
  /** Where the workers' logs go (2: this process's stderr). */
  log: string | number;
  timeoutMs: number;
}

export interface PhaseResult {
  processes: number;
  workspaces: number;
  traces: number;
  spans: number;
  /** From the trigger requests to the last run's completion. */
  seconds: number;
  tracesPerSecond: number;
  meanJobSeconds: number;
  /** Sync jobs each process completed, from its own /metrics. */
  jobsByProcess: number[];
  /** Requests the workspaces received (through their proxies). */
  requests: number;
  /** Share of all cores busy (the whole machine, the benchmark itself included). */
  machineBusy: number;
  /** CPU seconds the worker processes (node and their bridges) used, summed. */
  workerCpuSeconds: number;
  database: DatabaseActivity | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `processes` real trace-sync processes (`node dist/trace-sync.mjs`), each taking
 * `jobsPerProcess` jobs at once, sync `processes × jobsPerProcess` workspaces as first syncs of new
 * integrations, all triggered at once through the gateway. Every process is idle, with its warm
 * bridge up, before the clock starts.
 */
export async function runPhase(settings: PhaseSettings): Promise<PhaseResult> {
  const { fleet, processes, jobsPerProcess } = settings;
  const workspaces = settings.workspaces.slice(0, processes * jobsPerProcess);
  if (workspaces.length < processes * jobsPerProcess) throw new Error(`${processes * jobsPerProcess} workspaces needed, ${workspaces.length} given`);
  const queue = createQueue(QueueName.TraceSync, { connection: fleet.redis, prefix: fleet.prefix });
  const workers: RunningWorker[] = [];
  try {
    const env = { ...settings.workerEnv, TRACE_SYNC_CONCURRENCY: String(jobsPerProcess) };
    workers.push(
      ...(await Promise.all(
        Array.from({ length: processes }, () => startWorker("trace-sync", fleet.prefix, { databaseUrl: settings.databaseUrl, env, log: settings.log })),
      )),
    );
    // Each process waiting on the queue before the first job exists: with every slot of every
    // process needed at once, each takes exactly its share.
    for (let deadline = Date.now() + 60_000; (await queue.getWorkersCount()) !== processes; await sleep(200)) {
      if (Date.now() > deadline) throw new Error(`${processes} trace-sync workers did not all connect to the queue`);
    }
    for (const worker of workers) await untilSettled(worker.child.pid!);

    const integrationIds: string[] = [];
    for (const w of workspaces)
      integrationIds.push((await createIntegration(fleet, { source: "mlflow", host: w.proxy.url, experiments: [w.experimentId] })).id);
    const dbFrom = settings.measureDatabase ? await settledActivity(settings.databaseUrl) : null;
    const requestsFrom = workspaces.reduce((sum, w) => sum + w.proxy.stats().requests, 0);
    const completedFrom = await queue.getCompletedCount();
    const cpuFrom = machineCpu();
    const workerCpuFrom = workers.map((w) => groupCpuSeconds(w.child.pid!));

    const started = Date.now();
    const triggers = await Promise.all(integrationIds.map((id) => fleet.inject({ method: "POST", url: `/api/integrations/${id}/sync`, payload: {} })));
    const runIds = triggers.map((t) => {
      if (t.statusCode !== 202) throw new Error(`sync trigger answered ${t.statusCode}: ${t.body}`);
      return (t.json() as { syncRunId: string }).syncRunId;
    });
    // Polled in Redis, not Postgres: the phase's database counters should hold the workers' writes only.
    const deadline = Date.now() + settings.timeoutMs;
    while ((await queue.getCompletedCount()) + (await queue.getFailedCount()) < completedFrom + runIds.length) {
      if (Date.now() > deadline) throw new Error(`the phase's ${runIds.length} sync runs did not finish within ${settings.timeoutMs} ms`);
      await sleep(200);
    }
    const machineBusy = busyShare(cpuFrom, machineCpu());
    const workerCpuSeconds = workers.reduce((sum, w, i) => sum + groupCpuSeconds(w.child.pid!) - workerCpuFrom[i]!, 0);
    const requests = workspaces.reduce((sum, w) => sum + w.proxy.stats().requests, 0) - requestsFrom;
    const jobsByProcess = await Promise.all(workers.map((w) => w.jobs(QueueName.TraceSync, "completed")));
    const database = dbFrom ? difference(await settledActivity(settings.databaseUrl), dbFrom) : null;

    const runs = await fleet.db.syncRun.findMany({ where: { id: { in: runIds } } });
    for (const run of runs) {
      const workspace = workspaces[integrationIds.indexOf(run.integrationId)]!;
      if (run.status !== "succeeded" || run.itemsIngested !== workspace.traces || run.spansIngested !== workspace.spans) {
        throw new Error(
          `run ${run.id} ended ${run.status} with ${run.itemsIngested} traces and ${run.spansIngested} spans, expected ${workspace.traces} and ${workspace.spans}: ${run.errorMessage ?? ""}`,
        );
      }
    }
    const [traces, spans] = await Promise.all([
      fleet.db.trace.count({ where: { integrationId: { in: integrationIds } } }),
      fleet.db.span.count({ where: { trace: { integrationId: { in: integrationIds } } } }),
    ]);
    const expectedTraces = workspaces.reduce((sum, w) => sum + w.traces, 0);
    const expectedSpans = workspaces.reduce((sum, w) => sum + w.spans, 0);
    if (traces !== expectedTraces || spans !== expectedSpans)
      throw new Error(`Postgres holds ${traces} traces and ${spans} spans, expected ${expectedTraces} and ${expectedSpans}`);
    const finished = Math.max(...runs.map((r) => r.completedAt!.getTime()));
    const seconds = (finished - started) / 1000;
    const meanJobSeconds = runs.reduce((sum, r) => sum + (r.completedAt!.getTime() - r.startedAt!.getTime()), 0) / runs.length / 1000;

    const exits = await Promise.all(workers.splice(0).map((w) => w.stop()));
    const unclean = exits.find((e) => e.code !== 0);
    if (unclean) throw new Error(`a trace-sync process exited with code ${unclean.code} (signal ${unclean.signal}) on SIGTERM`);
    return {
      processes,
      workspaces: workspaces.length,
      traces,
      spans,
      seconds,
      tracesPerSecond: traces / seconds,
      meanJobSeconds,
      jobsByProcess,
      requests,
      machineBusy,
      workerCpuSeconds,
      database,
    };
  } finally {
    for (const worker of workers) killWorkerGroup(worker.child);
    await queue.close();
  }
}

function difference(to: DatabaseActivity, from: DatabaseActivity): DatabaseActivity {
  return { commits: to.commits - from.commits, rowsWritten: to.rowsWritten - from.rowsWritten };
}
