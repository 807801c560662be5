import type { ChildProcess } from "node:child_process";
import { freePort } from "./mlflow-server.ts";
import { metricValue } from "./prometheus.ts";
import { spawnWorker, type SpawnWorkerOptions, type WorkerService } from "./worker-process.ts";

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A started worker process with its ops listener: what an operator sees of one replica. */
export interface RunningWorker {
  service: WorkerService;
  child: ChildProcess;
  metricsPort: number;
  exited: Promise<Exit>;
  /** Its /metrics page. */
  metrics(): Promise<string>;
  /** langguard_jobs_total of one queue and outcome, as this process counts them. */
  jobs(queue: string, outcome: string): Promise<number>;
  /** What `docker compose stop` does: SIGTERM to node alone (tini forwards it), then the exit. */
  stop(): Promise<Exit>;
}

/**
 * Spawns `node dist/<service>.mjs` with /metrics on a port of its own and waits until /readyz
 * answers (its Postgres and Redis connections work), or fails with how the process ended.
 */
export async function startWorker(
  service: WorkerService,
  prefix: string,
  options: SpawnWorkerOptions & { readyTimeoutMs?: number } = {},
): Promise<RunningWorker> {
  const metricsPort = await freePort();
  const child = spawnWorker(service, prefix, { ...options, env: { ...options.env, METRICS_PORT: String(metricsPort) } });
  const exited = new Promise<Exit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const base = `http://127.0.0.1:${metricsPort}`;
  const metrics = async () => {
    const res = await fetch(`${base}/metrics`);
    if (!res.ok) throw new Error(`${service} /metrics answered ${res.status}`);
    return res.text();
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const { code, signal } = await exited;
      throw new Error(`${service} exited before it was ready (code ${code}, signal ${signal})${typeof options.log === "string" ? `; see ${options.log}` : ""}`);
    }
    const ready = await fetch(`${base}/readyz`).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${service} was not ready within ${options.readyTimeoutMs ?? 60_000} ms`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    service,
    child,
    metricsPort,
    exited,
    metrics,
    jobs: async (queue, outcome) => metricValue(await metrics(), "langguard_jobs_total", { queue, outcome }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}
