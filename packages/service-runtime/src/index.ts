export { registerWorker, onShutdown, type JobContext, type Processor, type RegisterOptions, type RegisteredWorker } from "./register.ts";
export {
  registry,
  startOpsServer,
  jobsTotal,
  jobDuration,
  bridgeMetrics,
  countSynced,
  countViolations,
  countEvaluationErrors,
  countRunFinished,
  retentionMetrics,
  observeDatabasePool,
  JOB_OUTCOMES,
  type OpsServerOptions,
} from "./metrics.ts";
// Services define their own metrics on the shared registry with the same prom-client.
export { Counter, Gauge, Histogram } from "prom-client";
export { checkEvictionPolicy } from "./redis-policy.ts";
export { runWorkerService, type WorkerServiceDeps, type WorkerServiceEnv } from "./worker-main.ts";
export { probe } from "./probe.ts";
