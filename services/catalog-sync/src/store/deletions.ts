import type { Database } from "@langguard/database";

export interface DeletionPlan {
  /** Objects missing from listings that completed, by id. */
  candidates: Array<{ id: string; kind: string; fullName: string }>;
  /** Live objects of the integration before this run. */
  liveBefore: number;
}

export interface DeletionOutcome {
  deleted: number;
  heldBack: number;
  reason: string | null;
}

/** What vanished from the containers whose listing completed: in them, anything not seen this run. */
export async function planDeletions(db: Database, integrationId: string, completed: Map<string, Set<string>>): Promise<DeletionPlan> {
  const liveBefore = await db.catalogEntity.count({ where: { integrationId, deletedAt: null } });
  const candidates: DeletionPlan["candidates"] = [];
  for (const [container, seen] of completed) {
    const live = await db.catalogEntity.findMany({ where: { integrationId, container, deletedAt: null }, select: { id: true, kind: true, fullName: true } });
    for (const row of live) if (!seen.has(row.fullName)) candidates.push(row);
  }
  return { candidates, liveBefore };
}

/**
 * Marks vanished objects deleted (with the time; they come back if they reappear), and what they
 * contained with them. Nothing at all is deleted after a run with a failure or with zero objects,
 * or when more than `maxShare` of the live objects would go: a listing that failed or came back
 * empty half way must never look like a mass deletion.
 */
export async function applyDeletions(
  db: Database,
  integrationId: string,
  plan: DeletionPlan,
  run: { failures: number; seen: number; maxShare: number },
): Promise<DeletionOutcome> {
  const count = plan.candidates.length;
  if (count === 0) return { deleted: 0, heldBack: 0, reason: null };
  const refuse = (reason: string): DeletionOutcome => ({ deleted: 0, heldBack: count, reason });
  if (run.failures > 0) return refuse(`the run had ${run.failures} listing failure(s), so nothing is marked deleted`);
  if (run.seen === 0) return refuse("the run saw no objects at all, so nothing is marked deleted");
  const share = plan.liveBefore > 0 ? count / plan.liveBefore : 1;
  if (share > run.maxShare)
    return refuse(
      `${count} of ${plan.liveBefore} objects (${Math.round(share * 100)}%) would be deleted, more than the fail-safe share of ${Math.round(run.maxShare * 100)}%`,
    );
  const now = new Date();
  await db.$transaction(async (tx) => {
    await tx.catalogEntity.updateMany({ where: { id: { in: plan.candidates.map((c) => c.id) } }, data: { deletedAt: now } });
    // A vanished catalog or schema takes what it held with it.
    for (const gone of plan.candidates.filter((c) => c.kind === "catalog" || c.kind === "schema")) {
      const [catalogName, schemaName] = gone.fullName.split(".");
      await tx.catalogEntity.updateMany({
        where: { integrationId, catalogName, ...(gone.kind === "schema" ? { schemaName } : {}), deletedAt: null },
        data: { deletedAt: now },
      });
    }
  });
  return { deleted: count, heldBack: 0, reason: null };
}
