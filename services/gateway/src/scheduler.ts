import type { Database } from "@langguard/database";
import type { Logger } from "@langguard/logger";
import { createRedisConnection, QueueName } from "@langguard/queue-contracts";
import { registerWorker, type RegisteredWorker } from "@langguard/service-runtime";
import { processScheduledSync, reconcileSchedules, type ReconcileSettings, type ScheduleQueue, type SyncQueues } from "@langguard/sync-runs";

export interface SchedulerDeps {
  db: Database;
  queues: SyncQueues;
  schedules: ScheduleQueue;
  settings: ReconcileSettings;
  redisUrl: string;
  prefix: string;
  logger: Logger;
}

/**
 * Turns schedule ticks into sync runs. Every gateway process runs one; BullMQ hands each tick to
 * one of them. At start, the schedulers in Redis are rebuilt from Postgres, so a Redis that lost
 * them, or an integration changed while no gateway ran, is set right.
 */
export async function startScheduler(deps: SchedulerDeps): Promise<RegisteredWorker> {
  const result = await reconcileSchedules(deps.db, deps.schedules);
  deps.logger.info(result, "sync schedules match the integrations' settings");
  const connection = createRedisConnection(deps.redisUrl);
  const registered = registerWorker(QueueName.SyncSchedule, (payload) => processScheduledSync(payload, deps), {
    connection,
    prefix: deps.prefix,
    concurrency: 4,
    logger: deps.logger,
  });
  return {
    ...registered,
    close: async () => {
      await registered.close();
      await connection.quit();
    },
  };
}
