import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Ajv2020 } from "ajv/dist/2020.js";
import { repoRoot } from "./helpers/test-env.ts";

// No container engine runs here, so the compose file's structure is what can be checked.
const compose = parse(readFileSync(path.join(repoRoot, "docker-compose.yml"), "utf8"), { merge: true }) as {
  services: Record<
    string,
    {
      command?: string[];
      environment?: Record<string, string>;
      depends_on?: Record<string, { condition: string }>;
      restart?: string;
      build?: string;
      image?: string;
    }
  >;
  volumes: Record<string, unknown>;
};

describe("docker-compose.yml", () => {
  it("has the fleet: redis, postgres, a one-shot migrate, gateway, and every worker type", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["catalog-sync", "gateway", "migrate", "policy-evaluation", "postgres", "redis", "trace-sync"]);
  });

  it("runs Redis the way BullMQ needs: noeviction and append-only persistence", () => {
    const command = compose.services.redis!.command!.join(" ");
    expect(command).toContain("--maxmemory-policy noeviction");
    expect(command).toContain("--appendonly yes");
    expect(compose.volumes).toHaveProperty("redis-data");
  });

  it("migrates once before any service starts", () => {
    expect(compose.services.migrate!.restart).toBe("no");
    expect(compose.services.migrate!.command!.join(" ")).toContain("scripts/migrate.mjs");
    for (const name of ["gateway", "trace-sync", "catalog-sync", "policy-evaluation"]) {
      expect(compose.services[name]!.depends_on).toMatchObject({
        migrate: { condition: "service_completed_successfully" },
        redis: { condition: "service_healthy" },
      });
    }
  });

  it("passes the settings services need, with secrets only from the environment", () => {
    for (const name of ["gateway", "trace-sync", "catalog-sync", "policy-evaluation"]) {
      const env = compose.services[name]!.environment!;
      expect(env).toHaveProperty("DATABASE_URL");
      expect(env).toHaveProperty("REDIS_URL");
      expect(env.ENCRYPTION_KEY).toMatch(/^\$\{ENCRYPTION_KEY:\?/);
    }
    expect(compose.services.gateway!.environment!.DATABRICKS_API_KEY).toMatch(/^\$\{DATABRICKS_API_KEY/);
  });

  it("starts each service with node on the compiled output, which the build produces", () => {
    const built = readFileSync(path.join(repoRoot, "scripts/build.mjs"), "utf8");
    for (const [name, service] of Object.entries(compose.services)) {
      const script = service.command?.find((part) => /\.(ts|mjs)$/.test(part));
      if (!script) continue;
      expect(service.command![0], name).toBe("node");
      if (script.startsWith("dist/")) {
        expect(built, name).toMatch(new RegExp(`["\\s]${script.slice(5, -4)}"?: "services/`));
        expect(readFileSync(path.join(repoRoot, script), "utf8").length, name).toBeGreaterThan(0);
      } else {
        expect(readFileSync(path.join(repoRoot, script), "utf8").length, name).toBeGreaterThan(0);
      }
    }
  });

  it("publishes the API on the host's loopback only", () => {
    expect((compose.services.gateway as { ports?: string[] }).ports).toEqual(["127.0.0.1:3000:3000"]);
  });
});

describe("docker-compose.yml against the Compose Specification", () => {
  it("is valid under the Compose Specification's JSON schema", () => {
    const schema = JSON.parse(readFileSync(path.join(repoRoot, "tests/fixtures/compose/compose-spec.json"), "utf8"));
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
    // Merge keys (<<) are resolved first, as Compose itself does before it validates.
    const raw = parse(readFileSync(path.join(repoRoot, "docker-compose.yml"), "utf8"), { merge: true });
    expect(validate(raw) ? [] : validate.errors).toEqual([]);
  });

  it("checks the health of every long-running service", () => {
    const longRunning = Object.entries(compose.services).filter(([, service]) => service.restart !== "no");
    expect(longRunning.map(([name]) => name).sort()).toEqual(["catalog-sync", "gateway", "policy-evaluation", "postgres", "redis", "trace-sync"]);
    for (const [name, service] of longRunning) expect((service as { healthcheck?: unknown }).healthcheck, name).toBeDefined();
  });
});

describe(".env.example", () => {
  it("documents every setting every service reads, and nothing they do not", async () => {
    const schemas = await Promise.all(
      ["gateway", "trace-sync", "catalog-sync", "policy-evaluation"].map(
        async (service) => (await import(`../services/${service}/src/env.ts`)).envSchema as Record<string, unknown>,
      ),
    );
    const read = new Set(schemas.flatMap((schema) => Object.keys(schema)));
    const example = readFileSync(path.join(repoRoot, ".env.example"), "utf8");
    const documented = new Set([...example.matchAll(/^(?:# )?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!));
    expect([...read].filter((name) => !documented.has(name))).toEqual([]);
    expect([...documented].filter((name) => !read.has(name))).toEqual([]);
  });
});
