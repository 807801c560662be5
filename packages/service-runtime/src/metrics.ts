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

/** Serves /metrics for Prometheus; workers have no other HTTP surface. */
export function startMetricsServer(port: number, host = "0.0.0.0"): Server {
  const server = createServer(async (req, res) => {
    if (req.url === "/metrics") {
      res.setHeader("content-type", registry.contentType);
      res.end(await registry.metrics());
    } else if (req.url === "/healthz") {
      res.end("ok");
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  server.listen(port, host);
  return server;
}
