import { spawn, type ChildProcess } from "node:child_process";
import { LOCAL_SOURCES_ENV, PYTHON_PATH, REDIS_URL, repoRoot, TEST_DATABASE_URL, TEST_ENCRYPTION_KEY } from "./test-env.ts";

/**
 * A real trace-sync process started as compose starts it (`node dist/trace-sync.mjs`), on a test's
 * queue prefix, in a process group of its own so that it and its bridge can be killed together.
 */
export function spawnTraceSyncWorker(prefix: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ["dist/trace-sync.mjs"], {
    cwd: repoRoot,
    detached: true,
    stdio: "ignore",
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: TEST_DATABASE_URL,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      PYTHON_PATH,
      METRICS_PORT: "0",
      LOG_LEVEL: "warn",
      ...LOCAL_SOURCES_ENV,
      ...env,
    },
  });
}

/** SIGKILL to the worker's whole process group; a group already gone is fine. */
export function killWorkerGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // already gone
  }
}
