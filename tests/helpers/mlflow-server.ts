import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { PYTHON_PATH, repoRoot } from "./test-env.ts";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface MlflowServer {
  url: string;
  /** The server's own sqlite store, for writers that bypass HTTP. */
  storeUri: string;
  stop(): Promise<void>;
}

/** A real MLflow tracking server on a sqlite file in a temporary folder. */
export async function startMlflowServer(): Promise<MlflowServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "langguard-mlflow-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    PYTHON_PATH,
    ["-m", "mlflow", "server", "--backend-store-uri", `sqlite:///${dir}/mlflow.db`, "--artifacts-destination", `${dir}/artifacts`, "--host", "127.0.0.1", "--port", String(port), "--workers", "1"],
    // The server's background job runner (several processes, ~1.7 GB) serves features we never use.
    { stdio: ["ignore", "ignore", "pipe"], detached: true, env: { ...process.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: "false" } },
  );
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // starting
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`MLflow server did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    storeUri: `sqlite:///${dir}/mlflow.db`,
    async stop() {
      const exited = child.exitCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once("exit", () => resolve()));
      const signal = (name: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, name);
        } catch {
          // gone
        }
      };
      signal("SIGTERM");
      const killer = setTimeout(() => signal("SIGKILL"), 5_000);
      await exited;
      clearTimeout(killer);
      child.stderr?.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface SeedResult {
  experimentId: string;
  traces: number;
  seeded: boolean;
}

/** Writes traces through the real MLflow SDK (demo/seed_mlflow.py). */
export async function seed(url: string, experiment: string, options: { scenario?: "demo" | "bulk"; count?: number; force?: boolean } = {}): Promise<SeedResult> {
  const args = [path.join(repoRoot, "demo/seed_mlflow.py"), "--tracking-uri", url, "--experiment", experiment, "--scenario", options.scenario ?? "demo"];
  if (options.count) args.push("--count", String(options.count));
  if (options.force) args.push("--force");
  const { stdout } = await execa(PYTHON_PATH, args);
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as SeedResult;
}

/** Runs a snippet of Python against the server with the real SDK; returns its last stdout line as JSON. */
export async function runPython<T>(url: string, code: string): Promise<T> {
  const { stdout } = await execa(PYTHON_PATH, ["-c", code], { env: { MLFLOW_TRACKING_URI: url, MLFLOW_ENABLE_ASYNC_TRACE_LOGGING: "false" } });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as T;
}

/** Runs a Python fixture from tests/fixtures with the project's interpreter; parses its last line. */
export async function runFixture<T>(script: string, args: string[]): Promise<T> {
  const { stdout } = await execa(PYTHON_PATH, [path.join(repoRoot, "tests/fixtures", script), ...args], { env: { MLFLOW_ENABLE_ASYNC_TRACE_LOGGING: "false" } });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as T;
}

export interface WrittenTraces {
  experimentId: string;
  traceIds: string[];
}

/** Traces with chosen timestamps, through MlflowClient.start_trace / end_trace. */
export function writeTraces(url: string, experiment: string, traces: Array<{ name: string; timestampMs: number; agent?: string; inputBytes?: number }>) {
  return runFixture<WrittenTraces>("write_traces.py", [url, experiment, JSON.stringify(traces)]);
}
