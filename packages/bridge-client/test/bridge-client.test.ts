import { createServer, type Server } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BridgeClient, BridgeError } from "@langguard/bridge-client";
import { defaultHostPolicy, hostPolicyFromEnv, serializeHostPolicy } from "@langguard/host-policy";
import { LOCAL_SOURCES_ENV, PYTHON_PATH } from "../../../tests/helpers/test-env.ts";

/** The operator allowance every test against a local server needs. */
const local = { hostPolicy: serializeHostPolicy(hostPolicyFromEnv(LOCAL_SOURCES_ENV)) };

const fixture = (name: string) => path.join(import.meta.dirname, "fixtures", name);
const source = { kind: "mlflow" as const, host: "http://127.0.0.1:1" };

function client(script?: string, timeoutMs = 5_000, extra: Partial<ConstructorParameters<typeof BridgeClient>[0]> = {}) {
  return new BridgeClient({ pythonPath: PYTHON_PATH, timeoutMs, validationTimeoutMs: timeoutMs, scriptPath: script ? fixture(script) : undefined, ...extra });
}

async function failure(promise: Promise<unknown>): Promise<BridgeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BridgeError);
  return error as BridgeError;
}

describe("bridge client failure modes", () => {
  it("turns garbage on stdout into a protocol error", async () => {
    const error = await failure(client("garbage.py").request("check", {}, source));
    expect(error.kind).toBe("protocol");
    expect(error.message).toContain("not a protocol message");
    expect(error.message).toContain("this is not JSON");
  });

  it("turns a non-zero exit into a crash; the child's words go only to the debug log", async () => {
    const logged: string[] = [];
    const logger = { debug: (o: object) => logged.push(JSON.stringify(o)), info() {}, warn() {}, error() {} };
    const error = await failure(client("exit-nonzero.py", 5_000, { logger }).request("check", {}, source));
    expect(error.kind).toBe("crashed");
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain("exited with code 3");
    expect(error.message).not.toContain("segfault-ish failure");
    expect(logged.join("\n")).toContain("segfault-ish failure");
  });

  it("scrubs a token from stderr even when it arrives split across chunks", async () => {
    const token = "dapi-split-canary-0123456789abcdef";
    const logged: string[] = [];
    const logger = { debug: (o: object) => logged.push(JSON.stringify(o)), info() {}, warn() {}, error() {} };
    const error = await failure(
      client("split-token.py", 5_000, { logger }).request("check", {}, { kind: "databricks", host: "https://dbc-1.cloud.databricks.com", token }),
    );
    expect(error.kind).toBe("crashed");
    const text = logged.join("\n");
    expect(text).toContain("request headers: Authorization: Bearer [redacted]");
    expect(text).toContain("and a line without end [redacted]");
    for (let cut = 6; cut < token.length; cut += 1) expect(text).not.toContain(token.slice(0, cut));
    expect(JSON.stringify(error)).not.toContain(token.slice(0, 10));
  });

  it("kills a child that hangs past the timeout and says which setting to raise", async () => {
    const started = Date.now();
    const error = await failure(client("hang.py", 1_500).request("stream-traces", {}, source));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error.kind).toBe("timeout");
    expect(error.message).toContain("DATABRICKS_PYTHON_TIMEOUT exceeded");
    expect(error.userMessage).toContain("Increase DATABRICKS_PYTHON_TIMEOUT");
  });

  it("treats the timeout of a stream as the longest silence, not the total time", async () => {
    const messages: string[] = [];
    for await (const m of client("slow-stream.py", 1_000).stream("stream-traces", {}, source)) messages.push(m.type);
    expect(messages).toEqual(["checkpoint", "checkpoint", "checkpoint", "checkpoint", "result"]);
  });

  it("bounds the size of one line", async () => {
    const error = await failure(client("long-line.py", 5_000, { maxLineBytes: 10_000 }).request("check", {}, source));
    expect(error.kind).toBe("protocol");
    expect(error.message).toContain("longer than 10000 bytes");
  });

  it("reports a missing interpreter as the spec's 'MLflow SDK not available'", async () => {
    const missing = new BridgeClient({ pythonPath: "/nonexistent/python", timeoutMs: 1_000, validationTimeoutMs: 1_000 });
    const error = await failure(missing.check(source));
    expect(error.kind).toBe("sdk_missing");
    expect(error.message).toContain("MLflow SDK not available");
  });

  it("reports an interpreter without MLflow as 'MLflow SDK not available'", async () => {
    const bare = new BridgeClient({ pythonPath: "/usr/bin/python3", timeoutMs: 30_000, validationTimeoutMs: 30_000 });
    const { steps } = await bare.check(source);
    expect(steps.find((s) => s.step === "python")?.status).toBe("ok");
    expect(steps.find((s) => s.step === "mlflow")).toMatchObject({
      status: "failed",
      kind: "sdk_missing",
      message: expect.stringContaining("MLflow SDK not available"),
    });
  });

  it("passes credentials through the environment only, and no unrelated secrets", async () => {
    process.env.DATABASE_URL = "postgresql://leak@127.0.0.1/db";
    process.env.ENCRYPTION_KEY = "do-not-inherit";
    const { result } = await client("env-report.py").request(
      "check",
      { experiment: "1" },
      { kind: "databricks", host: "https://dbc-1.cloud.databricks.com", token: "dapi-canary-in-env" },
    );
    const data = result.data as { env: Record<string, string>; argv: string[]; params: object };
    expect(data.env.DATABRICKS_TOKEN).toBe("dapi-canary-in-env");
    expect(data.env.DATABRICKS_HOST).toBe("https://dbc-1.cloud.databricks.com");
    expect(data.env).not.toHaveProperty("DATABASE_URL");
    expect(data.env).not.toHaveProperty("ENCRYPTION_KEY");
    expect(data.argv.join(" ")).not.toContain("dapi-canary-in-env");
    expect(data.params).toEqual({ experiment: "1" });
  });

  it("gives a Databricks job the method's variables and the integration's warehouse, for traces stored in Unity Catalog", async () => {
    const { result } = await client("env-report.py").request(
      "check",
      {},
      {
        kind: "databricks",
        host: "https://dbc-1.cloud.databricks.com",
        token: "dose-canary-secret",
        auth: { type: "oauth-m2m", clientId: "sp-1" },
        warehouseId: "wh-7",
      },
    );
    const env = (result.data as { env: Record<string, string> }).env;
    expect(env).toMatchObject({
      DATABRICKS_AUTH_TYPE: "oauth-m2m",
      DATABRICKS_CLIENT_ID: "sp-1",
      DATABRICKS_CLIENT_SECRET: "dose-canary-secret",
      MLFLOW_TRACING_SQL_WAREHOUSE_ID: "wh-7",
    });
    expect(env).not.toHaveProperty("DATABRICKS_TOKEN");
    const basic = await client("env-report.py").request(
      "check",
      {},
      { kind: "mlflow", host: "http://127.0.0.1:5000", token: "pw", auth: { type: "basic", username: "u" } },
    );
    expect((basic.result.data as { env: Record<string, string> }).env).toMatchObject({ MLFLOW_TRACKING_USERNAME: "u", MLFLOW_TRACKING_PASSWORD: "pw" });
    expect((basic.result.data as { env: Record<string, string> }).env).not.toHaveProperty("MLFLOW_TRACKING_TOKEN");
  });
});

describe("the real bridge", () => {
  it("checks Python, MLflow and the connection against a real tracking server, step by step", async () => {
    const { details, steps } = await client(undefined, 30_000, local).check({ kind: "mlflow", host: inject("mlflowUrl") });
    expect(details).toMatchObject({ protocol: 2, source: "mlflow" });
    expect(String(details.mlflow).split(".")[0]).toBe("3");
    expect(steps.map((s) => [s.step, s.status])).toEqual([
      ["python", "ok"],
      ["mlflow", "ok"],
      ["auth", "ok"],
      ["catalog", "skipped"],
      ["experiments", "ok"],
      ["traces", "ok"],
      ["warehouse", "skipped"],
    ]);
  });

  it("reports an unreachable host as a failed auth step: unavailable, with what to check", async () => {
    const { steps } = await client(undefined, 30_000, local).check({ kind: "mlflow", host: "http://127.0.0.1:9" });
    const auth = steps.find((s) => s.step === "auth")!;
    expect(auth).toMatchObject({ status: "failed", kind: "unavailable" });
    expect(auth.message).toContain("Cannot connect to 127.0.0.1");
    expect(steps.find((s) => s.step === "experiments")!.status).toBe("skipped");
  });

  it("refuses at connect time a host the policy does not allow, whatever it resolves to", async () => {
    // The name is allowed, the address it resolves to (loopback) is not: DNS rebinding.
    const policy = serializeHostPolicy({ ...defaultHostPolicy(), extraHosts: ["localhost"], allowHttp: true, allowedPorts: [0] });
    const { steps } = await client(undefined, 30_000, { hostPolicy: policy }).check({
      kind: "mlflow",
      host: inject("mlflowUrl").replace("127.0.0.1", "localhost"),
    });
    expect(steps.find((s) => s.step === "auth")).toMatchObject({
      status: "failed",
      kind: "blocked_host",
      message: expect.stringContaining("Connection to localhost refused"),
    });
  });

  describe("against a workspace that rejects the token", () => {
    let server: Server;
    let host: string;
    beforeAll(async () => {
      // Databricks' answer to a bad or expired PAT (REST API error contract).
      server = createServer((_req, res) => {
        res.writeHead(401, { "content-type": "application/json" });
        res.end(JSON.stringify({ error_code: "UNAUTHENTICATED", message: "Invalid access token." }));
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      host = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it("says 401 Unauthorized and how to fix it, without echoing the token or the server's body", async () => {
      const { steps } = await client(undefined, 30_000, local).check({ kind: "databricks", host, token: "dapi-rejected-canary" });
      const auth = steps.find((s) => s.step === "auth")!;
      expect(auth).toMatchObject({ status: "failed", kind: "auth" });
      expect(auth.message).toContain("401 Unauthorized");
      expect(auth.hint).toMatch(/token/i);
      expect(JSON.stringify(steps)).not.toContain("dapi-rejected-canary");
      expect(JSON.stringify(steps)).not.toContain("Invalid access token");
    });
  });
});
