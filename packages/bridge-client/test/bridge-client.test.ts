import { createServer, type Server } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BridgeClient, BridgeError } from "@langguard/bridge-client";
import { PYTHON_PATH } from "../../../tests/helpers/test-env.ts";

const fixture = (name: string) => path.join(import.meta.dirname, "fixtures", name);
const source = { kind: "mlflow" as const, host: "http://127.0.0.1:1" };

function client(script?: string, timeoutMs = 5_000, extra: Partial<ConstructorParameters<typeof BridgeClient>[0]> = {}) {
  return new BridgeClient({ pythonPath: PYTHON_PATH, timeoutMs, validationTimeoutMs: timeoutMs, scriptPath: script ? fixture(script) : undefined, ...extra });
}

async function failure(promise: Promise<unknown>): Promise<BridgeError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
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

  it("turns a non-zero exit into a crash carrying the child's last words", async () => {
    const error = await failure(client("exit-nonzero.py").request("check", {}, source));
    expect(error.kind).toBe("crashed");
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain("exited with code 3");
    expect(error.message).toContain("segfault-ish failure");
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
    const error = await failure(bare.check(source));
    expect(error.kind).toBe("sdk_missing");
    expect(error.message).toContain("MLflow SDK not available");
  });

  it("passes credentials through the environment only, and no unrelated secrets", async () => {
    process.env.DATABASE_URL = "postgresql://leak@127.0.0.1/db";
    process.env.ENCRYPTION_KEY = "do-not-inherit";
    const { result } = await client("env-report.py").request("check", { experiment: "1" }, { kind: "databricks", host: "https://dbc-1.cloud.databricks.com", token: "dapi-canary-in-env" });
    const data = result.data as { env: Record<string, string>; argv: string[]; params: object };
    expect(data.env.DATABRICKS_TOKEN).toBe("dapi-canary-in-env");
    expect(data.env.DATABRICKS_HOST).toBe("https://dbc-1.cloud.databricks.com");
    expect(data.env).not.toHaveProperty("DATABASE_URL");
    expect(data.env).not.toHaveProperty("ENCRYPTION_KEY");
    expect(data.argv.join(" ")).not.toContain("dapi-canary-in-env");
    expect(data.params).toEqual({ experiment: "1" });
  });
});

describe("the real bridge", () => {
  it("checks Python, MLflow and the connection against a real tracking server", async () => {
    const details = await client(undefined, 30_000).check({ kind: "mlflow", host: inject("mlflowUrl") });
    expect(details).toMatchObject({ protocol: 1, source: "mlflow", experimentsVisible: true });
    expect(String(details.mlflow).split(".")[0]).toBe("3");
  });

  it("reports an unreachable host as unavailable, with what to check", async () => {
    const error = await failure(client(undefined, 30_000).check({ kind: "mlflow", host: "http://127.0.0.1:9" }));
    expect(error.kind).toBe("unavailable");
    expect(error.userMessage).toContain("Check the host URL");
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

    it("says 401 Unauthorized and how to fix it, without echoing the token", async () => {
      const error = await failure(client(undefined, 30_000).check({ kind: "databricks", host, token: "dapi-rejected-canary" }));
      expect(error.kind).toBe("auth");
      expect(error.message).toContain("401 Unauthorized");
      expect(error.userMessage).toMatch(/token/i);
      expect(`${error.message} ${error.stderrTail ?? ""}`).not.toContain("dapi-rejected-canary");
    });
  });
});
