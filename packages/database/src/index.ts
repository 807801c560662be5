import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client.ts";

export * from "./generated/prisma/client.ts";

/** Seeded by the first migration; owns every integration until access control arrives. */
export const DEFAULT_ORGANIZATION_ID = "00000000-0000-4000-8000-000000000001";

export interface DatabaseSettings {
  url: string;
  /** Pool size per process; each worker needs few connections since batches are sequential. */
  maxConnections?: number;
}

export function createPrismaClient({ url, maxConnections = 10 }: DatabaseSettings): PrismaClient {
  const adapter = new PrismaPg({ connectionString: url, max: maxConnections });
  return new PrismaClient({ adapter });
}

export type Database = PrismaClient;
export { databaseErrorCode, isDataError, isTransientDatabaseError, withDatabaseRetry, type DatabaseRetryOptions } from "./retry.ts";
export { toJsonParam } from "./json-param.ts";

/** A bigint column (durations, token counts) as a JSON number: exact up to 2^53, which no real count or duration reaches. */
export function numberOrNull(value: bigint | number | null): number | null {
  return value === null ? null : Number(value);
}
