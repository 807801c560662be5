import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
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
