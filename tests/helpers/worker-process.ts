import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { freePort } from "./mlflow-server.ts";
import { LOCAL_SOURCES_ENV, PYTHON_PATH, REDIS_URL, repoRoot, TEST_DATABASE_URL, TEST_ENCRYPTION_KEY } from "./test-env.ts";

/** The worker services `scripts/build.mjs` compiles to `dist/<service>.mjs`. */
export type WorkerService = "trace-sync" | "policy-evaluation" | "catalog-sync";
/** Every service the image runs, the gateway included. */
export type Service = WorkerService | "gateway";

export interface SpawnWorkerOptions {
  /** Settings over the test defaults. */
  env?: Record<string, string>;
  databaseUrl?: string;
  /** Where its stdout and stderr go: a file appended to, or an open descriptor (2: this process's stderr). Discarded without one. */
  log?: string | number;
}

/**
 * A real worker process started as compose starts it (`node dist/<service>.mjs`), on a test's
 * queue prefix, in a process group of its own so that it and its bridge can be killed together.
 * It inherits nothing from this process but PATH and HOME, as a container would.
 */
export function spawnWorker(service: Service, prefix: string, options: SpawnWorkerOptions = {}): ChildProcess {
  const log = typeof options.log === "string" ? openSync(options.log, "a") : options.log;
  try {
    return spawn(process.execPath, [`dist/${service}.mjs`], {
      cwd: repoRoot,
      detached: true,
      stdio: log === undefined ? "ignore" : ["ignore", log, log],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATABASE_URL: options.databaseUrl ?? TEST_DATABASE_URL,
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        PYTHON_PATH,
        METRICS_PORT: "0",
        LOG_LEVEL: "warn",
        ...LOCAL_SOURCES_ENV,
        ...options.env,
      },
    });
  } finally {
    if (typeof options.log === "string" && log !== undefined) closeSync(log);
  }
}

/** A real trace-sync process; see spawnWorker. */
export function spawnTraceSyncWorker(prefix: string, env: Record<string, string> = {}): ChildProcess {
  return spawnWorker("trace-sync", prefix, { env });
}

/** SIGKILL to the worker's whole process group; a group already gone is fine. */
export function killWorkerGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // already gone
  }
}

export interface ReadyService {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The API's port (the gateway's). */
  port: number;
  /** Its ops listener: /metrics, /livez, /readyz. */
  opsPort: number;
}

/** `node dist/<service>.mjs` as compose runs it, on free ports, once its /readyz answers (Postgres and Redis reachable). */
export async function startReadyService(service: Service, prefix: string, options: SpawnWorkerOptions = {}): Promise<ReadyService> {
  const [port, opsPort] = [await freePort(), await freePort()];
  const child = spawnWorker(service, prefix, {
    log: 2,
    ...options,
    env: { PORT: String(port), OPS_PORT: String(opsPort), METRICS_PORT: String(opsPort), HOST: "127.0.0.1", ...options.env },
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${service} exited with ${child.exitCode} before it was ready`);
    const ready = await fetch(`http://127.0.0.1:${opsPort}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`${service} was not ready in 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, exited, port, opsPort };
}
