/**
 * Webhook delivery on the real Postgres, with rows written straight into the database (as a row
 * the API never checked would be) and real listeners on this machine's loopback addresses:
 * every internal address is refused before a connection is made, https is enforced, redirects
 * are not followed, and a webhook is disabled exactly at its threshold however many deliveries
 * fail at once.
 */
import { createPrismaClient, type Database } from "@langguard/database";
import { defaultHostPolicy, type HostPolicy } from "@langguard/host-policy";
import { createLogger } from "@langguard/logger";
import { keyRingFromSettings } from "@langguard/secrets";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASE_URL, TEST_ENCRYPTION_KEY } from "../../../tests/helpers/test-env.ts";
import { type Listener, seedWebhookDeliveries, startListener } from "../../../tests/helpers/webhooks.ts";
import { deliverWebhook } from "../src/webhooks/deliver.ts";

const ring = keyRingFromSettings(TEST_ENCRYPTION_KEY);
const logger = createLogger({ name: "webhook-test", level: "silent" });
/** What a policy-evaluation worker has with no SOURCE_* settings at all. */
const noAllowances: HostPolicy = defaultHostPolicy();
/** An operator who allowed loopback receivers over http (a test machine). */
const loopbackAllowed: HostPolicy = { ...defaultHostPolicy(), allowHttp: true, allowedNetworks: ["127.0.0.0/8", "::1/128"] };

describe("webhook delivery", () => {
  let db: Database;
  let listener: Listener;

  const deliver = (deliveryId: string, hostPolicy: HostPolicy, attempt = 1, maxAttempts = 8, disableAfterFailures = 5) =>
    deliverWebhook(deliveryId, { db, keyRing: ring, hostPolicy, logger, timeoutMs: 5_000, disableAfterFailures, attempt, maxAttempts });

  beforeAll(async () => {
    db = createPrismaClient({ url: TEST_DATABASE_URL, maxConnections: 20 });
    // Dual-stack: it takes 127.0.0.1, ::1 and the IPv4-mapped forms on one port.
    listener = await startListener("::");
  });
  afterAll(async () => {
    await listener?.close();
    await db?.$disconnect();
  });

  it("refuses every internal-address form at delivery, without connecting, even for a row written straight into the database", async () => {
    const p = listener.port;
    const forms = [
      `https://127.0.0.1:${p}/hook`,
      `https://127.1:${p}/hook`,
      `https://2130706433:${p}/hook`,
      `https://0x7f000001:${p}/hook`,
      `https://0177.0.0.1:${p}/hook`,
      `https://127.0.0.1.:${p}/hook`,
      `https://0.0.0.0:${p}/hook`,
      `https://0:${p}/hook`,
      `https://[::1]:${p}/hook`,
      `https://[::]:${p}/hook`,
      `https://[::ffff:127.0.0.1]:${p}/hook`,
      `https://[::ffff:7f00:1]:${p}/hook`,
      `https://[0:0:0:0:0:ffff:7f00:1]:${p}/hook`,
      `https://localhost:${p}/hook`,
      `https://LOCALHOST:${p}/hook`,
    ];
    for (const url of forms) {
      const { webhookId, deliveryIds } = await seedWebhookDeliveries(db, ring, url);
      await expect(deliver(deliveryIds[0]!, noAllowances), url).rejects.toThrow(/not allowed/);
      const delivery = await db.webhookDelivery.findUniqueOrThrow({ where: { id: deliveryIds[0]! } });
      expect(delivery, url).toMatchObject({
        status: "failed",
        lastError: expect.stringMatching(/^the webhook URL is not allowed: .*(blocked|private|internal|reserved)/),
      });
      const hook = await db.webhook.findUniqueOrThrow({ where: { id: webhookId } });
      expect(hook, url).toMatchObject({ enabled: false, disabledReason: expect.stringContaining("not allowed") });
    }
    expect(listener.connections).toBe(0);
  });

  it("uses https unless the operator allows http, follows no redirect, and delivers where the rules allow", async () => {
    // The address is allowed here, plain http is not.
    const http = await seedWebhookDeliveries(db, ring, `http://127.0.0.1:${listener.port}/hook`);
    await expect(deliver(http.deliveryIds[0]!, { ...loopbackAllowed, allowHttp: false })).rejects.toThrow(/must use https/);
    expect(listener.connections).toBe(0);

    // With both allowances the same row is delivered: the listener would have seen a refused one.
    const allowed = await seedWebhookDeliveries(db, ring, `http://127.0.0.1:${listener.port}/hook`);
    await expect(deliver(allowed.deliveryIds[0]!, loopbackAllowed)).resolves.toEqual({ delivered: true });
    expect(listener.requests).toEqual(["POST /hook HTTP/1.1"]);

    // A redirect to another host (here another port) is a failure, never followed.
    const elsewhere = await startListener("127.0.0.1");
    const redirecting = await startListener(
      "127.0.0.1",
      () => `HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:${elsewhere.port}/stolen\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    );
    try {
      const redirected = await seedWebhookDeliveries(db, ring, `http://127.0.0.1:${redirecting.port}/hook`);
      await expect(deliver(redirected.deliveryIds[0]!, loopbackAllowed, 8, 8)).rejects.toThrow(/redirect/);
      expect(redirecting.requests).toHaveLength(1);
      expect(elsewhere.connections).toBe(0);
      expect(await db.webhookDelivery.findUniqueOrThrow({ where: { id: redirected.deliveryIds[0]! } })).toMatchObject({ status: "failed", lastStatus: 302 });
    } finally {
      await elsewhere.close();
      await redirecting.close();
    }
  });

  it("disables a webhook exactly at its threshold when many deliveries fail at once, and counts no more failures after", async () => {
    // A receiver that is down: nothing listens on this port any more.
    const dead = await startListener("127.0.0.1");
    const deadUrl = `http://127.0.0.1:${dead.port}/hook`;
    await dead.close();
    const { webhookId, deliveryIds } = await seedWebhookDeliveries(db, ring, deadUrl, 12);
    // Each delivery's last attempt, all at once, as 12 concurrent worker slots would run them.
    const outcomes = await Promise.allSettled(deliveryIds.map((id) => deliver(id, loopbackAllowed, 1, 1, 5)));
    expect(outcomes.filter((o) => o.status === "rejected").length).toBeGreaterThanOrEqual(5);
    // 12 failures, but the count stopped when the webhook was disabled, and the reason names the threshold.
    const hook = await db.webhook.findUniqueOrThrow({ where: { id: webhookId } });
    expect(hook.enabled).toBe(false);
    expect(hook.consecutiveFailures).toBe(5);
    expect(hook.disabledReason).toMatch(/^5 deliveries in a row failed; last: could not connect/);
    const deliveries = await db.webhookDelivery.findMany({ where: { webhookId } });
    expect(deliveries.every((d) => d.status === "failed")).toBe(true);

    // A delivery that comes later fails as disabled and leaves the count alone.
    const first = deliveries[0]!;
    const later = await db.webhookDelivery.create({ data: { webhookId, violationId: first.violationId, event: "policy.violation.later" } });
    await expect(deliver(later.id, loopbackAllowed, 1, 1, 5)).resolves.toEqual({ delivered: false });
    expect(await db.webhook.findUniqueOrThrow({ where: { id: webhookId } })).toMatchObject({ consecutiveFailures: 5, enabled: false });
  });
});
