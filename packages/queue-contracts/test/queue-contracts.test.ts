import { randomUUID } from "node:crypto";
import { QueueEvents } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "@langguard/logger";
import { createQueue, createRedisConnection, enqueue, EVENTS_KEPT, jobId, QueueName, queueCatalog, TraceSyncPayload } from "@langguard/queue-contracts";
import { registerWorker } from "@langguard/service-runtime";
import { REDIS_URL } from "../../../tests/helpers/test-env.ts";

const ids = () => ({ syncRunId: randomUUID(), integrationId: randomUUID(), organizationId: randomUUID() });

describe("queue contracts", () => {
  const redis = createRedisConnection(REDIS_URL);
  afterAll(() => redis.quit());

  it("payloads carry ids only: anything else, a token included, is rejected", () => {
    expect(TraceSyncPayload.safeParse({ ...ids(), mode: "incremental" }).success).toBe(true);
    const withToken = TraceSyncPayload.safeParse({ ...ids(), mode: "incremental", token: "dapi-x" });
    expect(withToken.success).toBe(false);
    expect(withToken.error?.issues[0]?.code).toBe("unrecognized_keys");
    expect(TraceSyncPayload.safeParse({ ...ids(), integrationId: "x", mode: "incremental" }).success).toBe(false);
  });

  it("the producer validates before Redis and its deterministic job id makes re-enqueueing a no-op", async () => {
    const prefix = `test-${randomUUID().slice(0, 8)}`;
    const queue = createQueue(QueueName.TraceSync, { connection: redis, prefix });
    const payload = { ...ids(), mode: "full" as const };
    await expect(enqueue(queue, QueueName.TraceSync, { ...payload, mode: "sometimes" as "full" }, "x")).rejects.toThrow();
    const a = await enqueue(queue, QueueName.TraceSync, payload, jobId.traceSync(payload.syncRunId));
    const b = await enqueue(queue, QueueName.TraceSync, payload, jobId.traceSync(payload.syncRunId));
    expect(a.id).toBe(b.id);
    expect(await queue.getJobCounts("wait")).toEqual({ wait: 1 });
    const job = await queue.getJob(a.id!);
    expect(job?.opts.attempts).toBe(5);
    expect(job?.opts.backoff).toEqual({ type: "retry-after", delay: 5000 });
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it("keeps a short event stream: no process of the fleet reads it", async () => {
    const prefix = `test-${randomUUID().slice(0, 8)}`;
    const queue = createQueue(QueueName.PolicyEvaluation, { connection: redis, prefix });
    await queue.waitUntilReady();
    expect((await queue.getMeta()).maxLenEvents).toBe(EVENTS_KEPT);
    // Trimming is approximate (XADD MAXLEN ~), so the stream stays near the bound, never far past it.
    const jobs = Array.from({ length: 3 * EVENTS_KEPT }, (_, i) => ({
      name: QueueName.PolicyEvaluation,
      data: {} as never,
      opts: { jobId: `e-${i}`, delay: 60_000 },
    }));
    await queue.addBulk(jobs);
    expect(await redis.xlen(`${prefix}:${QueueName.PolicyEvaluation}:events`)).toBeLessThan(EVENTS_KEPT * 1.5);
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it("a worker fails an invalid payload at once, without retries", async () => {
    const prefix = `test-${randomUUID().slice(0, 8)}`;
    const queue = createQueue(QueueName.TraceSync, { connection: redis, prefix });
    const events = new QueueEvents(QueueName.TraceSync, { connection: createRedisConnection(REDIS_URL), prefix });
    await events.waitUntilReady();
    let calls = 0;
    const worker = registerWorker(QueueName.TraceSync, async () => void calls++, {
      connection: createRedisConnection(REDIS_URL),
      prefix,
      concurrency: 1,
      logger: createLogger({ name: "test", level: "silent" }),
    });
    // Written around the producer, as an old or foreign producer might.
    const job = await queue.add(QueueName.TraceSync, { syncRunId: "nope" } as never, { attempts: 5 });
    const failed = new Promise<string>((resolve) => events.on("failed", ({ jobId: id, failedReason }) => id === job.id && resolve(failedReason)));
    expect(await failed).toContain("Invalid trace-sync payload: syncRunId");
    const stored = await queue.getJob(job.id!);
    expect(stored?.attemptsMade).toBe(1);
    expect(await stored?.getState()).toBe("failed");
    expect(calls).toBe(0);
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
  });
});

describe("the queue catalogue's job ids and options", () => {
  it("names a batch of traces by its content, so a producer that retries it (sync or sweep) adds it once", () => {
    const traceIds = [randomUUID(), randomUUID()];
    const run = randomUUID();
    expect(jobId.policyBatch(run, traceIds)).toBe(jobId.policyBatch(run, [...traceIds]));
    expect(jobId.policyBatch(run, traceIds)).not.toBe(jobId.policyBatch(run, [traceIds[0]!]));
    expect(jobId.policyBatch("sweep", traceIds)).not.toBe(jobId.policyBatch(run, traceIds));
    expect(jobId.policyBatch(run, traceIds)).toMatch(new RegExp(`^policy-${run}-[0-9a-f]{24}$`));
  });

  it("lets sync runs, which resume, survive worker deaths that other jobs do not", () => {
    expect(queueCatalog[QueueName.TraceSync].maxStalledCount).toBe(20);
    expect(queueCatalog[QueueName.CatalogSync].maxStalledCount).toBe(20);
    expect(queueCatalog[QueueName.PolicyEvaluation].maxStalledCount).toBe(1);
  });

  it("validates a window re-evaluation before Redis, as every producer does", async () => {
    const queue = createQueue(QueueName.PolicyEvaluation, { connection: createRedisConnection(REDIS_URL), prefix: `test-${randomUUID().slice(0, 8)}` });
    const bad = { organizationId: randomUUID(), policyId: randomUUID(), fromMs: -1, toMs: 0 };
    await expect(enqueue(queue, QueueName.PolicyEvaluation, bad, jobId.policyWindow(bad.policyId, randomUUID()))).rejects.toThrow(/fromMs/);
    expect(await queue.count()).toBe(0);
    await queue.obliterate({ force: true });
    await queue.close();
  });
});
