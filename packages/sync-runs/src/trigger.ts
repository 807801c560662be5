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
 * A trigger that finds a run already active coalesces into it without a lock, which keeps a storm
 * of triggers cheap. Only creating a run locks the integration's row, so concurrent triggers that
 * found none line up there instead of racing, and the second of them finds the first's run.
 */
export async function triggerSync(
  db: Database,
  queues: SyncQueues,
  integrationId: string,
  kind: SyncKind,
  mode: SyncMode,
  settings: ReconcileSettings,
): Promise<Triggered | null> {
  const active = await activeRun(db, integrationId, kind);
  if (active) return coalesce(db, queues, active, settings);
  const { run, created } = await db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<
      Array<{ organizationId: string }>
    >`SELECT "organizationId"::text FROM "Integration" WHERE "id" = ${integrationId}::uuid FOR UPDATE`;
    const organizationId = locked[0]?.organizationId;
    if (!organizationId) return { run: null, created: false };
    const current = await activeRun(tx, integrationId, kind);
    if (current) return { run: current, created: false };
    return { run: await tx.syncRun.create({ data: { organizationId, integrationId, kind, mode } }), created: true };
  });
  if (!run) return null;
  if (!created) return coalesce(db, queues, run, settings);
  await enqueueRun(queues, run);
  return { run, created };
}

type Reader = Pick<Database, "syncRun">;

function activeRun(db: Reader, integrationId: string, kind: SyncKind) {
  return db.syncRun.findFirst({ where: { integrationId, kind, status: { in: ACTIVE } }, orderBy: { createdAt: "desc" } });
}

/** The trigger joins the active run; a repair (a lost job re-enqueued, say) may have changed it. */
async function coalesce(db: Database, queues: SyncQueues, run: SyncRun, settings: ReconcileSettings): Promise<Triggered> {
  const repair = await reconcileRun(db, queues, run, settings);
  const current = repair === "none" ? run : ((await db.syncRun.findUnique({ where: { id: run.id } })) ?? run);
  return { run: current, created: false };
}
