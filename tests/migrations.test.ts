import { execa } from "execa";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot, TEST_DATABASE_URL } from "./helpers/test-env.ts";

const url = new URL(TEST_DATABASE_URL);
url.pathname = `/langguard_migrate_${process.pid}`;
const admin = new URL(TEST_DATABASE_URL);
admin.pathname = "/postgres";

const migrate = () =>
  execa("node", ["--experimental-wasm-modules", "--no-warnings", "scripts/migrate.mjs"], { cwd: repoRoot, env: { DATABASE_URL: url.toString() } });

describe("migrations", () => {
  afterAll(async () => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${url.pathname.slice(1)}" WITH (FORCE)`);
    await client.end();
  });

  it("creates the database, applies every migration once, and a second run applies nothing", async () => {
    const first = await migrate();
    expect(first.stdout).toMatch(/created database .*\n.*applied \d{14}_init/);
    const second = await migrate();
    expect(second.stdout).toMatch(/is up to date/);

    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    // Recorded the way `prisma migrate deploy` records them: finished, with a checksum.
    const rows = await client.query(`SELECT migration_name, checksum, finished_at FROM _prisma_migrations`);
    expect(rows.rowCount).toBeGreaterThan(0);
    for (const row of rows.rows) {
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).not.toBeNull();
    }
    const org = await client.query(`SELECT slug FROM "Organization"`);
    expect(org.rows).toEqual([{ slug: "default" }]);
    const unique = await client.query(`SELECT indexdef FROM pg_indexes WHERE tablename = 'Trace' AND indexdef LIKE '%UNIQUE%'`);
    expect(unique.rows.map((r) => r.indexdef).join()).toContain(`("integrationId", "externalId")`);
    await client.end();
  });

  it("writes no new migration while the schema matches the last one", async () => {
    const result = await execa("node", ["--experimental-wasm-modules", "--no-warnings", "scripts/migration-new.mjs", "noop"], { cwd: repoRoot });
    expect(result.stdout).toContain("nothing written");
  });
});
