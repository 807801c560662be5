import { intSetting } from "../common/settings.ts";
/**
 * Scaling benchmark: `pnpm bench:scaling`. Does a second trace-sync process double throughput?
 *
 * One process syncs K workspaces (TRACE_SYNC_CONCURRENCY=K), then two processes sync 2K (K each),
 * with the reads per job held fixed. Each workspace is its own MLflow server behind a fixed round
 * trip, as remote workspaces are independent, so the only things the processes share are ours:
 * the queue in Redis and the database. The speedup (two ÷ one) falls short of 2 only if one of
 * them serialises the processes (or the machine runs out of CPU, which `machine_busy_*` shows).
 * Also measured: Redis bytes per queued job, and Postgres commits and rows written per second per
 * process during the two-process phase. Settings are listed in README.md; the last stdout line is
 * one JSON object with the figures, logs go to stderr.
 */
import { execa } from "execa";
import { resetDatabase } from "../../tests/helpers/database.ts";
import { startFleet, type Fleet } from "../../tests/helpers/fleet.ts";
import { repoRoot } from "../../tests/helpers/test-env.ts";
import { cores } from "./cpu.ts";
import { runPhase, type PhaseResult } from "./phase.ts";
import { queuedJobMemory, type QueuedJobMemory } from "./redis-memory.ts";
import { startWorkspaces } from "./workspaces.ts";

const settings = {
  jobsPerProcess: intSetting("BENCH_JOBS_PER_PROCESS", 4, 1),
  traces: intSetting("BENCH_TRACES_PER_WORKSPACE", 1000, 1),
  spansPerTrace: intSetting("BENCH_SPANS_PER_TRACE", 2, 1),
  latencyMs: intSetting("BENCH_LATENCY_MS", 1000, 0),
  readsPerJob: intSetting("BENCH_READS_PER_JOB", 2, 1),
  pageSize: intSetting("BENCH_PAGE_SIZE", 100, 1),
  sharedAgent: intSetting("BENCH_SHARED_AGENT", 0, 0) !== 0,
  redisJobs: intSetting("BENCH_REDIS_JOBS", 2000, 0),
  measureDatabase: intSetting("BENCH_PG_STATS", 1, 0) !== 0,
  databaseUrl: process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/langguard_bench_scaling",
  redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  logLevel: process.env.BENCH_LOG_LEVEL ?? "warn",
};

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const say = (line = "") => process.stdout.write(`${line}\n`);
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Generous: about five times the latency-bound duration of one job, so only a hang times out. */
function phaseTimeoutMs(): number {
  const pages = Math.ceil(settings.traces / settings.pageSize);
  // A page is one search and a span fetch per ten traces (MLflow's batch size).
  const requests = pages * (1 + Math.ceil(settings.pageSize / 10)) + 4;
  return 180_000 + (5 * requests * Math.max(settings.latencyMs, 50)) / settings.readsPerJob;
}

function describe(phase: PhaseResult): string {
  return (
    `${phase.traces} traces (${phase.spans} spans) from ${phase.workspaces} workspaces in ${round(phase.seconds)} s → ${round(phase.tracesPerSecond, 1)} traces/s; ` +
    `jobs per process ${JSON.stringify(phase.jobsByProcess)}, mean job ${round(phase.meanJobSeconds, 1)} s, ${phase.requests} requests; ` +
    `machine ${round(phase.machineBusy * 100, 0)}% busy (${cores} cores), workers ${round(phase.workerCpuSeconds, 1)} CPU s`
  );
}

async function main() {
  const k = settings.jobsPerProcess;
  say(
    `scaling benchmark: 1 trace-sync process × ${k} workspaces, then 2 × ${k}; ${settings.traces} traces of ${settings.spansPerTrace} spans per workspace; ` +
      `${settings.latencyMs} ms per request; ${settings.readsPerJob} reads in flight per job; pages of ${settings.pageSize}${settings.sharedAgent ? "; one agent shared by every workspace" : ""}`,
  );

  let memory: QueuedJobMemory | null = null;
  if (settings.redisJobs > 0) {
    memory = await queuedJobMemory(settings.redisUrl, settings.redisJobs);
    say(
      `redis: ${memory.jobs} queued trace-sync jobs hold ${round(memory.bytesPerJob, 0)} bytes each (MEMORY USAGE of their keys); used_memory grew ${round(memory.usedMemoryDeltaPerJob, 0)} bytes per job`,
    );
  }

  // The processes run dist/: build it from the sources as they are now.
  const build = await execa(process.execPath, ["scripts/build.mjs"], { cwd: repoRoot, all: true, reject: false });
  if (build.exitCode !== 0) throw new Error(`node scripts/build.mjs failed:\n${build.all}`);
  log(build.all ?? "");

  let t = performance.now();
  await resetDatabase(settings.databaseUrl);
  say(`database ${new URL(settings.databaseUrl).pathname.slice(1)} recreated in ${round((performance.now() - t) / 1000, 1)} s`);

  t = performance.now();
  const sources = await startWorkspaces({
    count: 2 * k,
    traces: settings.traces,
    spansPerTrace: settings.spansPerTrace,
    latencyMs: settings.latencyMs,
    sharedAgent: settings.sharedAgent,
  });
  let fleet: Fleet | undefined;
  try {
    say(`${2 * k} MLflow servers up and seeded in ${round((performance.now() - t) / 1000, 1)} s (seeding ${sources.seedSeconds} s; not measured)`);
    fleet = await startFleet({ databaseUrl: settings.databaseUrl, worker: false, logLevel: settings.logLevel, logDestination: process.stderr });
    const workerEnv = {
      LOG_LEVEL: settings.logLevel,
      TRACE_SYNC_WORKSPACE_CONCURRENCY: String(settings.readsPerJob),
      TRACE_SYNC_BATCH_SIZE: String(settings.pageSize),
    };
    const common = {
      fleet,
      databaseUrl: settings.databaseUrl,
      jobsPerProcess: k,
      workspaces: sources.workspaces,
      workerEnv,
      log: 2,
      timeoutMs: phaseTimeoutMs(),
    };
    log(`queue prefix ${fleet.prefix}`);

    say();
    say(`one process, ${k} jobs at once`);
    const one = await runPhase({ ...common, processes: 1, measureDatabase: false });
    say(`    ${describe(one)}`);

    say(`two processes, ${k} jobs at once each`);
    const two = await runPhase({ ...common, processes: 2, measureDatabase: settings.measureDatabase });
    say(`    ${describe(two)}`);
    if (two.database) {
      say(
        `    Postgres (${new URL(settings.databaseUrl).pathname.slice(1)}): ${two.database.commits} commits and ${two.database.rowsWritten} rows written → ` +
          `${round(two.database.commits / two.seconds / 2, 1)} commits/s and ${round(two.database.rowsWritten / two.seconds / 2, 0)} rows/s per process`,
      );
    }

    const speedup = two.tracesPerSecond / one.tracesPerSecond;
    say();
    say(`speedup ${round(speedup, 3)} (goal ≥ 1.8: ${speedup >= 1.8 ? "met" : "not met"})`);
    if (two.machineBusy > 0.8)
      say(`    note: the machine was ${round(two.machineBusy * 100, 0)}% busy in the two-process phase; CPU, not our shared parts, may be the limit`);

    const summary = {
      one_proc_traces_per_s: round(one.tracesPerSecond, 1),
      two_proc_traces_per_s: round(two.tracesPerSecond, 1),
      speedup: round(speedup, 3),
      jobs_per_process: k,
      workspaces_one_proc: one.workspaces,
      workspaces_two_proc: two.workspaces,
      traces_per_workspace: settings.traces,
      spans_per_trace: settings.spansPerTrace,
      latency_ms: settings.latencyMs,
      reads_per_job: settings.readsPerJob,
      page_size: settings.pageSize,
      shared_agent: settings.sharedAgent,
      one_proc_s: round(one.seconds, 2),
      two_proc_s: round(two.seconds, 2),
      one_proc_mean_job_s: round(one.meanJobSeconds, 2),
      two_proc_mean_job_s: round(two.meanJobSeconds, 2),
      one_proc_jobs_by_process: one.jobsByProcess,
      two_proc_jobs_by_process: two.jobsByProcess,
      one_proc_requests: one.requests,
      two_proc_requests: two.requests,
      cores,
      machine_busy_one_proc: round(one.machineBusy, 3),
      machine_busy_two_proc: round(two.machineBusy, 3),
      worker_cpu_ms_per_trace_one_proc: round((one.workerCpuSeconds * 1000) / one.traces, 3),
      worker_cpu_ms_per_trace_two_proc: round((two.workerCpuSeconds * 1000) / two.traces, 3),
      pg_commits_per_s_per_proc: two.database ? round(two.database.commits / two.seconds / 2, 1) : null,
      pg_rows_written_per_s_per_proc: two.database ? round(two.database.rowsWritten / two.seconds / 2, 1) : null,
      redis_bytes_per_queued_job: memory ? round(memory.bytesPerJob, 0) : null,
      redis_used_memory_delta_per_job: memory ? round(memory.usedMemoryDeltaPerJob, 0) : null,
      redis_queued_jobs: memory?.jobs ?? 0,
      seed_s: sources.seedSeconds,
    };
    say(JSON.stringify(summary));
  } finally {
    await fleet?.close();
    await sources.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`scaling benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
