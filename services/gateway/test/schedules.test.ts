import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueue, QueueName } from "@langguard/queue-contracts";
import { processScheduledSync, reconcileSchedules, scheduleId, tickOffsetMs, type ScheduleQueue } from "@langguard/sync-runs";
import { createIntegration, startFleet, type Fleet } from "../../../tests/helpers/fleet.ts";

const HOST = "http://127.0.0.1:5000";

describe("sync schedules", () => {
  let fleet: Fleet;
  let schedules: ScheduleQueue;
  beforeAll(async () => {
    fleet = await startFleet({ worker: false });
    schedules = createQueue(QueueName.SyncSchedule, { connection: fleet.redis, prefix: fleet.prefix });
  });
  afterAll(async () => {
    await schedules?.close();
    await fleet?.close();
  });

  /** Scheduler id → its interval (ms) or cron pattern, for one integration. */
  async function schedulersOf(integrationId: string): Promise<Record<string, number | string | undefined>> {
    const all = await schedules.getJobSchedulers(0, -1);
    return Object.fromEntries(all.filter((s) => s.key.includes(integrationId)).map((s) => [s.key, s.every ? Number(s.every) : s.pattern]));
  }
  const patch = (id: string, payload: object) => fleet.inject({ method: "PATCH", url: `/api/integrations/${id}`, payload });

  it("creates, changes and removes an integration's schedulers with its settings", async () => {
    const { id } = await createIntegration(fleet, { source: "mlflow", host: HOST, experiments: [] });
    expect(await schedulersOf(id)).toEqual({ [scheduleId(id, "traces")]: 15 * 60_000 });

    expect((await patch(id, { syncIntervalMinutes: 5, syncCatalog: true, nightlyFullSync: true })).json()).toMatchObject({
      syncIntervalMinutes: 5,
      nightlyFullSync: true,
    });
    expect(await schedulersOf(id)).toEqual({
      [scheduleId(id, "traces")]: 5 * 60_000,
      [scheduleId(id, "catalog")]: 5 * 60_000,
      [scheduleId(id, "traces", true)]: "0 3 * * *",
    });

    await patch(id, { syncIntervalMinutes: 0 });
    expect(await schedulersOf(id)).toEqual({ [scheduleId(id, "traces", true)]: "0 3 * * *" });
    await patch(id, { syncIntervalMinutes: 30, enabled: false });
    expect(await schedulersOf(id)).toEqual({});
    await patch(id, { enabled: true });
    expect(Object.keys(await schedulersOf(id))).toHaveLength(3);

    expect((await fleet.inject({ method: "DELETE", url: `/api/integrations/${id}` })).statusCode).toBe(204);
    expect(await schedulersOf(id)).toEqual({});
  });

  it("spreads integrations' ticks over the interval, each at a slot fixed by its id", async () => {
    const ids = await Promise.all([0, 1, 2, 3].map(async () => (await createIntegration(fleet, { source: "mlflow", host: HOST, experiments: [] })).id));
    const every = 15 * 60_000;
    const slots = [];
    for (const id of ids) {
      const scheduler = await schedules.getJobScheduler(scheduleId(id, "traces"));
      const next = Number(scheduler!.next);
      // The next tick sits at the integration's own offset within the interval, within one interval from now.
      expect(next % every).toBe(tickOffsetMs(scheduleId(id, "traces"), every));
      expect(next - Date.now()).toBeLessThanOrEqual(every);
      slots.push(next % every);
    }
    expect(new Set(slots).size).toBe(ids.length);
    // Rebuilt from scratch, a scheduler keeps its slot.
    await schedules.removeJobScheduler(scheduleId(ids[0]!, "traces"));
    await reconcileSchedules(fleet.db, schedules);
    expect(Number((await schedules.getJobScheduler(scheduleId(ids[0]!, "traces")))!.next) % every).toBe(slots[0]);
  });

  it("refuses an interval that is not a whole number of minutes, naming the field", async () => {
    const { id } = await createIntegration(fleet, { source: "mlflow", host: HOST, experiments: [] });
    const res = await patch(id, { syncIntervalMinutes: 2.5 });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain("syncIntervalMinutes");
  });

  it("rebuilds lost schedulers from Postgres and never multiplies them", async () => {
    const { id } = await createIntegration(fleet, { source: "mlflow", host: HOST, experiments: [] });
    await schedules.removeJobScheduler(scheduleId(id, "traces"));
    // A scheduler left behind by an integration deleted while no gateway ran.
    const gone = crypto.randomUUID();
    await schedules.upsertJobScheduler(
      scheduleId(gone, "traces"),
      { every: 60_000 },
      { name: QueueName.SyncSchedule, data: { integrationId: gone, kind: "traces", mode: "incremental" } },
    );
    const first = await reconcileSchedules(fleet.db, schedules);
    expect(first.removed).toBeGreaterThanOrEqual(1);
    await reconcileSchedules(fleet.db, schedules);
    expect(await schedulersOf(id)).toEqual({ [scheduleId(id, "traces")]: 15 * 60_000 });
    expect(await schedulersOf(gone)).toEqual({});
  });

  it("turns a tick into a run that coalesces with the active one, and drops the schedule of a disabled integration", async () => {
    const { id } = await createIntegration(fleet, { source: "mlflow", host: HOST, experiments: [] });
    const queues = { traces: createQueue(QueueName.TraceSync, { connection: fleet.redis, prefix: fleet.prefix }) };
    const deps = { db: fleet.db, queues, schedules, settings: { lockDurationMs: 60_000 } };
    const tick = { integrationId: id, kind: "traces" as const, mode: "incremental" as const };
    const first = await processScheduledSync(tick, deps);
    expect(first).toMatchObject({ created: true, run: { integrationId: id, kind: "traces", mode: "incremental", status: "queued" } });
    const second = await processScheduledSync(tick, deps);
    expect(second).toMatchObject({ created: false, run: { id: "run" in first ? first.run.id : "" } });
    expect(await fleet.db.syncRun.count({ where: { integrationId: id } })).toBe(1);

    await fleet.db.integration.update({ where: { id }, data: { enabled: false } });
    expect(await processScheduledSync(tick, deps)).toEqual({ skipped: "sync disabled" });
    expect(await schedulersOf(id)).toEqual({});
    await queues.traces.close();
  });

  it("gives 50 concurrent triggers one run, one job, and the same run id", async () => {
    const { id } = await createIntegration(fleet, { source: "mlflow", host: HOST, experiments: [] });
    const answers = await Promise.all(Array.from({ length: 50 }, () => fleet.inject({ method: "POST", url: `/api/integrations/${id}/sync`, payload: {} })));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(50).fill(202));
    const runIds = new Set(answers.map((a) => a.json().syncRunId));
    expect(runIds.size).toBe(1);
    expect(await fleet.db.syncRun.count({ where: { integrationId: id } })).toBe(1);
    const traceQueue = createQueue(QueueName.TraceSync, { connection: fleet.redis, prefix: fleet.prefix });
    const jobs = (await traceQueue.getJobs(["waiting", "active", "delayed", "prioritized"])).filter((j) => j.data.integrationId === id);
    expect(jobs).toHaveLength(1);
    await traceQueue.close();
  });
});
