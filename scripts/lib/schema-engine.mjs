// Prisma's schema engine compiled to WebAssembly, driven through the pg driver adapter.
// This replaces the native engine binary, which cannot be downloaded on our machines; the
// migrations it applies and records are exactly what `prisma migrate deploy` expects.
import { readdir, readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SchemaEngine } from "@prisma/schema-engine-wasm";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

export const root = fileURLToPath(new URL("../..", import.meta.url));
export const schemaPath = path.join(root, "prisma", "schema.prisma");
export const migrationsDir = path.join(root, "prisma", "migrations");
export const snapshotName = "schema.snapshot.prisma";
export const noFilters = { externalTables: [], externalEnums: [] };

export function databaseUrl() {
  return process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/langguard";
}

/** DATABASE_POOL_SIZE, as every service reads it (@langguard/config): the migration honours it too. */
export function databasePoolSize() {
  const raw = process.env.DATABASE_POOL_SIZE?.trim() || "10";
  if (!/^[1-9][0-9]*$/.test(raw)) {
    console.error(`DATABASE_POOL_SIZE: expected a positive whole number of connections (got ${JSON.stringify(raw)})`);
    process.exit(78);
  }
  return Number(raw);
}

export async function openEngine(connectionString, datamodels) {
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPg({ connectionString, max: databasePoolSize() }));
  const log = (line) => {
    if (process.env.LOG_LEVEL === "debug") process.stderr.write(`schema-engine: ${line}\n`);
  };
  return SchemaEngine.new({ datamodels }, log, adapter);
}

export async function loadMigrations() {
  const entries = existsSync(migrationsDir) ? await readdir(migrationsDir, { withFileTypes: true }) : [];
  const dirs = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const migrationDirectories = await Promise.all(
    dirs.map(async (dir) => ({
      path: dir,
      migrationFile: {
        path: "migration.sql",
        content: { tag: "ok", value: await readFile(path.join(migrationsDir, dir, "migration.sql"), "utf8") },
      },
    })),
  );
  const lockPath = path.join(migrationsDir, "migration_lock.toml");
  return {
    baseDir: migrationsDir,
    lockfile: { path: "migration_lock.toml", content: existsSync(lockPath) ? await readFile(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}
