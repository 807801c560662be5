import type { BridgeClient } from "@langguard/bridge-client";
import type { Database } from "@langguard/database";
import type { HostPolicy } from "@langguard/host-policy";
import type { KeyRing } from "@langguard/secrets";
import type { ReconcileSettings, ScheduleQueue, SyncQueues } from "@langguard/sync-runs";
import type { Queue } from "bullmq";
import type { SessionSettings } from "./auth/sessions.ts";
import type { PayloadOf, QueueName, RedisClient } from "@langguard/queue-contracts";

export interface GatewaySettings {
  allowedHosts: string[];
  corsOrigins: string[];
  rateLimitPerMinute: number;
  expensiveRateLimitPerMinute: number;
  /** Failed authentications per client address and minute before it is answered 429. */
  authFailuresPerMinute: number;
  /** API_KEY_CACHE_MS: how long a verified API key is trusted without reading it again (0: never). */
  apiKeyCacheMs: number;
  connectionTestConcurrency: number;
  /** Namespace for the gateway's own Redis keys (rate limits): QUEUE_PREFIX without a hash tag. */
  redisPrefix: string;
  reconcile: ReconcileSettings;
  /** Console sessions' idle and absolute lifetimes. */
  sessions: SessionSettings;
  loginFailuresPerEmail: number;
  /** FORCE_HTTPS: upgrade-insecure-requests, HSTS and Secure cookies. */
  forceHttps: boolean;
  /** PUBLIC_URL: the base of links in invitations; null means the address of the request. */
  publicUrl: string | null;
}

/** What routes need, built once in main.ts (or by a test) and handed to every plugin. */
export interface GatewayDeps {
  db: Database;
  redis: RedisClient;
  /** Every queue of queue-contracts' catalogue, by name: what Bull Board and langguard_queue_jobs show. */
  everyQueue: { [Q in QueueName]: Queue<PayloadOf<Q>> };
  queues: SyncQueues;
  /** Each integration's sync schedules (BullMQ job schedulers), kept in step with its settings. */
  schedules: ScheduleQueue;
  /** Re-evaluation windows are queued here. */
  policyQueue: Queue<PayloadOf<"policy-evaluation">>;
  keyRing: KeyRing;
  hostPolicy: HostPolicy;
  bridge: BridgeClient;
  settings: GatewaySettings;
}
