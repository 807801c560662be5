import { randomUUID } from "node:crypto";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient, type Database } from "@langguard/database";
import { createApiKey } from "../../services/gateway/src/auth/api-keys.ts";
import { metricValue } from "../helpers/prometheus.ts";
import { repoRoot, TEST_DATABASE_URL } from "../helpers/test-env.ts";
import { killWorkerGroup, startReadyService, type ReadyService, type Service } from "../helpers/worker-process.ts";

/** DATABASE_POOL_SIZE caps each process's Postgres connections (docs/scaling.md sizes it). */
describe("DATABASE_POOL_SIZE", () => {
  const started: ReadyService[] = [];
  let db: Database;
  let key: string;
  beforeAll(async () => {
    db = createPrismaClient({ url: TEST_DATABASE_URL, maxConnections: 2 });
    const org = await db.organization.create({ data: { slug: `pool-${randomUUID().slice(0, 12)}`, name: "Pool test" } });
    key = (await createApiKey(db, org.id, "pool test", ["read"])).key;
  });
  afterAll(async () => {
    for (const service of started) killWorkerGroup(service.child);
    await db?.$disconnect();
  });

  const start = async (service: Service, env: Record<string, string>, databaseUrl = TEST_DATABASE_URL) => {
    const ready = await startReadyService(service, `pool-${randomUUID().slice(0, 8)}`, { env, databaseUrl, log: undefined });
    started.push(ready);
    return ready;
  };
  const metrics = async (service: ReadyService) => (await fetch(`http://127.0.0.1:${service.opsPort}/metrics`)).text();

  it("is each service's pool limit, reported on its /metrics", async () => {
    for (const service of ["gateway", "trace-sync", "catalog-sync", "policy-evaluation"] as const) {
      const running = await start(service, { DATABASE_POOL_SIZE: "3" });
      expect(metricValue(await metrics(running), "langguard_postgres_pool_size"), service).toBe(3);
      killWorkerGroup(running.child);
    }
  });

  it("holds the gateway to that many connections under a burst of requests, and a larger pool opens more", async () => {
    /** Server connections of one gateway, told apart by the application name its URL carries. */
    const burst = async (poolSize: number) => {
      const application = `pool-${randomUUID().slice(0, 8)}`;
      const url = new URL(TEST_DATABASE_URL);
      url.searchParams.set("application_name", application);
      const gateway = await start("gateway", { DATABASE_POOL_SIZE: String(poolSize) }, url.toString());
      const answers = await Promise.all(
        Array.from({ length: 40 }, () =>
          fetch(`http://127.0.0.1:${gateway.port}/health`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status),
        ),
      );
      expect(answers.every((status) => status === 200)).toBe(true);
      const rows = await db.$queryRaw<Array<{ count: number }>>`SELECT count(*)::int AS count FROM pg_stat_activity WHERE application_name = ${application}`;
      killWorkerGroup(gateway.child);
      return rows[0]!.count;
    };
    const small = await burst(2);
    expect(small).toBeGreaterThanOrEqual(1);
    expect(small).toBeLessThanOrEqual(2);
    expect(await burst(8)).toBeGreaterThan(2);
  });

  it("is checked by the migration too, which names it when it is wrong", async () => {
    const result = await execa(process.execPath, ["--experimental-wasm-modules", "--no-warnings", "scripts/migrate.mjs"], {
      cwd: repoRoot,
      env: { DATABASE_URL: TEST_DATABASE_URL, DATABASE_POOL_SIZE: "lots" },
      reject: false,
    });
    expect(result.exitCode).toBe(78);
    expect(result.stderr).toContain('DATABASE_POOL_SIZE: expected a positive whole number of connections (got "lots")');
  });
});
