import { execa } from "execa";
import pg from "pg";
import { repoRoot } from "./test-env.ts";

/** Drops the database if it exists, then recreates it with every migration applied. */
export async function resetDatabase(databaseUrl: string): Promise<void> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const admin = new URL(databaseUrl);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replaceAll('"', '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
  // The migration script creates the database it is pointed at.
  await execa(process.execPath, ["--experimental-wasm-modules", "--no-warnings", "scripts/migrate.mjs"], { cwd: repoRoot, env: { DATABASE_URL: databaseUrl } });
}
