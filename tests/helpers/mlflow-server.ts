import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { PYTHON_TELEMETRY_OFF } from "@langguard/bridge-client";
import { MLFLOW_PYTHON, repoRoot } from "./test-env.ts";

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
  /** Its folder (store, artifacts, log); kept by kill(), removed by stop(). */
  dir: string;
  port: number;
  pid: number;
  /** With `basicAuth`: the admin MLflow created, who may do everything. */
  admin: { username: string; password: string } | null;
  /** SIGKILL, as a crash would: the data stays, so a server started on the same dir and port resumes it. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export interface MlflowServerOptions {
  startTimeoutMs?: number;
  /** Reuse a killed server's folder and port. */
  dir?: string;
  port?: number;
  /**
   * MLflow's own authentication (`mlflow server --app-name basic-auth`, the `mlflow[auth]` extra):
   * every request needs HTTP Basic credentials; the admin is created with a fresh password.
   */
  basicAuth?: boolean;
}

/**
 * A real MLflow tracking server on a sqlite file in a folder of its own, in memory-backed
 * /dev/shm where there is one so figures measure MLflow rather than this machine's disk.
 */
export async function startMlflowServer(options: number | MlflowServerOptions = {}): Promise<MlflowServer> {
  const { startTimeoutMs = 180_000, ...reuse } = typeof options === "number" ? { startTimeoutMs: options } : options;
  const dir = reuse.dir ?? mkdtempSync(path.join(existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir(), "langguard-mlflow-"));
  const port = reuse.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const storeUri = `sqlite:///${dir}/mlflow.db`;
  const logPath = path.join(dir, "server.log");
  let admin: MlflowServer["admin"] = null;
  const authEnv: Record<string, string> = {};
  if (reuse.basicAuth) {
    admin = { username: "admin", password: `pw-${randomBytes(12).toString("hex")}` };
    // Its own user store in the server's folder (the packaged ini would put one in the cwd).
    const ini = path.join(dir, "basic_auth.ini");
    writeFileSync(
      ini,
      [
        "[mlflow]",
        "default_permission = READ",
        `database_uri = sqlite:///${dir}/basic_auth.db`,
        `admin_username = ${admin.username}`,
        `admin_password = ${admin.password}`,
        "authorization_function = mlflow.server.auth:authenticate_request_basic_auth",
        "",
      ].join("\n"),
    );
    authEnv.MLFLOW_AUTH_CONFIG_PATH = ini;
    // The auth app's CSRF protection refuses to start without a static key.
    authEnv.MLFLOW_FLASK_SERVER_SECRET_KEY = randomBytes(16).toString("hex");
  }
  const log = openSync(logPath, "a");
  const child: ChildProcess = spawn(
    MLFLOW_PYTHON,
    [
      "-m",
      "mlflow",
      "server",
      "--backend-store-uri",
      storeUri,
      "--artifacts-destination",
      `${dir}/artifacts`,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--workers",
      "1",
      ...(reuse.basicAuth ? ["--app-name", "basic-auth"] : []),
    ],
    {
      stdio: ["ignore", log, log],
      // Its own process group, so stopping it also stops the uvicorn child it starts.
      detached: true,
      // The background job runner (several processes, ~1.7 GB) serves features we never use.
      env: { ...process.env, ...PYTHON_TELEMETRY_OFF, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: "false", ...authEnv },
    },
  );
  closeSync(log);
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
    await exited;
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      const signal = (name: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, name);
        } catch {
          // already gone
        }
      };
      signal("SIGTERM");
      const killer = setTimeout(() => signal("SIGKILL"), 5_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // still starting
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      const tail = readFileSync(logPath, "utf8").slice(-3000);
      await stop();
      throw new Error(`MLflow server did not start:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { url, storeUri, dir, port, pid: child.pid!, admin, kill, stop };
}

export interface SeedResult {
  experimentId: string;
  traces: number;
  seeded: boolean;
}

/** Writes traces through the real MLflow SDK (demo/seed_mlflow.py). */
export async function seed(
  url: string,
  experiment: string,
  options: { scenario?: "demo" | "bulk"; count?: number; force?: boolean } = {},
): Promise<SeedResult> {
  const args = ["--tracking-uri", url, "--experiment", experiment, "--scenario", options.scenario ?? "demo"];
  if (options.count) args.push("--count", String(options.count));
  if (options.force) args.push("--force");
  return runPythonScript<SeedResult>(path.join(repoRoot, "demo/seed_mlflow.py"), args);
}

/** Runs a snippet of Python against the server with the real SDK; returns its last stdout line as JSON. */
export async function runPython<T>(url: string, code: string): Promise<T> {
  const { stdout } = await execa(MLFLOW_PYTHON, ["-c", code], {
    env: { ...PYTHON_TELEMETRY_OFF, MLFLOW_TRACKING_URI: url, MLFLOW_ENABLE_ASYNC_TRACE_LOGGING: "false" },
  });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as T;
}

/** Runs a Python script with the MLflow workspace's interpreter to completion; parses its last stdout line as JSON. */
export async function runPythonScript<T>(script: string, args: string[]): Promise<T> {
  const result = await execa(MLFLOW_PYTHON, [script, ...args], { env: { ...PYTHON_TELEMETRY_OFF, MLFLOW_ENABLE_ASYNC_TRACE_LOGGING: "false" }, reject: false });
  if (result.exitCode !== 0) throw new Error(`${path.basename(script)} exited with ${result.exitCode}:\n${result.stderr.slice(-3000)}`);
  const last = result.stdout.trim().split("\n").at(-1);
  if (!last) throw new Error(`${path.basename(script)} printed nothing`);
  return JSON.parse(last) as T;
}

/** Runs a Python fixture from tests/fixtures. */
export function runFixture<T>(script: string, args: string[]): Promise<T> {
  return runPythonScript<T>(path.join(repoRoot, "tests/fixtures", script), args);
}

export interface WrittenTraces {
  experimentId: string;
  traceIds: string[];
}

/** Traces with chosen timestamps, through MlflowClient.start_trace / end_trace. */
export function writeTraces(
  url: string,
  experiment: string,
  traces: Array<{ name: string; timestampMs: number; agent?: string; inputBytes?: number; durationMs?: number }>,
) {
  return runFixture<WrittenTraces>("write_traces.py", [url, experiment, JSON.stringify(traces)]);
}
