import { z } from "zod";

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
  REDIS_URL: z
    .string()
    .default("redis://127.0.0.1:6379")
    .refine((v) => /^rediss?:\/\//.test(v), "expected a redis:// or rediss:// URL"),
  /** Namespaces every BullMQ key, so fleets (and test runs) can share one Redis. */
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, "expected letters, digits, - or _").default("langguard"),
};

/** AES-256 key: 32 bytes, given as 64 hex characters or base64. */
export const encryptionKeyEnv = {
  ENCRYPTION_KEY: z
    .string({ error: "is required: 32 random bytes as 64 hex characters or base64 (e.g. `openssl rand -hex 32`)" })
    .refine((v) => decodeKeyLength(v) === 32, "expected 32 bytes as 64 hex characters or base64 (e.g. `openssl rand -hex 32`)"),
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
