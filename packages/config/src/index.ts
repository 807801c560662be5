import { z } from "zod";
import { HostPolicyConfigError, hostPolicyFromEnv, type HostPolicy } from "@langguard/host-policy";

/** A configuration problem that names the variable and what it must look like. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

function positiveMs(defaultMs: number) {
  return z.coerce
    .number({ error: "expected a whole number of milliseconds" })
    .int("expected a whole number of milliseconds")
    .positive("expected a positive number of milliseconds")
    .default(defaultMs);
}

/** A whole number above zero, with a default; `what` names the unit in the error ("a positive whole number of jobs"). */
export function positiveInt(fallback: number, what: string) {
  return z.coerce
    .number({ error: `expected ${what}` })
    .int(`expected ${what}`)
    .positive(`expected ${what}`)
    .default(fallback);
}

function emptyAsUndefined(value: unknown) {
  return typeof value === "string" && value.trim() === "" ? undefined : value;
}

const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());

export const coreEnv = {
  LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(", ")}` }).default("info")),
  DATABASE_URL: z
    .string()
    .default("postgresql://postgres@127.0.0.1:5432/langguard")
    .refine((v) => /^postgres(ql)?:\/\//.test(v), "expected a postgresql:// connection URL"),
  /**
   * Connections this process may hold open to Postgres. The fleet's total (every process's pool)
   * must stay under Postgres' max_connections, or the pooler's client limit (docs/scaling.md).
   */
  DATABASE_POOL_SIZE: positiveInt(10, "a positive whole number of connections"),
  /**
   * One server (redis://, rediss:// for TLS), or a Redis Cluster given by some of its nodes:
   * redis+cluster://[user:password@]host:port,host:port (rediss+cluster:// for TLS).
   */
  REDIS_URL: z
    .string()
    .default("redis://127.0.0.1:6379")
    .refine((v) => /^rediss?(\+cluster)?:\/\/./.test(v), "expected a redis:// or rediss:// URL, or redis+cluster://host:port,host:port for a Redis Cluster"),
  /**
   * Namespaces every BullMQ key, so fleets (and test runs) can share one Redis. On a cluster it is
   * used inside braces ({langguard}), a hash tag, unless it already holds one.
   */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]*(\{[A-Za-z0-9_-]+\})?[A-Za-z0-9_-]*$/, "expected letters, digits, - or _, with at most one {hash tag}")
    .min(1, "expected letters, digits, - or _, with at most one {hash tag}")
    .default("langguard"),
};

/** Shared by the workers (their BullMQ lock) and the gateway (its reconciler's idea of a lost worker). */
export const syncEnv = {
  /** A job whose worker stops renewing its lock this long (a crash) is taken over by another worker. */
  SYNC_LOCK_DURATION_MS: positiveMs(60_000),
};

/** AES-256 key: 32 bytes, given as 64 hex characters or base64. */
export const encryptionKeyEnv = {
  ENCRYPTION_KEY: z
    .string({ error: "is required: 32 random bytes as 64 hex characters or base64 (e.g. `openssl rand -hex 32`)" })
    .refine((v) => decodeKeyLength(v.trim()) === 32, "expected 32 bytes as 64 hex characters or base64 (e.g. `openssl rand -hex 32`)"),
  /** During a key rotation: the keys tokens may still be sealed with, comma-separated. */
  ENCRYPTION_KEY_PREVIOUS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine((v) => v.split(",").every((k) => decodeKeyLength(k.trim()) === 32), "expected comma-separated keys of 32 bytes (64 hex characters or base64)")
      .optional(),
  ),
};

/**
 * Which hosts a source may live on (SSRF defence). By default only https workspaces on Databricks'
 * own domains; self-hosted MLflow or Unity Catalog servers need the operator to allow them.
 */
export const sourceHostEnv = {
  SOURCE_ALLOWED_HOSTS: optionalString,
  SOURCE_ALLOWED_NETWORKS: optionalString,
  SOURCE_ALLOW_HTTP: z.preprocess(emptyAsUndefined, z.enum(["true", "false"], { error: "expected true or false" }).default("false")),
  SOURCE_ALLOWED_PORTS: optionalString,
  SOURCE_ENTRA_LOGIN_URL: optionalString,
};

function decodeKeyLength(value: string): number {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return 32;
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return Buffer.from(value, "base64").length;
  return -1;
}

/** The spec's variables for the Python bridge. */
export const bridgeEnv = {
  PYTHON_PATH: z.string().min(1, "expected the path of a Python executable with MLflow installed").default(".venv/bin/python"),
  DATABRICKS_PYTHON_TIMEOUT: positiveMs(180_000),
  DATABRICKS_VALIDATION_TIMEOUT: positiveMs(15_000),
  /**
   * warm: one Python process per worker imports MLflow once and forks a child per job (only that
   * child receives the job's credentials); cold: a new interpreter per job.
   */
  PYTHON_BRIDGE_MODE: z.enum(["warm", "cold"], { error: "expected 'warm' or 'cold'" }).default("warm"),
};

/** The spec's workspace variables: when host and key are both set, they define an integration. */
export const databricksEnv = {
  DATABRICKS_HOST: z.preprocess(
    emptyAsUndefined,
    z.url({ protocol: /^https?$/, error: "expected the workspace URL including https://, e.g. https://dbc-xxx.cloud.databricks.com" }).optional(),
  ),
  DATABRICKS_API_KEY: optionalString,
  DATABRICKS_WAREHOUSE_ID: optionalString,
};

/**
 * Parses `source` with `schema`; every problem names its variable. Throws ConfigError so
 * callers (and tests) decide how to stop.
 */
export function parseEnv<T extends z.ZodRawShape>(shape: T, source: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<T>> {
  const result = z.object(shape).safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join(".") || "(environment)";
    const raw = source[name];
    const shown = raw === undefined ? "not set" : isSecretName(name) ? "a value that is not shown" : JSON.stringify(raw);
    return `${name}: ${issue.message} (got ${shown})`;
  });
  throw new ConfigError(problems);
}

function isSecretName(name: string) {
  return /KEY|TOKEN|SECRET|PASSWORD/i.test(name);
}

/** For a service's env module: parse, or print what to fix and exit before anything starts. */
export function loadEnv<T extends z.ZodRawShape>(shape: T, source: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<T>> {
  try {
    return parseEnv(shape, source);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
}

/** The host policy from SOURCE_*, or the problems printed (never a value) and the process stopped. */
export function hostPolicyOrExit(env: {
  SOURCE_ALLOWED_HOSTS?: string;
  SOURCE_ALLOWED_NETWORKS?: string;
  SOURCE_ALLOW_HTTP?: string;
  SOURCE_ALLOWED_PORTS?: string;
  SOURCE_ENTRA_LOGIN_URL?: string;
}): HostPolicy {
  try {
    const { SOURCE_ALLOWED_HOSTS, SOURCE_ALLOWED_NETWORKS, SOURCE_ALLOW_HTTP, SOURCE_ALLOWED_PORTS, SOURCE_ENTRA_LOGIN_URL } = env;
    return hostPolicyFromEnv({ SOURCE_ALLOWED_HOSTS, SOURCE_ALLOWED_NETWORKS, SOURCE_ALLOW_HTTP, SOURCE_ALLOWED_PORTS, SOURCE_ENTRA_LOGIN_URL });
  } catch (error) {
    if (!(error instanceof HostPolicyConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
}
