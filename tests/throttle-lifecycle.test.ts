import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient, type Database } from "@langguard/database";
import { createLogger } from "@langguard/logger";
import { runSyncJob, THROTTLE_GIVE_UP_MS, ThrottledError } from "@langguard/sync-runs";
import { TEST_DATABASE_URL } from "./helpers/test-env.ts";

/** A sync job's handling of a throttling workspace, on real Postgres rows, with the work replaced by a throw. */
describe("a sync job whose workspace throttles it", () => {
  let db: Database;
  const logger = createLogger({ name: "throttle-test", level: "silent" });
  beforeAll(() => {
    db = createPrismaClient({ url: TEST_DATABASE_URL, maxConnections: 2 });
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  async function newRun(rateLimitedAt: Date | null) {
    const org = await db.organization.create({ data: { slug: `throttle-${randomUUID().slice(0, 12)}`, name: "Throttle" } });
    const integration = await db.integration.create({
      data: { organizationId: org.id, name: "ws", source: "mlflow", host: "http://127.0.0.1:1", rateLimitedAt, rateLimitedCount: rateLimitedAt ? 40 : 0 },
    });
    const run = await db.syncRun.create({ data: { organizationId: org.id, integrationId: integration.id } });
    return { integration, run };
  }
  const throttled = () => Object.assign(new Error("429 Too Many Requests from ws"), { kind: "rate_limited", retryable: true, retryAfterMs: 30_000 });
  const attempt = (runId: string, integrationId: string) =>
    runSyncJob(runId, integrationId, { db, logger, heartbeatMs: 60_000, resumeNote: "it resumes", attempt: 1, maxAttempts: 1 }, async () => {
      throw throttled();
    });

  it("waits as the workspace said, without failing the run, even on its last attempt", async () => {
    const { integration, run } = await newRun(null);
    const error = await attempt(run.id, integration.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as ThrottledError).throttleDelayMs).toBe(30_000);
    expect(await db.syncRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "queued", errorKind: "rate_limited" });
    const row = await db.integration.findUniqueOrThrow({ where: { id: integration.id } });
    expect(row.rateLimitedCount).toBe(1);
    expect(row.rateLimitedUntil!.getTime() - Date.now()).toBeGreaterThan(25_000);

    // The next job for this workspace waits out the rest without starting an attempt.
    const again = await attempt(run.id, integration.id).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ThrottledError);
    expect((again as ThrottledError).throttleDelayMs).toBeGreaterThan(25_000);
    expect((await db.syncRun.findUniqueOrThrow({ where: { id: run.id } })).attempts).toBe(1);
  });

  it("fails the run with the reason once the workspace has throttled for longer than the give-up time", async () => {
    const { integration, run } = await newRun(new Date(Date.now() - THROTTLE_GIVE_UP_MS - 60_000));
    const error = await attempt(run.id, integration.id).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(ThrottledError);
    expect(await db.syncRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({
      status: "failed",
      errorKind: "rate_limited",
      errorMessage: expect.stringContaining("429 Too Many Requests"),
    });
  });
});
