import path from "node:path";
import { PYTHON_TELEMETRY_OFF } from "@langguard/bridge-client";
import { execa } from "execa";
import { expect } from "vitest";
import type { FakeWorkspace } from "./databricks/index.ts";
import { PYTHON_PATH, repoRoot } from "./test-env.ts";

// biome-ignore lint/suspicious/noExplicitAny: the bridge's JSON lines are read loosely, as a client would.
export type Json = Record<string, any>;

const BRIDGE = path.join(repoRoot, "python-bridge/bridge.py");
const HOST_POLICY = JSON.stringify({
  v: 1,
  allowedDomains: [],
  extraHosts: ["127.0.0.1"],
  allowedNetworks: ["127.0.0.0/8"],
  allowHttp: true,
  allowedPorts: [0],
});

export interface Run {
  messages: Json[];
  records: Json[];
  errors: Json[];
  checkpoints: Map<string, Json>;
  result: Json | undefined;
  exitCode: number | undefined;
  stderr: string;
  ms: number;
}

/** Runs `bridge.py stream-catalog` against a fake workspace, as the Node side does: params on stdin, credentials in env. */
export async function streamCatalog(ws: FakeWorkspace, params: Json, token = ws.token): Promise<Run> {
  const started = Date.now();
  const child = await execa(PYTHON_PATH, [BRIDGE, "stream-catalog"], {
    input: JSON.stringify(params),
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      PYTHONUNBUFFERED: "1",
      // A developer's ~/.databrickscfg must not leak into the run.
      DATABRICKS_CONFIG_FILE: "/nonexistent",
      ...PYTHON_TELEMETRY_OFF,
      LANGGUARD_SOURCE: "databricks",
      DATABRICKS_HOST: ws.url,
      DATABRICKS_TOKEN: token,
      DATABRICKS_AUTH_TYPE: "pat",
      LANGGUARD_HOST_POLICY: HOST_POLICY,
    },
    extendEnv: false,
    reject: false,
    timeout: 55_000,
  });
  const ms = Date.now() - started;
  const messages = child.stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Json);
  const checkpoints = new Map<string, Json>();
  for (const m of messages.filter((m) => m.type === "checkpoint")) {
    expect(checkpoints.has(m.container), `one checkpoint per container (${m.container})`).toBe(false);
    checkpoints.set(m.container, m);
  }
  return {
    messages,
    records: messages.filter((m) => m.type === "record").map((m) => m.data),
    errors: messages.filter((m) => m.type === "error"),
    checkpoints,
    result: messages.find((m) => m.type === "result")?.data,
    exitCode: child.exitCode,
    stderr: child.stderr,
    ms,
  };
}
