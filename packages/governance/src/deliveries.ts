import type { Database } from "@langguard/database";

type Tx = Parameters<Parameters<Database["$transaction"]>[0]>[0];

/**
 * A delivery row for every webhook of the organization subscribed to violations, for each new
 * violation, in the transaction that stored them: a violation is never announced without being
 * stored, nor stored without its announcements. Returns the rows, for the delivery queue (a
 * process without that queue leaves them to the policy-evaluation sweep).
 */
export async function queueViolationDeliveries(tx: Tx, organizationId: string, violationIds: string[]): Promise<Array<{ id: string }>> {
  if (violationIds.length === 0) return [];
  const hooks = await tx.webhook.findMany({ where: { organizationId, enabled: true, events: { has: "policy.violation" } }, select: { id: true } });
  if (hooks.length === 0) return [];
  return tx.webhookDelivery.createManyAndReturn({
    data: hooks.flatMap((h) => violationIds.map((violationId) => ({ webhookId: h.id, violationId, event: "policy.violation" }))),
    skipDuplicates: true,
    select: { id: true },
  });
}
