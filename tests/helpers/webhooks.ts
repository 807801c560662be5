import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { sealWebhookSecret } from "@langguard/credentials";
import type { Database } from "@langguard/database";
import type { KeyRing } from "@langguard/secrets";

/**
 * Webhook rows written straight into the database, as a row the API never checked would be: an
 * organization, an integration with one trace per violation, a policy, the webhook, and one
 * pending delivery per violation.
 */
export async function seedWebhookDeliveries(db: Database, ring: KeyRing, url: string, count = 1) {
  const org = await db.organization.create({ data: { slug: `hooks-${randomUUID().slice(0, 12)}`, name: "Webhook test organization" } });
  const integration = await db.integration.create({ data: { organizationId: org.id, name: "hooks", source: "mlflow", host: "http://127.0.0.1:1" } });
  const policy = await db.policy.create({
    data: { organizationId: org.id, kind: "custom", name: "hooks", category: "custom", severity: "high", expression: "true" },
  });
  const webhookId = randomUUID();
  await db.webhook.create({ data: { id: webhookId, organizationId: org.id, url, secretCiphertext: sealWebhookSecret(ring, webhookId, "whsec_test") } });
  const deliveryIds: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const trace = await db.trace.create({
      data: { organizationId: org.id, integrationId: integration.id, externalId: `tr-${randomUUID()}`, timestamp: new Date(), status: "OK", contentHash: "x" },
    });
    const violation = await db.violation.create({
      data: { organizationId: org.id, integrationId: integration.id, traceId: trace.id, policyId: policy.id, policyVersion: 1, severity: "high", message: "m" },
    });
    const delivery = await db.webhookDelivery.create({ data: { webhookId, violationId: violation.id, event: "policy.violation" } });
    deliveryIds.push(delivery.id);
  }
  return { organizationId: org.id, webhookId, deliveryIds };
}

/**
 * A TCP listener that records every connection it is offered, whatever is said on it (plain
 * HTTP or a TLS handshake): a refused receiver must see none. `respond` answers HTTP requests.
 */
export interface Listener {
  port: number;
  connections: number;
  requests: string[];
  close(): Promise<void>;
}

export async function startListener(host = "127.0.0.1", respond: (request: string) => string = () => "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n") {
  const sockets = new Set<Socket>();
  const listener: Partial<Listener> & { connections: number; requests: string[] } = { connections: 0, requests: [] };
  const server: Server = createServer((socket) => {
    listener.connections += 1;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      if (received.includes("\r\n\r\n") && /^[A-Z]+ /.test(received)) {
        listener.requests.push(received.split("\r\n")[0]!);
        socket.end(respond(received));
      }
    });
    socket.on("error", () => undefined);
  });
  server.listen(0, host);
  await once(server, "listening");
  listener.port = (server.address() as { port: number }).port;
  listener.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return listener as Listener;
}
