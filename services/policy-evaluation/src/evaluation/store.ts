import type { Database, Policy, Prisma } from "@langguard/database";
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
      const created = findings.length
        ? await tx.violation.createManyAndReturn({
            data: findings.map((f) => ({
              organizationId,
              integrationId: f.integrationId,
              traceId: f.traceId,
              policyId: f.policy.id,
              policyVersion: f.policy.version,
              severity: f.policy.severity,
              message: f.outcome.message.slice(0, 4000),
              evidence: f.outcome.evidence as unknown as Prisma.InputJsonValue,
              agents: f.agents,
            })),
            skipDuplicates: true,
            select: { id: true, severity: true },
          })
        : [];
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
      let deliveries: Array<{ id: string }> = [];
      if (created.length) {
        const hooks = await tx.webhook.findMany({ where: { organizationId, enabled: true, events: { has: "policy.violation" } }, select: { id: true } });
        if (hooks.length) {
          deliveries = await tx.webhookDelivery.createManyAndReturn({
            data: hooks.flatMap((h) => created.map((v) => ({ webhookId: h.id, violationId: v.id, event: "policy.violation" }))),
            skipDuplicates: true,
            select: { id: true },
          });
        }
      }
      await tx.trace.updateMany({ where: { id: { in: traceIds }, organizationId }, data: { policySetVersion, evaluatedAt: new Date() } });
      return { violations: created.length, severities: created.map((v) => v.severity), errors: failures.length, deliveryIds: deliveries.map((d) => d.id) };
    },
    { timeout: 60_000 },
  );
}
