import { createPrismaClient } from "@langguard/database";
import { createLogger } from "@langguard/logger";
import { createRedisConnection } from "@langguard/queue-contracts";
import { onShutdown, startOpsServer } from "@langguard/service-runtime";
import { loadPolicyEvaluationEnv } from "./env.ts";
import { registerPolicyEvaluationWorker } from "./registration.ts";

const env = loadPolicyEvaluationEnv();
const logger = createLogger({ name: "policy-evaluation", level: env.LOG_LEVEL });
const db = createPrismaClient({ url: env.DATABASE_URL });
const redis = createRedisConnection(env.REDIS_URL);
const registered = registerPolicyEvaluationWorker({ env, db, queue: { connection: redis, prefix: env.QUEUE_PREFIX }, logger });
const ops = env.METRICS_PORT > 0 ? startOpsServer({ port: env.METRICS_PORT, host: env.METRICS_HOST }) : undefined;

onShutdown(logger, [() => registered.close(), async () => ops?.close(), () => db.$disconnect(), () => redis.quit()]);
logger.info({ concurrency: env.POLICY_EVALUATION_CONCURRENCY, metricsPort: env.METRICS_PORT }, "policy-evaluation worker started");
