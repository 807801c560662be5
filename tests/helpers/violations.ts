import { randomUUID } from "node:crypto";
import type { Database } from "@langguard/database";

export interface ViolationFields {
  policyName?: string;
  message?: string;
  note?: string | null;
  agents?: string[];
}

/**
 * Violations of an organization written as evaluation writes them (an integration, a custom
 * policy, one trace per violation), for tests of what reads or sends them.
 */
export async function seedViolations(db: Database, organizationId: string, count = 1, fields: ViolationFields = {}) {
  const integration = await db.integration.create({ data: { organizationId, name: `seeded-${randomUUID()}`, source: "mlflow", host: "http://127.0.0.1:1" } });
  const policy = await db.policy.create({
    data: { organizationId, kind: "custom", name: fields.policyName ?? `seeded-${randomUUID()}`, category: "custom", severity: "high", expression: "true" },
  });
  const violationIds: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const trace = await db.trace.create({
      data: { organizationId, integrationId: integration.id, externalId: `tr-${randomUUID()}`, timestamp: new Date(), status: "OK", contentHash: "x" },
    });
    const violation = await db.violation.create({
      data: {
        organizationId,
        integrationId: integration.id,
        traceId: trace.id,
        policyId: policy.id,
        policyVersion: 1,
        severity: "high",
        message: fields.message ?? "m",
        note: fields.note ?? null,
        agents: fields.agents ?? [],
      },
    });
    violationIds.push(violation.id);
  }
  return { integrationId: integration.id, policyId: policy.id, violationIds };
}
