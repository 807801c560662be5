import { hostPolicyOrExit } from "@langguard/config";
import type { Database } from "@langguard/database";
import type { Logger } from "@langguard/logger";
import { createQueue, enqueue, jobId, QueueName, type QueueSettings, type RedisClient } from "@langguard/queue-contracts";
import { warmUp } from "@langguard/policy-engine";
import { keyRingFromSettings } from "@langguard/secrets";
import { registerWorker, type RegisteredWorker } from "@langguard/service-runtime";
import type { PolicyEvaluationEnv } from "./env.ts";
import { processEvaluation } from "./processors/evaluate.ts";
import { sweepDeliveries, sweepUnevaluated } from "./processors/sweep.ts";
import { deliverWebhook } from "./webhooks/deliver.ts";

export interface PolicyEvaluationDeps {
  env: PolicyEvaluationEnv;
  db: Database;
  queue: QueueSettings & { connection: RedisClient };
  logger: Logger;
}

/**
 * Two queues: policy evaluation (batches from syncs and from the sweep, and re-evaluation windows)
 * and webhook delivery, which has its own so a receiver that is down never slows evaluation.
 * The sweep runs under a short Redis lock, so one process at a time does it.
 */
export function registerPolicyEvaluationWorker({ env, db, queue, logger }: PolicyEvaluationDeps): RegisteredWorker {
  const hostPolicy = hostPolicyOrExit(env);
  // Set-up (V8 compiling the detectors, RE2's native binding) before the first job, not during it.
  warmUp();
  const keyRing = keyRingFromSettings(env.ENCRYPTION_KEY, env.ENCRYPTION_KEY_PREVIOUS);
  const evaluationQueue = createQueue(QueueName.PolicyEvaluation, queue);
  const deliveryQueue = createQueue(QueueName.WebhookDelivery, queue);
  const deliver = async (deliveryIds: string[]) => {
    for (const deliveryId of deliveryIds) {
      await enqueue(deliveryQueue, QueueName.WebhookDelivery, { deliveryId }, jobId.webhookDelivery(deliveryId), {
        attempts: env.WEBHOOK_ATTEMPTS,
        backoff: { type: "exponential", delay: env.WEBHOOK_RETRY_DELAY_MS },
      });
    }
  };
  const evaluation = registerWorker(
    QueueName.PolicyEvaluation,
    (payload, ctx) => processEvaluation(payload, { db, logger: ctx.logger, job: ctx.job, deliver }),
    {
      connection: queue.connection,
      prefix: queue.prefix,
      concurrency: env.POLICY_EVALUATION_CONCURRENCY,
      logger,
    },
  );
  const delivery = registerWorker(
    QueueName.WebhookDelivery,
    (payload, ctx) =>
      deliverWebhook(payload.deliveryId, {
        db,
        keyRing,
        hostPolicy,
        logger: ctx.logger,
        timeoutMs: env.WEBHOOK_TIMEOUT_MS,
        disableAfterFailures: env.WEBHOOK_DISABLE_AFTER_FAILURES,
        attempt: ctx.attempt,
        maxAttempts: ctx.maxAttempts,
      }),
    { connection: queue.connection, prefix: queue.prefix, concurrency: env.WEBHOOK_CONCURRENCY, logger },
  );

  const lockKey = `${queue.prefix}:policy-sweep-lock`;
  const sweep = async () => {
    try {
      const locked = await queue.connection.set(lockKey, String(process.pid), "PX", Math.max(5_000, env.POLICY_SWEEP_INTERVAL_MS), "NX");
      if (!locked) return;
      const traces = await sweepUnevaluated(db, evaluationQueue, { graceMs: env.POLICY_SWEEP_GRACE_MS, batchSize: 200, maxBatches: 25 });
      const deliveries = await sweepDeliveries(db, deliveryQueue, deliver, Math.max(60_000, env.POLICY_SWEEP_GRACE_MS));
      if (traces > 0) logger.warn({ traces, deliveries }, "queued traces that were stored but never evaluated");
    } catch (error) {
      logger.error({ err: error }, "policy sweep failed");
    }
  };
  const timer = setInterval(sweep, env.POLICY_SWEEP_INTERVAL_MS);
  void sweep();
  return {
    worker: evaluation.worker,
    async close() {
      clearInterval(timer);
      await Promise.all([evaluation.close(), delivery.close()]);
      await Promise.all([evaluationQueue.close(), deliveryQueue.close()]);
    },
  };
}
