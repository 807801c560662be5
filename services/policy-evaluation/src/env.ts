import { z } from "zod";
import { coreEnv, encryptionKeyEnv, loadEnv, sourceHostEnv } from "@langguard/config";

const count = (fallback: number, what: string) => z.coerce.number({ error: `expected ${what}` }).int(`expected ${what}`).positive(`expected ${what}`).default(fallback);

export const envSchema = {
  ...coreEnv,
  ...encryptionKeyEnv,
  // Webhook receivers must not be internal addresses either; the same operator allowances apply.
  ...sourceHostEnv,
  /** Batches evaluated at once per process. */
  POLICY_EVALUATION_CONCURRENCY: count(2, "a positive whole number of jobs"),
  /** How often the sweep looks for stored traces that were never evaluated. */
  POLICY_SWEEP_INTERVAL_MS: count(30_000, "a positive number of milliseconds"),
  /** A trace this young is left to its sync's own hand-off before the sweep takes it. */
  POLICY_SWEEP_GRACE_MS: z.coerce.number().int().nonnegative().default(60_000),
  WEBHOOK_CONCURRENCY: count(8, "a positive whole number of deliveries"),
  WEBHOOK_TIMEOUT_MS: count(10_000, "a positive number of milliseconds"),
  /** First retry delay; each next one doubles. */
  WEBHOOK_RETRY_DELAY_MS: count(5_000, "a positive number of milliseconds"),
  /** Attempts per delivery before it fails for good (8: about ten minutes with the default delay). */
  WEBHOOK_ATTEMPTS: count(8, "a positive whole number of attempts"),
  /** Deliveries failed for good in a row before a webhook is disabled. */
  WEBHOOK_DISABLE_AFTER_FAILURES: count(5, "a positive whole number"),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9466),
  METRICS_HOST: z.string().default("127.0.0.1"),
};

export type PolicyEvaluationEnv = ReturnType<typeof loadPolicyEvaluationEnv>;

export function loadPolicyEvaluationEnv(source: NodeJS.ProcessEnv = process.env) {
  return loadEnv(envSchema, source);
}
