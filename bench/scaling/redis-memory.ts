import { randomUUID } from "node:crypto";
import { createQueue, createRedisConnection, enqueue, jobId, QueueName } from "@langguard/queue-contracts";

export interface QueuedJobMemory {
  jobs: number;
  /** MEMORY USAGE summed over the scratch prefix's keys, per job: what these jobs alone hold. */
  bytesPerJob: number;
  /** The server's used_memory before and after, per job: the same plus allocator overhead, and whatever other clients did meanwhile. */
  usedMemoryDeltaPerJob: number;
}

async function usedMemory(redis: ReturnType<typeof createRedisConnection>): Promise<number> {
  const info = await redis.info("memory");
  return Number(/^used_memory:(\d+)/m.exec(info)![1]);
}

/**
 * What a sync job costs Redis while it waits: `jobs` trace-sync jobs enqueued through the real
 * producer (payload, deterministic id, default options) on a scratch prefix nothing consumes,
 * measured, then removed. Waiting jobs are what piles up when workers fall behind.
 */
export async function queuedJobMemory(redisUrl: string, jobs: number): Promise<QueuedJobMemory> {
  const prefix = `bench-redis-${randomUUID().slice(0, 8)}`;
  const redis = createRedisConnection(redisUrl);
  const queue = createQueue(QueueName.TraceSync, { connection: redis, prefix });
  try {
    await queue.waitUntilReady();
    const before = await usedMemory(redis);
    for (let i = 0; i < jobs; i += 1) {
      const syncRunId = randomUUID();
      await enqueue(
        queue,
        QueueName.TraceSync,
        { syncRunId, integrationId: randomUUID(), organizationId: randomUUID(), mode: "incremental" },
        jobId.traceSync(syncRunId),
      );
    }
    const after = await usedMemory(redis);
    const keys: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== "0");
    let bytes = 0;
    for (const key of keys) bytes += Number((await redis.call("MEMORY", "USAGE", key, "SAMPLES", "0")) ?? 0);
    return { jobs, bytesPerJob: bytes / jobs, usedMemoryDeltaPerJob: (after - before) / jobs };
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await redis.quit();
  }
}
