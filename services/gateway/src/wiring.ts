import { bridgeFromSettings, type BridgeLogger } from "@langguard/bridge-client";
import type { Database } from "@langguard/database";
import { serializeHostPolicy } from "@langguard/host-policy";
import { createQueue, queueNames, queuePrefix, type PayloadOf, type QueueName, type RedisClient } from "@langguard/queue-contracts";
import type { Queue } from "bullmq";
import { keyRingFromSettings } from "@langguard/secrets";
import { bridgeMetrics } from "@langguard/service-runtime";
import type { GatewayDeps } from "./deps.ts";
import { hostPolicyOf, settingsOf, type GatewayEnv } from "./env.ts";

/**
 * Everything the gateway's routes use, built from its settings and connections: the queues it
 * produces to, the key ring, the host policy, the bridge for connection tests. One builder for
 * main.ts and the tests, so a test fleet is wired exactly as the deployed gateway is.
 */
export function gatewayDeps(env: GatewayEnv, db: Database, redis: RedisClient, logger: BridgeLogger) {
  const prefix = queuePrefix(env);
  const hostPolicy = hostPolicyOf(env);
  // Every queue of the catalogue, the ones the gateway only watches included (Bull Board, metrics).
  const everyQueue = Object.fromEntries(queueNames.map((name) => [name, createQueue(name, { connection: redis, prefix })])) as {
    [Q in QueueName]: Queue<PayloadOf<Q>>;
  };
  return {
    db,
    redis,
    everyQueue,
    queues: { traces: everyQueue["trace-sync"], catalog: everyQueue["catalog-sync"] },
    schedules: everyQueue["sync-schedule"],
    policyQueue: everyQueue["policy-evaluation"],
    keyRing: keyRingFromSettings(env.ENCRYPTION_KEY, env.ENCRYPTION_KEY_PREVIOUS),
    hostPolicy,
    // Warm unless PYTHON_BRIDGE_MODE says cold.
    bridge: bridgeFromSettings(env, serializeHostPolicy(hostPolicy), logger, bridgeMetrics),
    pythonPath: env.PYTHON_PATH,
    settings: settingsOf(env),
  } satisfies GatewayDeps & { pythonPath: string };
}

export type GatewayWiring = ReturnType<typeof gatewayDeps>;

/** The queues gatewayDeps opened, for closing (or, in tests, emptying). */
export function queuesOf(deps: GatewayWiring): Queue[] {
  return Object.values(deps.everyQueue) as Queue[];
}
