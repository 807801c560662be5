import { createServer, type Server } from "node:http";
import { poolUsage, type Database, type PoolUsage } from "@langguard/database";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export const registry = new Registry();
collectDefaultMetrics({ register: registry });
// prom-client also exports the totals of its per-type gauges under names ending in _total, which
// Prometheus reserves for counters (`promtool check metrics` refuses them). The per-type gauges
// stay: sum(nodejs_active_handles) is the same number.
for (const name of ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"]) registry.removeSingleMetric(name);

/** Job outcomes registerWorker counts; each queue a process consumes starts with all at zero. */
export const JOB_OUTCOMES = ["completed", "failed", "interrupted", "throttled"] as const;

export const jobsTotal = new Counter({
  name: "langguard_jobs_total",
  help: "Jobs processed, by queue and outcome",
  labelNames: ["queue", "outcome"] as const,
  registers: [registry],
});

export const jobDuration = new Histogram({
  name: "langguard_job_duration_seconds",
  help: "Job processing time, by queue",
  labelNames: ["queue"] as const,
  buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
  registers: [registry],
});

const bridgeCallDuration = new Histogram({
  name: "langguard_bridge_call_duration_seconds",
  help: "Python bridge calls (one per job step: a trace stream, a catalog walk, a connection test), by command and outcome",
  labelNames: ["command", "outcome"] as const,
  buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
  registers: [registry],
});

const bridgeErrors = new Counter({
  name: "langguard_bridge_errors_total",
  help: "Errors the Python bridge reported, by command and kind (rate_limited, auth, timeout, …): ones that ended a call and ones about one experiment or container",
  labelNames: ["command", "kind"] as const,
  registers: [registry],
});

/** Hand to bridgeFromSettings: every call's length and every error's kind, in this process's metrics. */
export const bridgeMetrics = {
  callEnded(command: string, seconds: number, errorKind: string | null) {
    bridgeCallDuration.observe({ command, outcome: errorKind === null ? "ok" : "error" }, seconds);
  },
  error(command: string, kind: string) {
    bridgeErrors.inc({ command, kind });
  },
};

const itemsSynced = new Counter({
  name: "langguard_items_synced_total",
  help: "Records a sync stored or checked, by kind (trace, span, catalog_entity) and outcome (inserted, updated, unchanged)",
  labelNames: ["kind", "outcome"] as const,
  registers: [registry],
});

/** Counts what one committed batch did. */
export function countSynced(kind: "trace" | "span" | "catalog_entity", counts: { inserted?: number; updated?: number; unchanged?: number }): void {
  for (const outcome of ["inserted", "updated", "unchanged"] as const) {
    const n = counts[outcome] ?? 0;
    if (n > 0) itemsSynced.inc({ kind, outcome }, n);
  }
}

const violationsFound = new Counter({
  name: "langguard_violations_total",
  help: "Policy violations recorded, by severity",
  labelNames: ["severity"] as const,
  registers: [registry],
});

export function countViolations(severities: Iterable<string>): void {
  for (const severity of severities) violationsFound.inc({ severity });
}

const evaluationErrors = new Counter({
  name: "langguard_policy_evaluation_errors_total",
  help: "Policy evaluations that failed (an expression error, a budget breach, an invalid config), by policy id",
  labelNames: ["policy"] as const,
  registers: [registry],
});

/**
 * A batch evaluated `evaluated` policies and `failed` lists the policy of each failed evaluation.
 * Every evaluated policy gets its series at zero first, so that Prometheus' `increase()` sees a
 * policy's first failure too (a series born at 1 shows no increase).
 */
export function countEvaluationErrors(evaluated: Iterable<string>, failed: Iterable<string>): void {
  for (const policy of evaluated) evaluationErrors.inc({ policy }, 0);
  for (const policy of failed) evaluationErrors.inc({ policy });
}

const runsFinished = new Counter({
  name: "langguard_sync_runs_total",
  help: "Sync runs finished, by kind (traces, catalog) and status (succeeded, partial, failed)",
  labelNames: ["kind", "status"] as const,
  registers: [registry],
});
for (const kind of ["traces", "catalog"]) for (const status of ["succeeded", "partial", "failed"]) runsFinished.inc({ kind, status }, 0);

/** One run reached its outcome (sync-runs' completeRun calls this once per run). */
export function countRunFinished(kind: string, status: string): void {
  runsFinished.inc({ kind, status });
}

const retentionDeleted = new Counter({
  name: "langguard_retention_deleted_total",
  help: "Rows the retention job deleted, by kind (trace, span, violation)",
  labelNames: ["kind"] as const,
  registers: [registry],
});
for (const kind of ["trace", "span", "violation"]) retentionDeleted.inc({ kind }, 0);
const retentionBehind = new Gauge({
  name: "langguard_retention_behind",
  help: "1 while the last retention pass left expired rows behind (its batch budget ran out), by organization; 0 once it caught up",
  labelNames: ["organization"] as const,
  registers: [registry],
});
const retentionLastPass = new Gauge({
  name: "langguard_retention_last_pass_timestamp_seconds",
  help: "When the retention job last finished a pass",
  registers: [registry],
});

/** Progress of the retention job: what each batch deleted, and whether a pass caught up. */
export const retentionMetrics = {
  deleted(kind: "trace" | "span" | "violation", count: number): void {
    if (count > 0) retentionDeleted.inc({ kind }, count);
  },
  passed(organizations: Array<{ organizationId: string; behind: boolean }>): void {
    for (const o of organizations) retentionBehind.set({ organization: o.organizationId }, o.behind ? 1 : 0);
    retentionLastPass.set(Date.now() / 1000);
  },
};

let databaseSource: Database | undefined;
/** A gauge of this process's Postgres pool, read at each scrape (absent until a pool is observed). */
function poolGauge(name: string, help: string, labelNames: string[], fill: (gauge: Gauge<string>, usage: PoolUsage) => void) {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      const usage = databaseSource && poolUsage(databaseSource);
      if (usage) fill(this, usage);
    },
  });
}
poolGauge(
  "langguard_postgres_pool_connections",
  "This process's Postgres connections, by state (busy, idle); at most DATABASE_POOL_SIZE",
  ["state"],
  (g, usage) => {
    g.set({ state: "busy" }, usage.total - usage.idle);
    g.set({ state: "idle" }, usage.idle);
  },
);
poolGauge("langguard_postgres_pool_size", "The most Postgres connections this process opens (DATABASE_POOL_SIZE)", [], (g, usage) => g.set(usage.max));
poolGauge(
  "langguard_postgres_pool_waiting_queries",
  "Queries of this process waiting for a free Postgres connection: above zero for long, the pool (DATABASE_POOL_SIZE) is too small or Postgres is slow",
  [],
  (g, usage) => g.set(usage.waiting),
);

/** Reports this process's Postgres pool on /metrics. */
export function observeDatabasePool(db: Database): void {
  databaseSource = db;
}

export interface OpsServerOptions {
  port: number;
  /** Loopback unless told otherwise: metrics and health are for the operator's network, not the world. */
  host?: string;
  /** Answers /readyz: true when the process can do its work (Postgres and Redis answer). */
  ready?: () => Promise<boolean>;
}

/** /metrics for Prometheus, /livez and /readyz for the orchestrator: the operations surface every process has. */
export function startOpsServer({ port, host = "127.0.0.1", ready }: OpsServerOptions): Server {
  const server = createServer(async (req, res) => {
    const url = req.url?.split("?")[0];
    if (url === "/metrics") {
      res.setHeader("content-type", registry.contentType);
      res.end(await registry.metrics());
    } else if (url === "/livez" || url === "/healthz") {
      res.end("ok");
    } else if (url === "/readyz") {
      const ok = ready ? await ready().catch(() => false) : true;
      res.statusCode = ok ? 200 : 503;
      res.end(ok ? "ok" : "not ready");
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  server.listen(port, host);
  return server;
}
