/**
 * The queue board (Bull Board) shows every tenant's jobs and can pause, empty or obliterate any
 * queue: only an operator key opens it, made by `pnpm admin create-operator-key`. Organization
 * keys of every scope are refused on every one of its routes, reads and actions alike.
 */
import { randomUUID } from "node:crypto";
import { createQueue, QueueName } from "@langguard/queue-contracts";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleet, type Fleet } from "../../../tests/helpers/fleet.ts";
import { repoRoot, TEST_DATABASE_URL } from "../../../tests/helpers/test-env.ts";

describe("queue board", () => {
  let fleet: Fleet;
  let jobId: string;
  const board = () => fleet.app.routeTable.filter((r) => r.url === "/admin/queues" || r.url.startsWith("/admin/queues/"));
  /** A concrete URL for a board route: the fleet's trace-sync queue and the job another tenant left in it. */
  const concrete = (url: string) =>
    url.replaceAll(":queueName", "trace-sync").replaceAll(":jobId", jobId).replaceAll(":schedulerId", "scheduler").replace(/\*$/, "main.js");

  beforeAll(async () => {
    fleet = await startFleet({ worker: false });
    // Organization A's job, naming its ids and a failure reason with its host.
    const organizationA = await fleet.newOrganization(["admin"]);
    const queue = await boardQueue();
    try {
      const job = await queue.add(
        QueueName.TraceSync,
        { syncRunId: randomUUID(), integrationId: randomUUID(), organizationId: organizationA.organizationId, mode: "incremental" },
        { jobId: `sync-run-${randomUUID()}` },
      );
      jobId = job.id!;
    } finally {
      await queue.close();
    }
  });
  afterAll(() => fleet?.close());

  const boardQueue = async () => createQueue(QueueName.TraceSync, { connection: fleet.redis, prefix: fleet.prefix });

  it("has routes for reads and actions", () => {
    const methods = new Set(board().map((r) => r.method));
    expect(board().length).toBeGreaterThan(15);
    for (const method of ["GET", "PUT", "POST", "PATCH"]) expect(methods).toContain(method);
    for (const route of board()) expect(route.scope, `${route.method} ${route.url}`).toBe("operator");
  });

  it("refuses organization keys of every scope on every board route, and acts on nothing", async () => {
    const keys = [fleet.apiKey, ...(await Promise.all((["read", "write", "admin"] as const).map(async (s) => (await fleet.newOrganization([s])).apiKey)))];
    for (const route of board()) {
      for (const key of keys) {
        const res = await fleet.app.inject({
          method: route.method as "GET",
          url: concrete(route.url),
          headers: { authorization: `Bearer ${key}` },
          payload: route.method === "GET" || route.method === "DELETE" ? undefined : {},
        });
        expect(res.statusCode, `${route.method} ${route.url}`).toBe(403);
        expect(res.json().message).toContain("operator");
        expect(res.body).not.toContain(jobId);
      }
    }
    const queue = await boardQueue();
    try {
      expect(await queue.isPaused()).toBe(false);
      expect(await queue.getJob(jobId)).toBeDefined();
    } finally {
      await queue.close();
    }
  });

  it("opens to an operator key made by `pnpm admin create-operator-key`, which opens nothing else", async () => {
    const made = await execa("pnpm", ["-s", "admin", "create-operator-key", "on-call"], { cwd: repoRoot, env: { DATABASE_URL: TEST_DATABASE_URL } });
    const key = /(lgo_\S+)/.exec(made.stdout)?.[1];
    expect(key).toBeDefined();
    const headers = { authorization: `Bearer ${key}` };
    const queues = await fleet.app.inject({ method: "GET", url: "/admin/queues/api/queues", headers });
    expect(queues.statusCode).toBe(200);
    expect(queues.body).toContain("trace-sync");
    const ui = await fleet.app.inject({ method: "GET", url: "/admin/queues", headers });
    expect(ui.statusCode).toBe(200);
    // Not an organization's key: the API's organization routes refuse it.
    const api = await fleet.app.inject({ method: "GET", url: "/api/integrations", headers });
    expect(api.statusCode).toBe(403);
    // A revoked operator key is no key at all.
    const prefix = key!.split("_")[1]!;
    await execa("pnpm", ["-s", "admin", "revoke-operator-key", prefix], { cwd: repoRoot, env: { DATABASE_URL: TEST_DATABASE_URL } });
    expect((await fleet.app.inject({ method: "GET", url: "/admin/queues/api/queues", headers })).statusCode).toBe(401);
  });
});
