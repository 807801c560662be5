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
