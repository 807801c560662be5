import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueue, jobId, QueueName } from "@langguard/queue-contracts";
import { startFaultProxy, type FaultProxy } from "../helpers/databricks/fault-proxy.ts";
import { createIntegration, startFleet, syncAndWait, waitForRun, type Fleet } from "../helpers/fleet.ts";
import { runFixture, startMlflowServer, type MlflowServer } from "../helpers/mlflow-server.ts";

const TRACES = 120;
const RETRY_AFTER_S = 6;

/**
 * Two workspaces (each a proxy in front of a real MLflow server), one worker slot: the throttled
 * one waits as long as it was told without holding the slot, the other keeps its pace.
 */
describe("a workspace that rate-limits us", () => {
  let mlflow: MlflowServer;
  let fleet: Fleet;
  let experimentId: string;
  const proxies: FaultProxy[] = [];

  beforeAll(async () => {
    mlflow = await startMlflowServer();
    ({ experimentId } = await runFixture<{ experimentId: string }>("write_span_traces.py", [mlflow.storeUri, "throttled", String(TRACES), "2", "20"]));
    // One slot, small pages, requests one at a time: a slot held by a waiting job would stall the other workspace.
    fleet = await startFleet({
      worker: false,
      logLevel: "info",
      env: { TRACE_SYNC_CONCURRENCY: "1", TRACE_SYNC_BATCH_SIZE: "10", TRACE_SYNC_WORKSPACE_CONCURRENCY: "1" },
    });
    fleet.startWorker();
  });
  afterAll(async () => {
    await fleet?.close();
    for (const proxy of proxies) await proxy.stop();
    await mlflow?.stop();
  });

  const workspace = async () => {
    const proxy = await startFaultProxy({ target: mlflow.url, latencyMs: 20 });
    proxies.push(proxy);
    const { id } = await createIntegration(fleet, { source: "mlflow", host: proxy.url, experiments: [experimentId] });
    return { proxy, id };
  };
  const trigger = async (id: string) =>
    (await fleet.inject({ method: "POST", url: `/api/integrations/${id}/sync`, payload: { mode: "full" } })).json().syncRunId as string;
  const rateLimitOf = async (id: string) => (await fleet.inject({ method: "GET", url: `/api/integrations/${id}` })).json().rateLimit;

  it("delays the throttled workspace by its Retry-After without spending an attempt, while another keeps its pace", async () => {
    // A workspace's pace alone, for comparison (after a first sync has warmed the worker's bridge).
    expect(await syncAndWait(fleet, (await workspace()).id, { mode: "full" }, 120_000)).toMatchObject({ status: "succeeded" });
    const baseline = await syncAndWait(fleet, (await workspace()).id, { mode: "full" }, 120_000);
    expect(baseline).toMatchObject({ status: "succeeded", itemsIngested: TRACES });

    const throttled = await workspace();
    const other = await workspace();
    // Twice in a row, the throttled workspace answers its trace searches with 429 and a Retry-After.
    throttled.proxy.setFault({ path: /traces/, status: 429, retryAfterSeconds: RETRY_AFTER_S, times: 2 });
    const throttledRunId = await trigger(throttled.id);
    const otherRunId = await trigger(other.id);

    // While it waits, the integration and its sync status say so.
    let warning: { status: string; message: string; nextAttemptAt: string } | null = null;
    for (let i = 0; i < 200 && !warning; i++) {
      warning = await rateLimitOf(throttled.id);
      if (!warning) await new Promise((r) => setTimeout(r, 50));
    }
    expect(warning).toMatchObject({ status: "warning" });
    expect(warning!.message).toMatch(/^warning: rate-limited — 429 Too Many Requests/);
    expect(Date.parse(warning!.nextAttemptAt) - Date.now()).toBeGreaterThan((RETRY_AFTER_S - 2) * 1000);
    const status = (await fleet.inject({ method: "GET", url: `/api/integrations/${throttled.id}/sync/status` })).json();
    expect(status.rateLimit).toMatchObject({ status: "warning" });
    expect(status.currentRun).toMatchObject({ status: "queued", errorKind: "rate_limited" });
    expect(status.currentRun.progress.phase).toMatch(/^rate-limited: waiting until /);
    expect(await rateLimitOf(other.id)).toBeNull();

    const otherRun = await waitForRun(fleet, other.id, otherRunId, 120_000);
    const throttledRun = await waitForRun(fleet, throttled.id, throttledRunId, 120_000);
    expect(otherRun).toMatchObject({ status: "succeeded", itemsIngested: TRACES, attempts: 1 });
    expect(throttledRun).toMatchObject({ status: "succeeded", itemsIngested: TRACES, errorKind: null });

    // The throttled workspace: nothing asked of it until each Retry-After had passed.
    const searches = throttled.proxy.requests.filter((r) => /traces/.test(r.path));
    const refusals = searches.filter((r) => r.status === 429);
    expect(refusals).toHaveLength(2);
    for (const refusal of refusals) {
      const next = searches.find((r) => r.at > refusal.at);
      expect(next!.at - refusal.at).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1000 - 50);
    }
    const throttledSpan = searches.at(-1)!.at - searches[0]!.at;
    expect(throttledSpan).toBeGreaterThanOrEqual(2 * RETRY_AFTER_S * 1000 - 100);
    // Its job spent no attempt on waiting: it completed on its first.
    const queue = createQueue(QueueName.TraceSync, { connection: fleet.redis, prefix: fleet.prefix });
    const job = await queue.getJob(jobId.traceSync(throttledRunId));
    await queue.close();
    expect(job!.attemptsMade).toBe(1);
    expect(job!.attemptsStarted).toBeGreaterThanOrEqual(3);

    // The other workspace: it ran while the throttled one waited, at the pace it has alone.
    const otherSearches = other.proxy.requests.filter((r) => /traces/.test(r.path));
    expect(otherSearches.at(-1)!.at).toBeLessThan(refusals[1]!.at + RETRY_AFTER_S * 1000);
    // From trigger to completion: time spent waiting for a slot held by the throttled job counts.
    const elapsed = (run: typeof otherRun) => (Date.parse(run.completedAt!) - Date.parse(run.createdAt)) / 1000;
    const paceAlone = TRACES / elapsed(baseline);
    const paceBeside = TRACES / elapsed(otherRun);
    console.log(
      `throttling: other workspace ${paceBeside.toFixed(1)} traces/s beside the throttled one, ${paceAlone.toFixed(1)} alone; throttled one waited ${(throttledSpan / 1000).toFixed(1)} s`,
    );
    expect(paceBeside).toBeGreaterThan(0.7 * paceAlone);

    // A sync succeeded, so the warning is gone.
    expect(await rateLimitOf(throttled.id)).toBeNull();
    const row = await fleet.db.integration.findUniqueOrThrow({ where: { id: throttled.id } });
    expect(row).toMatchObject({ rateLimitedCount: 0, rateLimitedUntil: null });
  });

  it("without a Retry-After, backs off from five seconds and shows the 503 until a sync succeeds", async () => {
    const ws = await workspace();
    ws.proxy.setFault({ path: /traces/, status: 503, times: 4 });
    const runId = await trigger(ws.id);
    const run = await waitForRun(fleet, ws.id, runId, 120_000);
    expect(run).toMatchObject({ status: "succeeded", itemsIngested: TRACES });
    const searches = ws.proxy.requests.filter((r) => /traces/.test(r.path));
    // urllib3 retries a 503 in place three times (MLflow's short backoff); the fourth refusal ends
    // the attempt and the job waits the first step of the backoff before the next search.
    const refusals = searches.filter((r) => r.status === 503);
    expect(refusals).toHaveLength(4);
    const after = searches.find((r) => r.at > refusals[3]!.at)!;
    expect(after.at - refusals[3]!.at).toBeGreaterThanOrEqual(4_900);
    expect(await rateLimitOf(ws.id)).toBeNull();
  });
});
