// Writes a new migration from the difference between the schema as of the last migration
// (its snapshot) and prisma/schema.prisma. Needs no database and no shadow database.
// Usage: pnpm db:migration:new <name>
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { databaseUrl, loadMigrations, migrationsDir, noFilters, openEngine, schemaPath, snapshotName } from "./lib/schema-engine.mjs";

const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]+/gi, "_").toLowerCase();
if (!name) {
  console.error("usage: pnpm db:migration:new <name>");
  process.exit(2);
}
const schema = await readFile(schemaPath, "utf8");
const { migrationDirectories } = await loadMigrations();
const last = migrationDirectories.at(-1);
const from = last
  ? { tag: "schemaDatamodel", files: [{ path: "previous.prisma", content: await readFile(path.join(migrationsDir, last.path, snapshotName), "utf8") }] }
  : { tag: "empty" };
// The engine insists on a connection even for a schema-to-schema diff; the maintenance
// database always exists and is never written to here.
const maintenance = new URL(databaseUrl());
maintenance.pathname = "/postgres";
const engine = await openEngine(maintenance.toString(), [[schemaPath, schema]]);
const { stdout } = await engine.diff({
  from,
  to: { tag: "schemaDatamodel", files: [{ path: schemaPath, content: schema }] },
  script: true,
  exitCode: null,
  filters: noFilters,
});
const sql = stdout ?? "";
if (!sql.trim() || /^-- This is an empty migration/m.test(sql)) {
  console.log("migration:new: the schema has not changed since the last migration; nothing written");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = path.join(migrationsDir, `${stamp}_${name}`);
await mkdir(dir, { recursive: true });
await writeFile(path.join(dir, "migration.sql"), sql);
await writeFile(path.join(dir, snapshotName), schema);
await writeFile(path.join(migrationsDir, "migration_lock.toml"), 'provider = "postgresql"\n');
console.log(`migration:new: wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
process.exit(0);
