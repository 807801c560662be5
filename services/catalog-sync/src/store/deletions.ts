import type { Database } from "@langguard/database";
import { type CompletedListing, type DeletionUnit, type FailSafe, planDeletions, type StoredObject } from "./deletion-plan.ts";

export interface DeletionOutcome {
  deleted: number;
  excluded: number;
  held: Array<DeletionUnit & { holdId: string }>;
}

/**
 * Plans this run's deletions over the integration's live objects and applies them: what passes
 * the fail-safe is marked deleted (it comes back if it reappears), what does not is recorded as a
 * hold for an operator to confirm, and what the filters now leave out is marked excluded.
 */
export async function applyDeletions(
  db: Database,
  run: { organizationId: string; integrationId: string; syncRunId: string },
  completed: CompletedListing[],
  failSafe: FailSafe,
): Promise<DeletionOutcome> {
  if (completed.length === 0) return { deleted: 0, excluded: 0, held: [] };
  const live: StoredObject[] = await db.catalogEntity.findMany({
    where: { integrationId: run.integrationId, deletedAt: null },
    select: { id: true, kind: true, fullName: true, catalogName: true, schemaName: true, name: true, excludedAt: true },
  });
  const plan = planDeletions(live, completed, failSafe);
  const now = new Date();
  return db.$transaction(
    async (tx) => {
      let deleted = 0;
      for (const unit of plan.apply) {
        deleted += (await tx.catalogEntity.updateMany({ where: { id: { in: unit.ids }, deletedAt: null }, data: { deletedAt: now } })).count;
      }
      const excluded = plan.excluded.length
        ? (await tx.catalogEntity.updateMany({ where: { id: { in: plan.excluded }, excludedAt: null }, data: { excludedAt: now } })).count
        : 0;
      const held = [];
      for (const unit of plan.hold) {
        const hold = await tx.catalogDeletionHold.create({
          data: {
            organizationId: run.organizationId,
            integrationId: run.integrationId,
            syncRunId: run.syncRunId,
            kind: unit.kind,
            fullName: unit.fullName,
            count: unit.ids.length,
            byKind: unit.byKind,
            reason: unit.reason ?? "",
            entityIds: unit.ids,
          },
          select: { id: true },
        });
        held.push({ ...unit, holdId: hold.id });
      }
      return { deleted, excluded, held };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}
