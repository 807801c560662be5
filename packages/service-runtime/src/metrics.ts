import { createServer, type Server } from "node:http";
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

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

export function countEvaluationErrors(policyIds: Iterable<string>): void {
  for (const policy of policyIds) evaluationErrors.inc({ policy });
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
