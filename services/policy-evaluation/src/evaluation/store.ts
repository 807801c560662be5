import type { Database, Policy } from "@langguard/database";
import { queueViolationDeliveries } from "@langguard/governance";
import type { Outcome } from "@langguard/policy-engine";

export interface Finding {
  traceId: string;
  integrationId: string;
  agents: string[];
  policy: Policy;
  outcome: Outcome;
}

export interface Failure {
  traceId: string;
  policy: Policy;
  message: string;
}

type Tx = Parameters<Parameters<Database["$transaction"]>[0]>[0];

/**
 * The batch's violations in one statement, never twice for a trace, policy and version; returns
 * the new ones. The rows travel as one JSON parameter: a batch holds hundreds of violations with
 * their evidence, and Prisma's multi-row insert (one bound parameter per cell) took most of the
 * evaluation's time.
 */
async function insertViolations(tx: Tx, organizationId: string, findings: Finding[]): Promise<Array<{ id: string; severity: string }>> {
  const rows = JSON.stringify(
    findings.map((f) => ({
      integrationId: f.integrationId,
      traceId: f.traceId,
      policyId: f.policy.id,
      policyVersion: f.policy.version,
      severity: f.policy.severity,
      message: f.outcome.message.slice(0, 4000),
      evidence: f.outcome.evidence,
      agents: f.agents,
    })),
  );
  return tx.$queryRaw<Array<{ id: string; severity: string }>>`
    INSERT INTO "Violation" ("organizationId", "integrationId", "traceId", "policyId", "policyVersion", "severity", "message", "evidence", "agents")
    SELECT ${organizationId}::uuid, "integrationId", "traceId", "policyId", "policyVersion", "severity"::"Severity", "message", "evidence",
      ARRAY(SELECT jsonb_array_elements_text("agents"))
    FROM jsonb_to_recordset(${rows}::jsonb) AS x("integrationId" uuid, "traceId" uuid, "policyId" uuid, "policyVersion" int, "severity" text,
      "message" text, "evidence" jsonb, "agents" jsonb)
    ON CONFLICT ("traceId", "policyId", "policyVersion") DO NOTHING
    RETURNING "id"::text AS "id", "severity"::text AS "severity"`;
}

/**
 * One transaction per batch: the violations (never twice for a trace, policy and version), the
 * errors, a delivery row per subscribed webhook for each new violation, and the traces marked
 * evaluated under the policy set version. Returns the new deliveries, for the delivery queue.
 * An error row says a trace and policy currently fail: the rows of every pair evaluated here are
 * replaced, so an evaluation that now succeeds clears a stale error and one that fails again is
 * dated now.
 */
export async function storeEvaluation(
  db: Database,
  organizationId: string,
  policySetVersion: number,
  traceIds: string[],
  policyIds: string[],
  findings: Finding[],
  failures: Failure[],
) {
  return db.$transaction(
    async (tx) => {
      const created = findings.length ? await insertViolations(tx, organizationId, findings) : [];
      await tx.policyEvaluationError.deleteMany({ where: { organizationId, traceId: { in: traceIds }, policyId: { in: policyIds } } });
      if (failures.length) {
        await tx.policyEvaluationError.createMany({
          data: failures.map((f) => ({
            organizationId,
            traceId: f.traceId,
            policyId: f.policy.id,
            policyVersion: f.policy.version,
            message: f.message.slice(0, 2000),
          })),
          skipDuplicates: true,
        });
      }
      const deliveries = await queueViolationDeliveries(
        tx,
        organizationId,
        created.map((v) => v.id),
      );
      await tx.trace.updateMany({ where: { id: { in: traceIds }, organizationId }, data: { policySetVersion, evaluatedAt: new Date() } });
      return { violations: created.length, severities: created.map((v) => v.severity), errors: failures.length, deliveryIds: deliveries.map((d) => d.id) };
    },
    { timeout: 60_000 },
  );
}
