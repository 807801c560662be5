export { registerWorker, onShutdown, type JobContext, type Processor, type RegisterOptions, type RegisteredWorker } from "./register.ts";
export { registry, startMetricsServer, jobsTotal, jobDuration } from "./metrics.ts";
