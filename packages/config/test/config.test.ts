import { describe, expect, it } from "vitest";
import { bridgeEnv, ConfigError, coreEnv, databricksEnv, encryptionKeyEnv, parseEnv } from "@langguard/config";

const shape = { ...coreEnv, ...bridgeEnv, ...databricksEnv, ...encryptionKeyEnv };
const key = "ab".repeat(32);

function problems(env: Record<string, string>): string[] {
  try {
    parseEnv(shape, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected the configuration to be rejected");
}

describe("configuration", () => {
  it("applies the spec's defaults", () => {
    const env = parseEnv(shape, { ENCRYPTION_KEY: key });
    expect(env).toMatchObject({
      PYTHON_PATH: ".venv/bin/python",
      DATABRICKS_PYTHON_TIMEOUT: 180_000,
      DATABRICKS_VALIDATION_TIMEOUT: 15_000,
      LOG_LEVEL: "info",
      DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/langguard",
      REDIS_URL: "redis://127.0.0.1:6379",
    });
    expect(env.DATABRICKS_HOST).toBeUndefined();
  });

  it("reads the spec's variables", () => {
    const env = parseEnv(shape, {
      ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
      DATABRICKS_HOST: "https://dbc-123.cloud.databricks.com",
      DATABRICKS_API_KEY: "dapi-x",
      DATABRICKS_WAREHOUSE_ID: "abc123",
      DATABRICKS_PYTHON_TIMEOUT: "300000",
      LOG_LEVEL: "debug",
    });
    expect(env).toMatchObject({ DATABRICKS_PYTHON_TIMEOUT: 300_000, DATABRICKS_WAREHOUSE_ID: "abc123", LOG_LEVEL: "debug" });
  });

  it("names the variable and what is expected for each bad value", () => {
    const found = problems({
      ENCRYPTION_KEY: key,
      DATABRICKS_PYTHON_TIMEOUT: "soon",
      LOG_LEVEL: "loud",
      DATABRICKS_HOST: "dbc-123.cloud.databricks.com",
      REDIS_URL: "localhost:6379",
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^DATABRICKS_PYTHON_TIMEOUT: expected a whole number of milliseconds \(got "soon"\)/),
        expect.stringMatching(/^LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent/),
        expect.stringMatching(/^DATABRICKS_HOST: expected the workspace URL including https:\/\//),
        expect.stringMatching(/^REDIS_URL: expected a redis:\/\//),
      ]),
    );
    expect(found).toHaveLength(4);
  });

  it("takes a Redis Cluster in REDIS_URL and a queue prefix with one hash tag", () => {
    const env = parseEnv(shape, { ENCRYPTION_KEY: key, REDIS_URL: "rediss+cluster://:pw@10.0.0.1:7000,10.0.0.2:7000", QUEUE_PREFIX: "{langguard}" });
    expect(env).toMatchObject({ REDIS_URL: "rediss+cluster://:pw@10.0.0.1:7000,10.0.0.2:7000", QUEUE_PREFIX: "{langguard}" });
    expect(parseEnv(shape, { ENCRYPTION_KEY: key, QUEUE_PREFIX: "prod-{langguard}" }).QUEUE_PREFIX).toBe("prod-{langguard}");
    for (const QUEUE_PREFIX of ["{a}{b}", "{}", "lang}guard", "lang guard", ""]) {
      expect(problems({ ENCRYPTION_KEY: key, QUEUE_PREFIX }), QUEUE_PREFIX).toEqual([expect.stringMatching(/^QUEUE_PREFIX: expected letters, digits/)]);
    }
    expect(problems({ ENCRYPTION_KEY: key, REDIS_URL: "cluster://h1:7000" })).toEqual([expect.stringMatching(/^REDIS_URL: .*redis\+cluster:\/\//)]);
  });

  it("requires ENCRYPTION_KEY of 32 bytes and never prints the value it got", () => {
    expect(problems({})).toEqual([expect.stringMatching(/^ENCRYPTION_KEY: is required.*\(got not set\)$/)]);
    const [problem] = problems({ ENCRYPTION_KEY: "short-secret-value" });
    expect(problem).toMatch(/^ENCRYPTION_KEY: expected 32 bytes/);
    expect(problem).not.toContain("short-secret-value");
  });

  it("stops a service with the message when loaded through its env module", async () => {
    const { execa } = await import("execa");
    const result = await execa("pnpm", ["-s", "exec", "tsx", "services/trace-sync/src/main.ts"], {
      reject: false,
      env: { ENCRYPTION_KEY: key, TRACE_SYNC_BATCH_SIZE: "0", DATABRICKS_PYTHON_TIMEOUT: "-5" },
      timeout: 60_000,
    });
    expect(result.exitCode).toBe(78);
    expect(result.stderr).toContain("TRACE_SYNC_BATCH_SIZE: expected a positive whole number of traces");
    expect(result.stderr).toContain("DATABRICKS_PYTHON_TIMEOUT: expected a positive number of milliseconds");
  });
});
