export { registerWorker, onShutdown, type JobContext, type Processor, type RegisterOptions, type RegisteredWorker } from "./register.ts";
export { registry, startOpsServer, jobsTotal, jobDuration, type OpsServerOptions } from "./metrics.ts";
