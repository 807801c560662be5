import { z } from "zod";
import { bridgeEnv, coreEnv, databricksEnv, encryptionKeyEnv, hostPolicyOrExit, loadEnv, sourceHostEnv, syncEnv } from "@langguard/config";

const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    );
const perMinute = (fallback: number) =>
  z.coerce.number({ error: "expected requests per minute" }).int().positive("expected a positive number of requests per minute").default(fallback);

export const envSchema = {
  ...coreEnv,
  ...encryptionKeyEnv,
  ...bridgeEnv,
  ...databricksEnv,
  ...sourceHostEnv,
  ...syncEnv,
  HOST: z.string().default("127.0.0.1"),
  PORT: z.coerce.number({ error: "expected a port number" }).int().min(0).max(65535).default(3000),
  /** Host header values the API answers (names without port); anything else is refused, which defeats DNS rebinding. */
  ALLOWED_HOSTS: list("localhost,127.0.0.1,[::1]"),
  /** Browser origins allowed to call the API; CORS stays off when empty. */
  CORS_ORIGINS: list(""),
  RATE_LIMIT_PER_MINUTE: perMinute(600),
  /** Connection tests and sync triggers start Python processes: a tighter limit per key. */
  RATE_LIMIT_EXPENSIVE_PER_MINUTE: perMinute(30),
  /** Failed authentications per client address and minute; more are answered 429 without looking the key up. */
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: perMinute(30),
  /** Connection tests running at once in this process, whoever asks. */
  CONNECTION_TEST_CONCURRENCY: z.coerce.number().int().positive("expected a positive whole number").default(4),
  /** Internal listener for /metrics, /livez and /readyz (0 disables); bind it to a private interface. */
  OPS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  OPS_HOST: z.string().default("127.0.0.1"),
};

export type GatewayEnv = ReturnType<typeof loadGatewayEnv>;

export function loadGatewayEnv(source: NodeJS.ProcessEnv = process.env) {
  return loadEnv(envSchema, source);
}

export function settingsOf(env: GatewayEnv) {
  return {
    allowedHosts: env.ALLOWED_HOSTS,
    corsOrigins: env.CORS_ORIGINS,
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    expensiveRateLimitPerMinute: env.RATE_LIMIT_EXPENSIVE_PER_MINUTE,
    authFailuresPerMinute: env.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE,
    connectionTestConcurrency: env.CONNECTION_TEST_CONCURRENCY,
    // Each counter is one key on its own, so without the hash tag they spread over a cluster's
    // slots instead of loading the master that holds the queues with every API request.
    redisPrefix: env.QUEUE_PREFIX.replace(/[{}]/g, ""),
    reconcile: { lockDurationMs: env.SYNC_LOCK_DURATION_MS },
  };
}

export function hostPolicyOf(env: GatewayEnv) {
  return hostPolicyOrExit(env);
}
