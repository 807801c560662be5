import path from "node:path";
import { startLatencyProxy, type LatencyProxy } from "../../tests/helpers/latency-proxy.ts";
import { runPythonScript, startMlflowServer, type MlflowServer } from "../../tests/helpers/mlflow-server.ts";

/** One remote workspace as a worker sees it: an MLflow server of its own behind a round trip. */
export interface Workspace {
  server: MlflowServer;
  proxy: LatencyProxy;
  experimentId: string;
  traces: number;
  spans: number;
}

export interface WorkspaceSettings {
  count: number;
  traces: number;
  spansPerTrace: number;
  latencyMs: number;
  /** Every workspace's traces name the same agent (one Agent row the whole organization upserts). */
  sharedAgent: boolean;
}

interface SeedReport {
  seedSeconds: number;
  workspaces: Array<{ experimentId: string; traces: number; spans: number }>;
}

/**
 * Starts `count` MLflow servers, each on its own sqlite store with one experiment of `traces`
 * traces, each behind a latency proxy: independent workspaces, so nothing on the source side is
 * shared between the jobs that read them.
 */
export async function startWorkspaces(settings: WorkspaceSettings): Promise<{ workspaces: Workspace[]; seedSeconds: number; close(): Promise<void> }> {
  const servers: MlflowServer[] = [];
  const proxies: LatencyProxy[] = [];
  const close = async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    const started = await Promise.allSettled(Array.from({ length: settings.count }, () => startMlflowServer()));
    for (const result of started) if (result.status === "fulfilled") servers.push(result.value);
    const failed = started.find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    for (const server of servers) proxies.push(await startLatencyProxy(server.url, settings.latencyMs));
    const seeded = await runPythonScript<SeedReport>(path.join(import.meta.dirname, "seed_workspaces.py"), [
      "--traces",
      String(settings.traces),
      "--spans",
      String(settings.spansPerTrace),
      ...servers.flatMap((server, i) => ["--workspace", `${server.storeUri},scaling-${i},${settings.sharedAgent ? "ScalingAgent" : `ScalingAgent-${i}`}`]),
    ]);
    const workspaces = servers.map((server, i) => ({ server, proxy: proxies[i]!, ...seeded.workspaces[i]! }));
    return { workspaces, seedSeconds: seeded.seedSeconds, close };
  } catch (error) {
    await close();
    throw error;
  }
}
