import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { sealWebhookSecret } from "@langguard/credentials";
import type { Database } from "@langguard/database";
import type { KeyRing } from "@langguard/secrets";
import { seedViolations } from "./violations.ts";

/**
 * Webhook rows written straight into the database, as a row the API never checked would be: an
 * organization with violations (seedViolations), the webhook, and one pending delivery per violation.
 */
export async function seedWebhookDeliveries(db: Database, ring: KeyRing, url: string, count = 1) {
  const org = await db.organization.create({ data: { slug: `hooks-${randomUUID().slice(0, 12)}`, name: "Webhook test organization" } });
  const { violationIds } = await seedViolations(db, org.id, count);
  const webhookId = randomUUID();
  await db.webhook.create({ data: { id: webhookId, organizationId: org.id, url, secretCiphertext: sealWebhookSecret(ring, webhookId, "whsec_test") } });
  const deliveryIds: string[] = [];
  for (const violationId of violationIds) {
    deliveryIds.push((await db.webhookDelivery.create({ data: { webhookId, violationId, event: "policy.violation" } })).id);
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
