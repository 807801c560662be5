// Applies prisma/migrations to DATABASE_URL, creating the database first if it is missing.
// Idempotent: migrations already recorded in _prisma_migrations are skipped.
import pg from "pg";
import { databasePoolSize, databaseUrl, loadMigrations, noFilters, openEngine } from "./lib/schema-engine.mjs";

async function ensureDatabase(url) {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
      console.log(`migrate: created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

const url = databaseUrl();
databasePoolSize(); // a wrong setting stops the migration before it touches anything
await ensureDatabase(url);
const engine = await openEngine(url, undefined);
const migrationsList = await loadMigrations();
const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: noFilters });
const db = new URL(url).pathname.slice(1);
console.log(
  appliedMigrationNames.length
    ? `migrate: applied ${appliedMigrationNames.join(", ")} to ${db}`
    : `migrate: ${db} is up to date (${migrationsList.migrationDirectories.length} migrations)`,
);
process.exit(0);
