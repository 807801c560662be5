import type { Database } from "@langguard/database";
import { addressOf, serversOf, type RedisClient } from "@langguard/queue-contracts";
import { Gauge, probe, registry } from "@langguard/service-runtime";

/**
 * The fleet's state as Postgres and Redis hold it, read when Prometheus scrapes the gateway: what
 * no single worker can count (runs in flight, integrations failing or throttled, how far behind the
 * syncs are) and what the fleet depends on (Redis memory, Postgres connections). Every gateway
 * reports the same numbers, so dashboards and alerts take max() over instances.
 *
 * One read serves every gauge of a scrape, and reads are at least SNAPSHOT_TTL_MS apart however many
 * Prometheus servers scrape. A dependency that does not answer within the probe's deadline leaves
 * its gauges out of that scrape rather than holding it.
 */
const SNAPSHOT_TTL_MS = 5_000;
/** Within Prometheus' default scrape timeout (10 s), with room for the rest of the exposition. */
const READ_TIMEOUT_MS = 5_000;
const KINDS = ["traces", "catalog"] as const;

interface FleetSnapshot {
  runs: Array<{ kind: string; status: string; count: number; longestSeconds: number | null }>;
  failing: Array<{ integrationId: string; kind: string; failedInARow: number }>;
  throttled: Array<{ integrationId: string; seconds: number }>;
  expiring: Array<{ integrationId: string; seconds: number }>;
  lag: Array<{ kind: string; seconds: number }>;
  postgres: { connections: number; limit: number } | null;
  redis: Array<{ node: string; used: number; max: number }> | null;
}

async function readDatabase(db: Database): Promise<Omit<FleetSnapshot, "redis" | "postgres">> {
  const runs = await db.$queryRaw<Array<{ kind: string; status: string; count: bigint; longest: number | null }>>`
    SELECT kind::text AS kind, status::text AS status, count(*) AS count,
           EXTRACT(EPOCH FROM now() - min("startedAt") FILTER (WHERE status = 'running'))::float8 AS longest
    FROM "SyncRun" WHERE status IN ('queued', 'running') GROUP BY kind, status`;
  // Per enabled integration and kind it syncs: its last three finished runs, newest first, and its
  // last success (or its creation, when it never succeeded) for the lag.
  const recent = await db.$queryRaw<Array<{ integrationId: string; kind: string; statuses: string[] | null; lagSeconds: number | null }>>`
    SELECT i.id::text AS "integrationId", k.kind::text AS kind, last.statuses,
           CASE WHEN i."syncIntervalMinutes" > 0 AND ((k.kind = 'traces' AND i."syncTraces") OR (k.kind = 'catalog' AND i."syncCatalog"))
                THEN EXTRACT(EPOCH FROM now() - coalesce(ok."completedAt", i."createdAt"))::float8 END AS "lagSeconds"
    FROM "Integration" i
    CROSS JOIN (VALUES ('traces'::"SyncKind"), ('catalog'::"SyncKind")) AS k(kind)
    CROSS JOIN LATERAL (
      SELECT array_agg(r.status::text ORDER BY r."createdAt" DESC) AS statuses FROM (
        SELECT status, "createdAt" FROM "SyncRun"
        WHERE "integrationId" = i.id AND kind = k.kind AND status IN ('succeeded', 'partial', 'failed')
        ORDER BY "createdAt" DESC LIMIT 3
      ) r
    ) last
    LEFT JOIN LATERAL (
      SELECT "completedAt" FROM "SyncRun"
      WHERE "integrationId" = i.id AND kind = k.kind AND status IN ('succeeded', 'partial')
      ORDER BY "createdAt" DESC LIMIT 1
    ) ok ON true
    WHERE i.enabled`;
  // One pass over the integrations for both per-integration clocks: throttled since, and expiring in.
  const clocks = await db.$queryRaw<Array<{ integrationId: string; throttledSeconds: number | null; expirySeconds: number | null }>>`
    SELECT id::text AS "integrationId",
           EXTRACT(EPOCH FROM now() - "rateLimitedAt")::float8 AS "throttledSeconds",
           EXTRACT(EPOCH FROM "credentialExpiresAt" - now())::float8 AS "expirySeconds"
    FROM "Integration" WHERE enabled AND ("rateLimitedAt" IS NOT NULL OR "credentialExpiresAt" IS NOT NULL)`;
  const throttled = clocks.flatMap((c) => (c.throttledSeconds === null ? [] : [{ integrationId: c.integrationId, seconds: c.throttledSeconds }]));
  const expiring = clocks.flatMap((c) => (c.expirySeconds === null ? [] : [{ integrationId: c.integrationId, seconds: c.expirySeconds }]));
  const failing: FleetSnapshot["failing"] = [];
  const lag = new Map<string, number>(KINDS.map((kind) => [kind, 0]));
  for (const row of recent) {
    const statuses = row.statuses ?? [];
    const failedInARow = statuses.findIndex((status) => status !== "failed");
    const count = failedInARow === -1 ? statuses.length : failedInARow;
    if (count > 0) failing.push({ integrationId: row.integrationId, kind: row.kind, failedInARow: count });
    if (row.lagSeconds !== null) lag.set(row.kind, Math.max(lag.get(row.kind) ?? 0, row.lagSeconds));
  }
  return {
    runs: runs.map((r) => ({ kind: r.kind, status: r.status, count: Number(r.count), longestSeconds: r.longest })),
    failing,
    throttled,
    expiring,
    lag: [...lag].map(([kind, seconds]) => ({ kind, seconds })),
  };
}

async function readPostgres(db: Database): Promise<FleetSnapshot["postgres"]> {
  // What ordinary roles may use: superuser_reserved_connections are kept back from them.
  const [row] = await db.$queryRaw<Array<{ connections: number; limit: number }>>`
    SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS connections,
           (current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int) AS "limit"`;
  return row ?? null;
}

async function readRedis(redis: RedisClient): Promise<FleetSnapshot["redis"]> {
  const servers = await serversOf(redis, "master");
  return Promise.all(
    servers.map(async (server) => {
      const info = await server.info("memory");
      const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, "m").exec(info)?.[1] ?? 0);
      return { node: addressOf(server), used: field("used_memory"), max: field("maxmemory") };
    }),
  );
}

/** Resolves to `read()`, or null (said in the log) when it fails or does not answer within the probe's deadline. */
async function within<T>(what: string, read: () => Promise<T>): Promise<T | null> {
  let value: T | null = null;
  let failure: unknown;
  const outcome = await probe(async () => {
    try {
      value = await read();
    } catch (error) {
      failure = error;
      throw error;
    }
  }, READ_TIMEOUT_MS);
  if (outcome === "ok") return value;
  source?.log({ err: failure, what }, `metrics: could not read ${what}; its gauges are left out of this scrape`);
  return null;
}

// One set of gauges per process (the registry is the process's); the gateway built last feeds them.
let source: { db: Database; redis: RedisClient; log: (details: object, message: string) => void } | undefined;
let cached: { at: number; snapshot: Promise<FleetSnapshot | null> } | undefined;

function snapshot(): Promise<FleetSnapshot | null> {
  if (!cached || Date.now() - cached.at > SNAPSHOT_TTL_MS) {
    const from = source;
    cached = {
      at: Date.now(),
      snapshot: from
        ? (async () => {
            const [database, postgres, memory] = await Promise.all([
              within("the fleet's state from Postgres", () => readDatabase(from.db)),
              within("Postgres' connections", () => readPostgres(from.db)),
              within("Redis' memory", () => readRedis(from.redis)),
            ]);
            return { runs: [], failing: [], throttled: [], expiring: [], lag: [], ...database, postgres, redis: memory };
          })()
        : Promise.resolve(null),
    };
  }
  return cached.snapshot;
}

/** Feeds the fleet gauges from this gateway's Postgres and Redis. */
export function registerFleetGauges(db: Database, redis: RedisClient, log: (details: object, message: string) => void): void {
  source = { db, redis, log };
  cached = undefined;
}

function gauge(name: string, help: string, labelNames: string[], fill: (gauge: Gauge<string>, s: FleetSnapshot) => void) {
  return new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      const current = await snapshot();
      if (current) fill(this, current);
    },
  });
}

gauge("langguard_sync_runs_active", "Sync runs queued or running now, by kind and status (from Postgres)", ["kind", "status"], (g, s) => {
  for (const kind of KINDS) for (const status of ["queued", "running"]) g.set({ kind, status }, 0);
  for (const run of s.runs) g.set({ kind: run.kind, status: run.status }, run.count);
});
gauge(
  "langguard_sync_run_longest_running_seconds",
  "How long the oldest run still running has been, by kind (0 when none runs); a run resumed after a retry counts from its first start",
  ["kind"],
  (g, s) => {
    for (const kind of KINDS) g.set({ kind }, s.runs.find((r) => r.kind === kind && r.status === "running")?.longestSeconds ?? 0);
  },
);
gauge(
  "langguard_integration_failed_runs_in_a_row",
  "Integrations whose latest sync of a kind failed: how many of its last three runs failed in a row (1 to 3); absent for the others",
  ["integration_id", "kind"],
  (g, s) => {
    for (const f of s.failing) g.set({ integration_id: f.integrationId, kind: f.kind }, f.failedInARow);
  },
);
gauge(
  "langguard_integration_throttled_seconds",
  "Integrations whose workspace is rate-limiting the fleet: seconds since it started to, until a sync succeeds; absent for the others",
  ["integration_id"],
  (g, s) => {
    for (const t of s.throttled) g.set({ integration_id: t.integrationId }, t.seconds);
  },
);
gauge(
  "langguard_integration_credential_expiry_seconds",
  "Integrations whose credential's expiry the workspace told (a PAT's, at the last connection test): seconds until it expires, negative once it has; absent for the others",
  ["integration_id"],
  (g, s) => {
    for (const e of s.expiring) g.set({ integration_id: e.integrationId }, e.seconds);
  },
);
gauge(
  "langguard_sync_lag_seconds",
  "The longest time any scheduled, enabled integration has gone without a successful sync of this kind (since it was created, if never)",
  ["kind"],
  (g, s) => {
    for (const { kind, seconds } of s.lag) g.set({ kind }, seconds);
  },
);
gauge("langguard_postgres_connections", "Client connections open on the Postgres server, from every process and client", [], (g, s) => {
  if (s.postgres) g.set(s.postgres.connections);
});
gauge(
  "langguard_postgres_connection_limit",
  "Connections ordinary roles may open on the Postgres server (max_connections less superuser_reserved_connections)",
  [],
  (g, s) => {
    if (s.postgres) g.set(s.postgres.limit);
  },
);
gauge("langguard_redis_memory_used_bytes", "Memory Redis uses (used_memory), per master node", ["node"], (g, s) => {
  for (const node of s.redis ?? []) g.set({ node: node.node }, node.used);
});
gauge(
  "langguard_redis_memory_max_bytes",
  "Redis' maxmemory per master node (0: no limit); with noeviction, writes fail once used memory reaches it",
  ["node"],
  (g, s) => {
    for (const node of s.redis ?? []) g.set({ node: node.node }, node.max);
  },
);
