import type { FastifyInstance } from "fastify";
import type { Queue } from "bullmq";
import { Gauge, Histogram, registry } from "@langguard/service-runtime";

const httpDuration = new Histogram({
  name: "langguard_http_request_duration_seconds",
  help: "Gateway request duration, by method, route pattern and status code",
  labelNames: ["method", "route", "status_code"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

const STATES = ["waiting", "active", "delayed", "prioritized", "waiting-children", "completed", "failed"] as const;

/**
 * Jobs per queue and state, read from Redis when Prometheus scrapes. One gauge instance per
 * process: the gateway holds every queue, so it is the one that reports depth.
 */
let queueSource: () => Array<{ name: string; queue: Queue }> = () => [];
new Gauge({
  name: "langguard_queue_jobs",
  help: "Jobs in each queue, by state",
  labelNames: ["queue", "state"] as const,
  registers: [registry],
  async collect() {
    this.reset();
    for (const { name, queue } of queueSource()) {
      const counts = await queue.getJobCounts(...STATES).catch(() => null);
      if (!counts) continue;
      for (const state of STATES) this.set({ queue: name, state }, counts[state] ?? 0);
    }
  },
});

/** Times every request by its route pattern (never the raw URL, whose ids would explode the label set). */
export function registerMetrics(app: FastifyInstance, queues: Array<{ name: string; queue: Queue }>) {
  queueSource = () => queues;
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    httpDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
}
