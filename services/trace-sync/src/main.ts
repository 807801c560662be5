import { runWorkerService } from "@langguard/service-runtime";
import { loadTraceSyncEnv } from "./env.ts";
import { registerTraceSyncWorker } from "./registration.ts";

const env = loadTraceSyncEnv();
runWorkerService("trace-sync", env, registerTraceSyncWorker, { concurrency: env.TRACE_SYNC_CONCURRENCY, batchSize: env.TRACE_SYNC_BATCH_SIZE });
