/**
 * MLflow 3's usage telemetry is off in every Python process the product starts: the bridge's
 * environment carries the switch, cold or warm, and the bridge package sets it itself before
 * MLflow is imported, whatever environment it was given.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { BridgeClient, PYTHON_TELEMETRY_OFF } from "@langguard/bridge-client";
import { hostPolicyFromEnv, serializeHostPolicy } from "@langguard/host-policy";
import { forkServerOf } from "../../../tests/helpers/process-group.ts";
import { LOCAL_SOURCES_ENV, PYTHON_PATH, repoRoot } from "../../../tests/helpers/test-env.ts";

const SWITCH = { MLFLOW_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "true" };

/** The environment a running process was started with. */
function environOf(pid: number): Record<string, string> {
  return Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, "utf8")
      .split("\0")
      .filter(Boolean)
      .map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]),
  );
}

describe("MLflow telemetry", () => {
  it("is switched off in the environment of a cold bridge", async () => {
    const client = new BridgeClient({
      pythonPath: PYTHON_PATH,
      timeoutMs: 10_000,
      validationTimeoutMs: 10_000,
      scriptPath: path.join(import.meta.dirname, "fixtures", "env-report.py"),
    });
    const { result } = await client.request("check", {}, { kind: "mlflow", host: "http://127.0.0.1:1" });
    expect((result.data as { env: Record<string, string> }).env).toMatchObject(SWITCH);
    expect(PYTHON_TELEMETRY_OFF).toEqual(SWITCH);
  });

  it("is switched off in the environment of the warm bridge that every job is forked from", async () => {
    const client = new BridgeClient({
      pythonPath: PYTHON_PATH,
      timeoutMs: 60_000,
      validationTimeoutMs: 60_000,
      hostPolicy: serializeHostPolicy(hostPolicyFromEnv(LOCAL_SOURCES_ENV)),
      warm: true,
    });
    try {
      client.warmUp();
      let server: number | undefined;
      for (let i = 0; i < 200 && server === undefined; i += 1) {
        server = forkServerOf(process.pid);
        if (server === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(server).toBeDefined();
      expect(environOf(server!)).toMatchObject(SWITCH);
    } finally {
      await client.close();
    }
  });

  it("is switched off by the bridge package itself, even when its process was given no switch", async () => {
    const code = "import langguard_bridge; from mlflow.telemetry.utils import is_telemetry_disabled; print(is_telemetry_disabled())";
    const { stdout } = await execa(PYTHON_PATH, ["-c", code], {
      cwd: path.join(repoRoot, "python-bridge"),
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp" },
      extendEnv: false,
    });
    expect(stdout.trim()).toBe("True");
  });
});
