import { createHash } from "node:crypto";
import type { Queue } from "bullmq";
import type { Database, Integration, SyncKind } from "@langguard/database";
import { QueueName, type PayloadOf } from "@langguard/queue-contracts";
import { triggerSync, type Triggered } from "./trigger.ts";
import type { SyncQueues } from "./queues.ts";
import type { ReconcileSettings } from "./reconcile.ts";

export type ScheduleQueue = Queue<PayloadOf<typeof QueueName.SyncSchedule>>;

type Scheduled = Pick<Integration, "id" | "enabled" | "syncTraces" | "syncCatalog" | "syncIntervalMinutes" | "nightlyFullSync">;

const KINDS: SyncKind[] = ["traces", "catalog"];
/** Nightly full trace sync: 03:00 UTC, when most workspaces are quiet. */
const NIGHTLY = "0 3 * * *";

/** One scheduler per (integration, kind[, nightly]): ids are derived, so upserting again never adds one. */
export const scheduleId = (integrationId: string, kind: SyncKind, nightly = false) => `sync-${integrationId}-${kind}${nightly ? "-nightly-full" : ""}`;

/**
 * Makes the integration's schedulers in Redis match its settings: one per enabled kind at its
 * interval, the optional nightly full pass, none when it is disabled. Called whenever settings
 * change and, for every integration, when a gateway starts (Postgres holds the truth; Redis may
 * have lost them).
 */
export async function applySchedules(queue: ScheduleQueue, integration: Scheduled): Promise<void> {
  for (const kind of KINDS) {
    const wanted = integration.enabled && (kind === "traces" ? integration.syncTraces : integration.syncCatalog) && integration.syncIntervalMinutes > 0;
    const id = scheduleId(integration.id, kind);
    if (wanted) {
      const every = integration.syncIntervalMinutes * 60_000;
      await queue.upsertJobScheduler(
        id,
        { every, offset: tickOffsetMs(id, every) },
        { name: QueueName.SyncSchedule, data: { integrationId: integration.id, kind, mode: "incremental" }, opts: tickOptions },
      );
    } else {
      await queue.removeJobScheduler(id);
    }
  }
  const nightly = scheduleId(integration.id, "traces", true);
  if (integration.enabled && integration.syncTraces && integration.nightlyFullSync) {
    await queue.upsertJobScheduler(
      nightly,
      { pattern: NIGHTLY, tz: "UTC" },
      { name: QueueName.SyncSchedule, data: { integrationId: integration.id, kind: "traces", mode: "full" }, opts: tickOptions },
    );
  } else {
    await queue.removeJobScheduler(nightly);
  }
}

/**
 * Where in each interval a scheduler ticks, fixed by its id. Without it every scheduler rebuilt
 * at once (a gateway starting on an emptied Redis) would tick at the same instant for ever, and
 * 10,000 workspaces would arrive as one burst every interval instead of a steady stream.
 */
export function tickOffsetMs(id: string, everyMs: number): number {
  const hash = createHash("sha256").update(id).digest().readUInt32BE(0);
  // BullMQ treats an offset of 0 as none (tick now), so the slot is never 0.
  return 1 + (hash % Math.max(1, everyMs - 1));
}

// A tick is cheap and the next one comes anyway: no retries, and nothing kept once done.
const tickOptions = { attempts: 1, removeOnComplete: true, removeOnFail: { count: 100 } };

export async function removeSchedules(queue: ScheduleQueue, integrationId: string): Promise<void> {
  for (const kind of KINDS) await queue.removeJobScheduler(scheduleId(integrationId, kind));
  await queue.removeJobScheduler(scheduleId(integrationId, "traces", true));
}

/** Every integration's schedulers as Postgres says, and none for integrations that are gone. */
export async function reconcileSchedules(db: Database, queue: ScheduleQueue): Promise<{ integrations: number; removed: number }> {
  const integrations = await db.integration.findMany({
    select: { id: true, enabled: true, syncTraces: true, syncCatalog: true, syncIntervalMinutes: true, nightlyFullSync: true },
  });
  for (const integration of integrations) await applySchedules(queue, integration);
  const known = new Set(integrations.map((i) => i.id));
  let removed = 0;
  for (let start = 0; ; start += 500) {
    const schedulers = await queue.getJobSchedulers(start, start + 499);
    for (const scheduler of schedulers) {
      const integrationId = /^sync-([0-9a-f-]{36})-/.exec(scheduler.key)?.[1];
      if (integrationId && !known.has(integrationId)) {
        await queue.removeJobScheduler(scheduler.key);
        removed += 1;
      }
    }
    if (schedulers.length < 500) break;
  }
  return { integrations: integrations.length, removed };
}

export interface ScheduledSyncDeps {
  db: Database;
  queues: SyncQueues;
  schedules: ScheduleQueue;
  settings: ReconcileSettings;
}

/**
 * One tick: triggers the run exactly as the API does, so it coalesces with a run already queued
 * or running. An integration disabled or deleted since loses its schedulers instead.
 */
export async function processScheduledSync(
  payload: PayloadOf<typeof QueueName.SyncSchedule>,
  deps: ScheduledSyncDeps,
): Promise<Triggered | { skipped: string }> {
  const integration = await deps.db.integration.findUnique({ where: { id: payload.integrationId } });
  if (!integration) {
    await removeSchedules(deps.schedules, payload.integrationId);
    return { skipped: "integration deleted" };
  }
  const enabled = integration.enabled && (payload.kind === "traces" ? integration.syncTraces : integration.syncCatalog);
  if (!enabled) {
    await applySchedules(deps.schedules, integration);
    return { skipped: "sync disabled" };
  }
  const triggered = await triggerSync(deps.db, deps.queues, integration.id, payload.kind, payload.mode, deps.settings);
  return triggered ?? { skipped: "integration deleted" };
}
