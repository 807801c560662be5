import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { PYTHON_PATH } from "./python.ts";

export interface MlflowServer {
  url: string;
  /** The server's own sqlite store, for the seeder that bypasses HTTP. */
  storeUri: string;
  pid: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A real MLflow tracking server on sqlite. The store sits in /dev/shm when there is one, so the
 * figures measure MLflow and the sync rather than this machine's disk.
 */
export async function startMlflowServer(startTimeoutMs = 180_000): Promise<MlflowServer> {
  const base = existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir();
  const dir = mkdtempSync(path.join(base, "langguard-bench-mlflow-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const storeUri = `sqlite:///${dir}/mlflow.db`;
  const logPath = path.join(dir, "server.log");
  const log = openSync(logPath, "a");
  const child = spawn(
    PYTHON_PATH,
    ["-m", "mlflow", "server", "--backend-store-uri", storeUri, "--artifacts-destination", `${dir}/artifacts`, "--host", "127.0.0.1", "--port", String(port), "--workers", "1"],
    {
      stdio: ["ignore", log, log],
      // Its own process group, so stopping it also stops the uvicorn child it starts.
      detached: true,
      // The server's background job runner starts several ~240 MB processes the benchmark never
      // uses; on a small machine they would compete with what is being measured.
      env: { ...process.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: "false" },
    },
  );
  closeSync(log);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // already gone
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
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
  return { url, storeUri, pid: child.pid!, stop };
}
