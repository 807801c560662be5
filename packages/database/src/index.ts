import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/prisma/client.ts";

export * from "./generated/prisma/client.ts";

/** Seeded by the first migration; owns every integration until access control arrives. */
export const DEFAULT_ORGANIZATION_ID = "00000000-0000-4000-8000-000000000001";

export interface DatabaseSettings {
  url: string;
  /**
   * The most connections this process opens (a service's DATABASE_POOL_SIZE). Every process
   * chooses, so that a fleet's total stays under Postgres' max_connections (docs/scaling.md).
   */
  maxConnections: number;
}

export interface PoolUsage {
  /** The pool's limit. */
  max: number;
  /** Connections open, of which idle. */
  total: number;
  idle: number;
  /** Queries waiting for a connection: the pool is too small for the work, or Postgres is slow. */
  waiting: number;
}

const pools = new WeakMap<PrismaClient, pg.Pool>();

export function createPrismaClient({ url, maxConnections }: DatabaseSettings): PrismaClient {
  // Our own pool (closed with the client) so that its usage can be reported.
  const pool = new pg.Pool({ connectionString: url, max: maxConnections });
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(client, pool);
  return client;
}

/** How a client's connection pool is used right now (null for a client made elsewhere). */
export function poolUsage(db: PrismaClient): PoolUsage | null {
  const pool = pools.get(db);
  if (!pool) return null;
  return { max: pool.options.max ?? 10, total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}

export type Database = PrismaClient;
export { databaseErrorCode, isDataError, isTransientDatabaseError, withDatabaseRetry, type DatabaseRetryOptions } from "./retry.ts";
export { toJsonParam } from "./json-param.ts";

/** A bigint column (durations, token counts) as a JSON number: exact up to 2^53, which no real count or duration reaches. */
export function numberOrNull(value: bigint | number | null): number | null {
  return value === null ? null : Number(value);
}
