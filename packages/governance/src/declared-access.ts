import type { Database } from "@langguard/database";
import { type DeclaredUse, declaredCrossings } from "@langguard/policy-engine";
import { queueViolationDeliveries } from "./deliveries.ts";
import { enabledPolicies } from "./policies.ts";

const POLICY = "cross-boundary-access";

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/**
 * `cross-boundary-access` over what agents use by definition, not by a trace: a Genie space's
 * tables, and an agent serving endpoint's inference table and served registered model, as the
 * integration's last catalog sync stored them. A crossing (a dev Genie space over a prod table)
 * is a violation with no trace, once per policy version, agent and asset: the message names both,
 * and a crossing already recorded is not recorded again. Stages are set by people, so this runs
 * after every catalog sync: a stage changed since is judged by the next one. Subscribed webhooks
 * are told, through the same delivery rows as trace violations.
 */
export async function evaluateDeclaredAccess(db: Database, organizationId: string, integrationId: string): Promise<number> {
  const policy = (await enabledPolicies(db, organizationId)).find((p) => p.builtinId === POLICY);
  if (!policy) return 0;
  const rows = await db.catalogEntity.findMany({
    where: { integrationId, deletedAt: null, excludedAt: null, kind: { in: ["genieSpace", "servingEndpoint"] } },
    select: { kind: true, fullName: true, details: true },
  });
  const agents = rows
    .map((r) => ({ ...r, details: (r.details ?? {}) as Record<string, unknown> }))
    .filter((r) => r.kind === "genieSpace" || r.details.entityKind === "agent");
  if (agents.length === 0) return 0;
  const dataNames = agents.flatMap((a) => strings(a.details.tables));
  const modelNames = agents.flatMap((a) => strings(a.details.models));
  const entities = await db.entity.findMany({
    where: {
      organizationId,
      OR: [
        { kind: "agent", name: { in: agents.map((a) => a.fullName) } },
        { kind: "data", name: { in: dataNames } },
        { kind: "model", name: { in: modelNames } },
      ],
    },
    select: { kind: true, name: true, stage: true },
  });
  const stage = new Map(entities.map((e) => [`${e.kind}\u0000${e.name}`, e.stage]));
  const uses: DeclaredUse[] = agents.flatMap((a) => {
    const agentStage = stage.get(`agent\u0000${a.fullName}`) ?? null;
    const via = a.kind === "genieSpace" ? "Genie space" : "serving endpoint";
    return [
      ...strings(a.details.tables).map((asset) => ({
        agent: a.fullName,
        agentStage,
        kind: "data asset" as const,
        asset,
        assetStage: stage.get(`data\u0000${asset}`) ?? null,
        via,
      })),
      ...strings(a.details.models).map((asset) => ({
        agent: a.fullName,
        agentStage,
        kind: "model" as const,
        asset,
        assetStage: stage.get(`model\u0000${asset}`) ?? null,
        via,
      })),
    ];
  });
  const crossings = declaredCrossings(uses, policy.config);
  if (crossings.length === 0) return 0;
  const rowsJson = JSON.stringify(crossings.map((c) => ({ message: c.message.slice(0, 4000), evidence: c.evidence, agent: c.agent })));
  // Violations without a trace have no unique key to lean on: the same crossing under the same
  // policy version is recognised by its message and agent.
  return db.$transaction(async (tx) => {
    const created = await tx.$queryRaw<Array<{ id: string }>>`
    INSERT INTO "Violation" ("organizationId", "integrationId", "traceId", "policyId", "policyVersion", "severity", "message", "evidence", "agents")
    SELECT ${organizationId}::uuid, ${integrationId}::uuid, NULL, ${policy.id}::uuid, ${policy.version}, ${policy.severity}::"Severity", x."message", x."evidence", ARRAY[x."agent"]
    FROM jsonb_to_recordset(${rowsJson}::jsonb) AS x("message" text, "evidence" jsonb, "agent" text)
    WHERE NOT EXISTS (
      SELECT 1 FROM "Violation" v
      WHERE v."organizationId" = ${organizationId}::uuid AND v."policyId" = ${policy.id}::uuid AND v."policyVersion" = ${policy.version}
        AND v."traceId" IS NULL AND v."message" = x."message" AND v."agents" = ARRAY[x."agent"])
    RETURNING "id"::text AS "id"`;
    // Announced as trace violations are; the policy-evaluation sweep hands these rows to the delivery queue (this worker has none).
    await queueViolationDeliveries(
      tx,
      organizationId,
      created.map((v) => v.id),
    );
    return created.length;
  });
}
