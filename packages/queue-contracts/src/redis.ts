import { Cluster, Redis, type RedisOptions } from "ioredis";

/** One server or a Redis Cluster: ioredis speaks both and BullMQ takes either as its connection. */
export type RedisClient = Redis | Cluster;

export interface ClusterSeeds {
  nodes: Array<{ host: string; port: number }>;
  username?: string;
  password?: string;
  tls: boolean;
}

const CLUSTER_URL = /^(rediss?)\+cluster:\/\/(.*)$/;

/** Whether REDIS_URL names a cluster (`redis+cluster://` or `rediss+cluster://`). */
export function isClusterUrl(url: string): boolean {
  return CLUSTER_URL.test(url);
}

/**
 * `redis+cluster://[user:password@]host:port[,host:port…]`, `rediss+cluster://` for TLS: nodes to
 * learn the cluster from (one is enough; list more so a start survives one being down), and the
 * credentials every node shares. Multi-host URLs follow libpq's and MongoDB's; keeping cluster mode
 * inside REDIS_URL means every process that reads REDIS_URL today follows it without another setting.
 * Null for a plain redis:// URL.
 */
export function parseClusterUrl(url: string): ClusterSeeds | null {
  const match = CLUSTER_URL.exec(url);
  if (!match) return null;
  const fail = (why: string): never => {
    throw new Error(`REDIS_URL: ${why}; expected ${match[1]}+cluster://[user:password@]host:port[,host:port…]`);
  };
  // A cluster has database 0 only, so a path can say nothing else.
  const rest = match[2]!.replace(/\/0?$/, "");
  if (/[/?#]/.test(rest)) fail("a cluster URL takes no database or options");
  const at = rest.lastIndexOf("@");
  const userInfo = at >= 0 ? rest.slice(0, at) : "";
  const colon = userInfo.indexOf(":");
  const username = decodeURIComponent(colon >= 0 ? userInfo.slice(0, colon) : userInfo) || undefined;
  const password = colon >= 0 ? decodeURIComponent(userInfo.slice(colon + 1)) || undefined : undefined;
  const nodes = (at >= 0 ? rest.slice(at + 1) : rest).split(",").map((hostPort) => {
    const parsed = URL.canParse(`redis://${hostPort}`) ? new URL(`redis://${hostPort}`) : fail(`'${hostPort}' is not host:port`);
    if (!parsed.hostname || parsed.username || parsed.pathname) fail(`'${hostPort}' is not host:port`);
    return { host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"), port: Number(parsed.port || 6379) };
  });
  return { nodes, username, password, tls: match[1] === "rediss" };
}

/** BullMQ needs `maxRetriesPerRequest: null` on worker connections so blocking calls survive reconnects. */
const BULLMQ_OPTIONS: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true };

export function createRedisConnection(url: string): RedisClient {
  const seeds = parseClusterUrl(url);
  if (!seeds) return new Redis(url, BULLMQ_OPTIONS);
  return new Cluster(seeds.nodes, {
    redisOptions: { ...BULLMQ_OPTIONS, username: seeds.username, password: seeds.password, tls: seeds.tls ? {} : undefined },
    // Over TLS a node must be reached by the name its certificate carries, not the address it resolves to.
    ...(seeds.tls ? { dnsLookup: (address: string, callback: (error: null, address: string) => void) => callback(null, address) } : {}),
  });
}

/** The first `{…}` with something inside: what Redis Cluster hashes instead of the whole key. */
export function hashTagOf(key: string): string | null {
  const open = key.indexOf("{");
  const close = open >= 0 ? key.indexOf("}", open + 1) : -1;
  return close > open + 1 ? key.slice(open + 1, close) : null;
}

/**
 * The prefix BullMQ's keys get. BullMQ's scripts touch several keys of a queue at once, which a
 * cluster allows only within one hash slot, so on a cluster the prefix must carry a hash tag. It is
 * derived here rather than demanded of the operator: every process computes it from the same two
 * settings, so they cannot disagree, and the default QUEUE_PREFIX works on a cluster as it is. A
 * prefix that already has a tag is kept (deriving twice changes nothing). One tag puts all of a
 * fleet's queues on one master; their traffic is small beside Postgres', and BullMQ's own advice of
 * a tag per queue would change every queue's keys for no measured need.
 */
export function queuePrefix(env: { QUEUE_PREFIX: string; REDIS_URL: string }): string {
  if (!isClusterUrl(env.REDIS_URL) || hashTagOf(env.QUEUE_PREFIX) !== null) return env.QUEUE_PREFIX;
  return `{${env.QUEUE_PREFIX}}`;
}

/**
 * The servers behind a client: every node of a cluster (masters only when asked), or the one server.
 * A cluster client knows its nodes once it has read the slot map, which a first command waits for.
 */
export async function serversOf(client: RedisClient, role: "all" | "master" = "all"): Promise<Redis[]> {
  if (!(client instanceof Cluster)) return [client];
  if (client.status !== "ready") await client.ping();
  return client.nodes(role);
}

/**
 * Readiness. On a cluster every master must answer: each serves slots some of the fleet's keys live
 * in, and a cluster missing one refuses commands for its slots. A cluster client still connecting is
 * not ready (rather than waiting here, so /readyz answers).
 */
export async function pingRedis(client: RedisClient): Promise<void> {
  if (!(client instanceof Cluster)) {
    await client.ping();
    return;
  }
  if (client.status !== "ready") throw new Error(`Redis Cluster connection is ${client.status}`);
  const masters = client.nodes("master");
  if (masters.length === 0) throw new Error("Redis Cluster has no reachable master");
  await Promise.all(masters.map((master) => master.ping()));
}

/** host:port of a server, for log lines. */
export function addressOf(server: Redis): string {
  return `${server.options.host}:${server.options.port}`;
}
