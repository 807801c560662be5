import { runWorkerService } from "@langguard/service-runtime";
import { loadCatalogSyncEnv } from "./env.ts";
import { registerCatalogSyncWorker } from "./registration.ts";

const env = loadCatalogSyncEnv();
runWorkerService("catalog-sync", env, registerCatalogSyncWorker, { concurrency: env.CATALOG_SYNC_CONCURRENCY });
