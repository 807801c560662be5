import type { Database, SyncKind, SyncMode, SyncRun } from "@langguard/database";
import { ACTIVE } from "./lifecycle.ts";
import { enqueueRun, type SyncQueues } from "./queues.ts";
import { reconcileRun, type ReconcileSettings } from "./reconcile.ts";

export interface Triggered {
  run: SyncRun;
  created: boolean;
}

/**
 * Records a run in Postgres, then enqueues it. One integration has at most one active run per
 * kind: a second trigger gets the active one, after making sure a job is really behind it.
 * The integration row is locked, so concurrent triggers line up instead of racing.
 */
export async function triggerSync(
  db: Database,
  queues: SyncQueues,
  integrationId: string,
  kind: SyncKind,
  mode: SyncMode,
  settings: ReconcileSettings,
): Promise<Triggered | null> {
  const { run, created } = await db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<
      Array<{ organizationId: string }>
    >`SELECT "organizationId"::text FROM "Integration" WHERE "id" = ${integrationId}::uuid FOR UPDATE`;
    const organizationId = locked[0]?.organizationId;
    if (!organizationId) return { run: null, created: false };
    const active = await tx.syncRun.findFirst({ where: { integrationId, kind, status: { in: ACTIVE } }, orderBy: { createdAt: "desc" } });
    if (active) return { run: active, created: false };
    return { run: await tx.syncRun.create({ data: { organizationId, integrationId, kind, mode } }), created: true };
  });
  if (!run) return null;
  if (created) await enqueueRun(queues, run);
  else await reconcileRun(db, queues, run, settings);
  const current = created ? run : ((await db.syncRun.findUnique({ where: { id: run.id } })) ?? run);
  return { run: current, created };
}
