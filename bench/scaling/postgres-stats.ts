import pg from "pg";

export interface DatabaseActivity {
  commits: number;
  /** Rows inserted, updated and deleted. */
  rowsWritten: number;
}

/**
 * Postgres' own counters for one database (pg_stat_database). Backends report them at most once a
 * second while busy and within 10 s of going idle (Postgres 15), so a reading taken right after a
 * phase misses its last writes: `settledActivity` waits that out first.
 */
export async function databaseActivity(databaseUrl: string): Promise<DatabaseActivity> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ commits: string; written: string }>(
      `SELECT xact_commit AS commits, tup_inserted + tup_updated + tup_deleted AS written FROM pg_stat_database WHERE datname = current_database()`,
    );
    return { commits: Number(rows[0]!.commits), rowsWritten: Number(rows[0]!.written) };
  } finally {
    await client.end();
  }
}

export const STATS_FLUSH_MS = 11_000;

export async function settledActivity(databaseUrl: string): Promise<DatabaseActivity> {
  await new Promise((r) => setTimeout(r, STATS_FLUSH_MS));
  return databaseActivity(databaseUrl);
}
