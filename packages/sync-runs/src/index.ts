export {
  ACTIVE,
  FINISHED,
  completeRun,
  type ContainerError,
  failRun,
  finishRunOfFailedJob,
  loadRun,
  markRunning,
  requeueRun,
  startHeartbeat,
  type RunOutcome,
  type RunProblem,
} from "./lifecycle.ts";
export { enqueueRun, findJob, jobIdOf, type CatalogSyncQueue, type SyncQueues, type TraceSyncQueue } from "./queues.ts";
export { reconcileRun, reconcileSyncRuns, type ReconcileSettings, type Repair } from "./reconcile.ts";
export { triggerSync, type Triggered } from "./trigger.ts";
export { describeFailure, runSyncJob, type SyncAttempt, type SyncJobContext, type SyncWorkResult } from "./job.ts";
export {
  applySchedules,
  processScheduledSync,
  reconcileSchedules,
  removeSchedules,
  scheduleId,
  tickOffsetMs,
  type ScheduleQueue,
  type ScheduledSyncDeps,
} from "./schedules.ts";
export {
  clearThrottle,
  RATE_LIMIT_CLEARED,
  rateLimitView,
  recordThrottle,
  ThrottledError,
  throttleDelayMs,
  throttleOf,
  throttleRemainingMs,
  THROTTLE_BASE_MS,
  THROTTLE_CAP_MS,
  THROTTLE_GIVE_UP_MS,
} from "./throttle.ts";
