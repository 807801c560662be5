import { performance } from "node:perf_hooks";
import { createIntegration, startFleet, syncAndWait, type Fleet, type SyncRunView } from "../../tests/helpers/fleet.ts";

export { resetDatabase } from "../../tests/helpers/database.ts";

export interface TimedSync {
  run: SyncRunView;
  /** From the trigger request to the poll that saw the run finished. */
  seconds: number;
}

/**
 * The gateway and a trace-sync worker in this process, exactly as the tests run them (real
 * Postgres, Redis and Python bridge), driven through the API the way a user would.
 */
export class BenchFleet {
  private constructor(private readonly fleet: Fleet) {}

  static async start(options: { databaseUrl: string; logLevel: string; lookbackDays: number; bridgeMode?: "warm" | "cold" }): Promise<BenchFleet> {
    // Logs go to stderr: stdout carries the figures, and its last line must be the JSON summary.
    const env: Record<string, string> = { TRACE_SYNC_LOOKBACK_DAYS: String(options.lookbackDays), PYTHON_BRIDGE_MODE: options.bridgeMode ?? "warm" };
    // The worker's own settings can be tried from the command line, e.g. TRACE_SYNC_WORKSPACE_CONCURRENCY=32.
    for (const [name, value] of Object.entries(process.env)) if (name.startsWith("TRACE_SYNC_") && value) env[name] = value;
    const fleet = await startFleet({ databaseUrl: options.databaseUrl, logLevel: options.logLevel, logDestination: process.stderr, env });
    return new BenchFleet(fleet);
  }

  async createIntegration(host: string, experimentIds: string[]): Promise<string> {
    return (await createIntegration(this.fleet, { source: "mlflow", host, experiments: experimentIds })).id;
  }

  async syncAndTime(integrationId: string, timeoutMs: number): Promise<TimedSync> {
    const started = performance.now();
    const run = await syncAndWait(this.fleet, integrationId, {}, timeoutMs);
    const seconds = (performance.now() - started) / 1000;
    if (run.status !== "succeeded") throw new Error(`sync run ${run.id} ended ${run.status}: ${run.errorMessage ?? JSON.stringify(run.experimentErrors)}`);
    return { run, seconds };
  }

  /** Triggers incremental syncs of all the integrations at once and waits for every one. */
  async syncAllAndTime(integrationIds: string[], timeoutMs: number): Promise<{ seconds: number; runs: SyncRunView[] }> {
    const started = performance.now();
    const runs = await Promise.all(integrationIds.map((id) => syncAndWait(this.fleet, id, {}, timeoutMs)));
    const seconds = (performance.now() - started) / 1000;
    const failed = runs.find((r) => r.status !== "succeeded");
    if (failed) throw new Error(`sync run ${failed.id} ended ${failed.status}: ${failed.errorMessage}`);
    return { seconds, runs };
  }

  /** What the integration holds in Postgres. */
  async stored(integrationId: string): Promise<{ traces: number; spans: number }> {
    const [traces, spans] = await Promise.all([
      this.fleet.db.trace.count({ where: { integrationId } }),
      this.fleet.db.span.count({ where: { trace: { integrationId } } }),
    ]);
    return { traces, spans };
  }

  close(): Promise<void> {
    return this.fleet.close();
  }
}
