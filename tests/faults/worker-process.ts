import { spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync } from "node:fs";
import path from "node:path";
import { LOCAL_SOURCES_ENV, PYTHON_PATH, REDIS_URL, repoRoot, TEST_ENCRYPTION_KEY } from "../helpers/test-env.ts";

export interface WorkerProcessOptions {
  databaseUrl: string;
  redisUrl?: string;
  prefix: string;
  env?: Record<string, string>;
  /** Where its output goes (appended), for a post-mortem. */
  logFile: string;
}

/**
 * A trace-sync worker started exactly as docker-compose starts it (`node dist/trace-sync.mjs`),
 * in a process group of its own so a SIGKILL of the group takes its Python bridge with it.
 */
export class WorkerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(options: WorkerProcessOptions) {
    const log = openSync(options.logFile, "a");
    this.child = spawn(process.execPath, [path.join(repoRoot, "dist/trace-sync.mjs")], {
      cwd: repoRoot,
      detached: true,
      stdio: ["ignore", log, log],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATABASE_URL: options.databaseUrl,
        REDIS_URL: options.redisUrl ?? REDIS_URL,
        QUEUE_PREFIX: options.prefix,
        ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        PYTHON_PATH,
        SYNC_LOCK_DURATION_MS: "3000",
        METRICS_PORT: "0",
        LOG_LEVEL: "info",
        ...LOCAL_SOURCES_ENV,
        ...options.env,
      },
    });
    closeSync(log);
    this.exited = new Promise((resolve) => this.child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** A crash: the whole process group at once, no chance to clean up. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    try {
      process.kill(-this.child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
    await this.exited;
  }

  /** What compose does on `docker compose stop`: SIGTERM to the service's process (tini forwards it to node). */
  async terminate(): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const started = Date.now();
    this.child.kill("SIGTERM");
    const result = await this.exited;
    return { ...result, ms: Date.now() - started };
  }
}
