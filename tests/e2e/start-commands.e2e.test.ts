import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parse } from "yaml";
import { createPrismaClient, type Database } from "@langguard/database";
import { createApiKey } from "../../services/gateway/src/auth/api-keys.ts";
import { startLatencyProxy, type LatencyProxy } from "../helpers/latency-proxy.ts";
import { groupMembersAfter } from "../helpers/process-group.ts";
import { repoRoot, TEST_DATABASE_URL } from "../helpers/test-env.ts";
import { killWorkerGroup, startReadyService, type Service } from "../helpers/worker-process.ts";

const compose = parse(readFileSync(path.join(repoRoot, "docker-compose.yml"), "utf8"), { merge: true }) as {
  services: Record<string, { command?: string[] }>;
};
/** The services compose starts from the image's compiled output, with the script each runs. */
const started = Object.entries(compose.services)
  .map(([name, s]) => [name, s.command?.find((part) => part.startsWith("dist/"))] as const)
  .filter((entry): entry is readonly [string, string] => entry[1] !== undefined);

/** `node dist/<service>.mjs` as compose runs it, ready once its /readyz answers (Postgres and Redis reachable). */
function start(service: Service) {
  return startReadyService(service, `start-${randomUUID().slice(0, 8)}`);
}

describe("the image's start commands", () => {
  const mlflowUrl = inject("mlflowUrl");
  const children: ChildProcess[] = [];
  let db: Database;
  let slow: LatencyProxy;

  beforeAll(async () => {
    db = createPrismaClient({ url: TEST_DATABASE_URL, maxConnections: 2 });
    slow = await startLatencyProxy(mlflowUrl, 1_500);
  });
  afterAll(async () => {
    for (const child of children) killWorkerGroup(child);
    await slow?.close();
    await db?.$disconnect();
  });

  it("are every service compose runs, and each starts from the compiled output and stops cleanly on SIGTERM", async () => {
    expect(started.map(([name]) => name).sort()).toEqual(["catalog-sync", "gateway", "policy-evaluation", "trace-sync"]);
    for (const [name, script] of started) {
      expect(script).toBe(`dist/${name}.mjs`);
      const service = await start(name as Service);
      children.push(service.child);
      const began = Date.now();
      service.child.kill("SIGTERM");
      expect(await service.exited, name).toEqual({ code: 0, signal: null });
      expect(Date.now() - began, name).toBeLessThan(15_000);
      // Nothing of it stays behind: no bridge, no child of any kind.
      expect(await groupMembersAfter(service.child.pid!, 3_000), name).toEqual([]);
    }
  });

  it("the gateway finishes a request in flight when SIGTERM arrives, then exits", async () => {
    const org = await db.organization.create({ data: { slug: `start-${randomUUID().slice(0, 12)}`, name: "Start commands" } });
    const { key } = await createApiKey(db, org.id, "drain test", ["admin"]);
    const gateway = await start("gateway");
    children.push(gateway.child);
    const base = `http://127.0.0.1:${gateway.port}`;
    // A connection test against a workspace 1.5 s away per request: seconds of work in flight.
    const began = Date.now();
    const inFlight = fetch(`${base}/api/integrations/test`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ source: "mlflow", host: slow.url }),
    });
    while (slow.stats().requests === 0 && Date.now() - began < 30_000) await new Promise((r) => setTimeout(r, 50));
    expect(slow.stats().requests).toBeGreaterThan(0);
    gateway.child.kill("SIGTERM");

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { steps: unknown[] }).steps.length).toBeGreaterThan(1);
    expect(Date.now() - began).toBeGreaterThan(1_500);
    expect(await gateway.exited).toEqual({ code: 0, signal: null });
    // Closed to new work once it stopped.
    await expect(fetch(`${base}/health`)).rejects.toThrow();
  });
});
