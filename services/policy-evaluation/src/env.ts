import { z } from "zod";
import { coreEnv, encryptionKeyEnv, loadEnv, positiveInt, sourceHostEnv } from "@langguard/config";

export const envSchema = {
  ...coreEnv,
  ...encryptionKeyEnv,
  // Webhook receivers must not be internal addresses either; the same operator allowances apply.
  ...sourceHostEnv,
  /** Batches evaluated at once per process. */
  POLICY_EVALUATION_CONCURRENCY: positiveInt(2, "a positive whole number of jobs"),
  /** How often the sweep looks for stored traces that were never evaluated. */
  POLICY_SWEEP_INTERVAL_MS: positiveInt(30_000, "a positive number of milliseconds"),
  /** A trace this young is left to its sync's own hand-off before the sweep takes it. */
  POLICY_SWEEP_GRACE_MS: z.coerce.number().int().nonnegative().default(60_000),
  WEBHOOK_CONCURRENCY: positiveInt(8, "a positive whole number of deliveries"),
  WEBHOOK_TIMEOUT_MS: positiveInt(10_000, "a positive number of milliseconds"),
  /** First retry delay; each next one doubles. */
  WEBHOOK_RETRY_DELAY_MS: positiveInt(5_000, "a positive number of milliseconds"),
  /** Attempts per delivery before it fails for good (8: about ten minutes with the default delay). */
  WEBHOOK_ATTEMPTS: positiveInt(8, "a positive whole number of attempts"),
  /** Deliveries failed for good in a row before a webhook is disabled. */
  WEBHOOK_DISABLE_AFTER_FAILURES: positiveInt(5, "a positive whole number"),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9466),
  METRICS_HOST: z.string().default("127.0.0.1"),
};

export type PolicyEvaluationEnv = ReturnType<typeof loadPolicyEvaluationEnv>;

export function loadPolicyEvaluationEnv(source: NodeJS.ProcessEnv = process.env) {
  return loadEnv(envSchema, source);
}
