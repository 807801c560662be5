import type { Database } from "@langguard/database";
import type { HostPolicy } from "@langguard/host-policy";
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
      trace: { id: v.traceId, externalId: v.trace.externalId, name: v.trace.name, timestamp: v.trace.timestamp },
      createdAt: v.createdAt,
    },
  });
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
      db.webhook.update({ where: { id: delivery.webhookId }, data: { consecutiveFailures: 0 } }),
    ]);
    return { delivered: true };
  }
  const final = deps.attempt >= deps.maxAttempts;
  await db.webhookDelivery.update({
    where: { id: deliveryId },
    data: { attempts: { increment: 1 }, lastStatus: result.status, lastError: result.error, ...(final ? { status: "failed" } : {}) },
  });
  if (final) {
    const hook = await db.webhook.update({ where: { id: delivery.webhookId }, data: { consecutiveFailures: { increment: 1 } } });
    if (hook.consecutiveFailures >= deps.disableAfterFailures && hook.enabled) {
      await db.webhook.update({
        where: { id: hook.id },
        data: { enabled: false, disabledAt: new Date(), disabledReason: `${hook.consecutiveFailures} deliveries in a row failed; last: ${result.error}` },
      });
      deps.logger.warn({ webhookId: hook.id }, "webhook disabled after sustained failures");
    }
    throw new UnrecoverableError(`webhook delivery failed for good: ${result.error}`);
  }
  throw new Error(`webhook delivery failed, will retry: ${result.error}`);
}
