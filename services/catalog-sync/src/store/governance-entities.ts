import type { Database, EntityKind } from "@langguard/database";

const AS_ENTITY: Record<string, EntityKind | undefined> = { table: "data", volume: "data", function: "tool", model: "model" };

/**
 * Unity Catalog objects are what governance approves: tables and volumes are data assets,
 * functions are the tools agents call, registered models are models. New ones start pending.
 */
export async function registerGovernanceEntities(db: Database, organizationId: string, inserted: Array<{ kind: string; fullName: string }>): Promise<void> {
  const data = inserted.flatMap((row) => {
    const kind = AS_ENTITY[row.kind];
    return kind ? [{ organizationId, kind, name: row.fullName }] : [];
  });
  for (let start = 0; start < data.length; start += 5_000) await db.entity.createMany({ data: data.slice(start, start + 5_000), skipDuplicates: true });
}
