import type { Database } from "@langguard/database";
import { checkReceiverUrl, type HostPolicy } from "@langguard/host-policy";
import type { Logger } from "@langguard/logger";
import { UnrecoverableError } from "@langguard/queue-contracts";
import { openWebhookSecret } from "@langguard/credentials";
import type { KeyRing } from "@langguard/secrets";
import { postJson } from "./post.ts";
import { signPayload } from "./signature.ts";

export interface DeliveryDeps {
  db: Database;
  keyRing: KeyRing;
  hostPolicy: HostPolicy;
  logger: Logger;
  timeoutMs: number;
  /** Deliveries that fail for good in a row before the webhook is disabled. */
  disableAfterFailures: number;
  attempt: number;
  maxAttempts: number;
}

/**
 * Sends one `policy.violation` event. A failed attempt throws so BullMQ retries it with backoff;
 * the last failed attempt counts against the webhook, which is disabled after too many in a row.
 */
export async function deliverWebhook(deliveryId: string, deps: DeliveryDeps): Promise<{ delivered: boolean }> {
  const { db } = deps;
  const delivery = await db.webhookDelivery.findUnique({
    where: { id: deliveryId },
    include: {
      webhook: true,
      violation: {
        include: { policy: { select: { id: true, name: true, builtinId: true } }, trace: { select: { externalId: true, name: true, timestamp: true } } },
      },
    },
  });
  if (!delivery || delivery.status !== "pending") return { delivered: delivery?.status === "delivered" };
  if (!delivery.webhook.enabled) {
    await db.webhookDelivery.update({ where: { id: deliveryId }, data: { status: "failed", lastError: "the webhook is disabled" } });
    return { delivered: false };
  }
  const v = delivery.violation;
  const body = JSON.stringify({
    event: delivery.event,
    timestamp: new Date().toISOString(),
    data: {
      id: v.id,
      policy: { id: v.policy.id, name: v.policy.name, builtinId: v.policy.builtinId, version: v.policyVersion },
      severity: v.severity,
      status: v.status,
      message: v.message,
      evidence: v.evidence,
      agents: v.agents,
      integrationId: v.integrationId,
      // Null once retention removed the trace while the organization keeps its violations longer.
      trace: v.trace ? { id: v.traceId, externalId: v.trace.externalId, name: v.trace.name, timestamp: v.trace.timestamp } : null,
      createdAt: v.createdAt,
    },
  });
  // The rules of save, applied again: the row may have changed since, or never passed the API.
  const receiver = await checkReceiverUrl(delivery.webhook.url, deps.hostPolicy);
  if (!receiver.ok && !receiver.unresolved) return refuseReceiver(db, delivery.id, delivery.webhookId, receiver.reason, deps);
  const secret = openWebhookSecret(deps.keyRing, delivery.webhookId, delivery.webhook.secretCiphertext);
  const result = await postJson(
    delivery.webhook.url,
    body,
    { "x-langguard-signature": signPayload(secret, body), "x-langguard-event": delivery.event, "x-langguard-delivery": delivery.id },
    deps.hostPolicy,
    deps.timeoutMs,
  );
  if (result.ok) {
    await db.$transaction([
      db.webhookDelivery.update({
        where: { id: deliveryId },
        data: { status: "delivered", attempts: { increment: 1 }, lastStatus: result.status, lastError: null, deliveredAt: new Date() },
      }),
      db.webhook.updateMany({ where: { id: delivery.webhookId, enabled: true }, data: { consecutiveFailures: 0 } }),
    ]);
    return { delivered: true };
  }
  const final = deps.attempt >= deps.maxAttempts;
  await db.webhookDelivery.update({
    where: { id: deliveryId },
    data: { attempts: { increment: 1 }, lastStatus: result.status, lastError: result.error, ...(final ? { status: "failed" } : {}) },
  });
  if (final) {
    if (await countFailure(db, delivery.webhookId, deps.disableAfterFailures, result.error ?? "failed")) {
      deps.logger.warn({ webhookId: delivery.webhookId }, "webhook disabled after sustained failures");
    }
    throw new UnrecoverableError(`webhook delivery failed for good: ${result.error}`);
  }
  throw new Error(`webhook delivery failed, will retry: ${result.error}`);
}

/**
 * Counts one delivery failed for good against an enabled webhook, and disables it when that makes
 * `threshold` in a row, in one statement: the row lock orders concurrent deliveries, so exactly
 * one of them crosses the threshold (its reason names that number), and a webhook once disabled
 * counts no more. Returns whether this failure disabled the webhook.
 */
async function countFailure(db: Database, webhookId: string, threshold: number, lastError: string): Promise<boolean> {
  const rows = await db.$queryRaw<Array<{ enabled: boolean }>>`
    UPDATE "Webhook"
    SET "consecutiveFailures" = "consecutiveFailures" + 1,
        "enabled" = "consecutiveFailures" + 1 < ${threshold},
        "disabledAt" = CASE WHEN "consecutiveFailures" + 1 >= ${threshold} THEN now() ELSE NULL END,
        "disabledReason" = CASE WHEN "consecutiveFailures" + 1 >= ${threshold}
          THEN ("consecutiveFailures" + 1)::text || ' deliveries in a row failed; last: ' || ${lastError}::text
          ELSE NULL END
    WHERE "id" = ${webhookId}::uuid AND "enabled"
    RETURNING "enabled"`;
  return rows.length === 1 && !rows[0]!.enabled;
}

/** A receiver the rules refuse is never contacted: the delivery fails for good and the webhook is disabled with the reason. */
async function refuseReceiver(db: Database, deliveryId: string, webhookId: string, reason: string, deps: DeliveryDeps): Promise<never> {
  const error = `the webhook URL is not allowed: ${reason}`;
  await db.$transaction([
    db.webhookDelivery.update({ where: { id: deliveryId }, data: { status: "failed", attempts: { increment: 1 }, lastStatus: null, lastError: error } }),
    db.webhook.updateMany({ where: { id: webhookId, enabled: true }, data: { enabled: false, disabledAt: new Date(), disabledReason: error } }),
  ]);
  deps.logger.warn({ webhookId }, "webhook disabled: its URL is not allowed");
  throw new UnrecoverableError(`webhook delivery refused: ${error}`);
}
