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

/** The console's people and sessions, and how the gateway presents itself to browsers. */
const consoleEnv = {
  /** A console session unused this long ends. */
  SESSION_IDLE_MINUTES: z.coerce.number({ error: "expected minutes" }).int("expected whole minutes").min(1, "expected at least 1 minute").default(30),
  /** A console session ends this long after sign-in, however active. */
  SESSION_MAX_HOURS: z.coerce.number({ error: "expected hours" }).int("expected whole hours").min(1, "expected at least 1 hour").default(12),
  /** Failed sign-ins per e-mail address per 15 minutes (five times as many per client address). */
  LOGIN_RATE_LIMIT: z.coerce.number({ error: "expected a number of attempts" }).int().positive("expected a positive number of attempts").default(10),
  /** Behind https only: browsers are told to upgrade every request and to remember it (HSTS), and cookies are Secure. */
  FORCE_HTTPS: z.enum(["true", "false"], { error: "expected true or false" }).default("false"),
  /** The console's address as people reach it, for the links in invitations; by default the address a request came to. */
  PUBLIC_URL: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.url({ protocol: /^https?$/, error: "expected the console's address, e.g. https://langguard.example.com" }).optional(),
  ),
};

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
  /** How long a verified API key is trusted without reading it from Postgres again; 0 reads it on every request. */
  API_KEY_CACHE_MS: z.coerce.number().int().min(0, "expected milliseconds, 0 or more").max(60_000, "expected at most 60000 (a minute)").default(2000),
  /** Connection tests running at once in this process, whoever asks. */
  CONNECTION_TEST_CONCURRENCY: z.coerce.number().int().positive("expected a positive whole number").default(4),
  /** Internal listener for /metrics, /livez and /readyz (0 disables); bind it to a private interface. */
  OPS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  OPS_HOST: z.string().default("127.0.0.1"),
  ...consoleEnv,
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
    apiKeyCacheMs: env.API_KEY_CACHE_MS,
    connectionTestConcurrency: env.CONNECTION_TEST_CONCURRENCY,
    // Each counter is one key on its own, so without the hash tag they spread over a cluster's
    // slots instead of loading the master that holds the queues with every API request.
    redisPrefix: env.QUEUE_PREFIX.replace(/[{}]/g, ""),
    reconcile: { lockDurationMs: env.SYNC_LOCK_DURATION_MS },
    sessions: { idleMs: env.SESSION_IDLE_MINUTES * 60_000, maxMs: env.SESSION_MAX_HOURS * 3_600_000 },
    loginFailuresPerEmail: env.LOGIN_RATE_LIMIT,
    forceHttps: env.FORCE_HTTPS === "true",
    publicUrl: env.PUBLIC_URL ?? null,
  };
}

export function hostPolicyOf(env: GatewayEnv) {
  return hostPolicyOrExit(env);
}
