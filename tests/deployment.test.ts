import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Ajv2020 } from "ajv/dist/2020.js";
import { repoRoot } from "./helpers/test-env.ts";

// No container engine runs here, so the compose file's structure, and the environment each
// container would get from it, is what can be checked.
type ComposeService = {
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  env_file?: Array<{ path: string; required?: boolean }>;
  depends_on?: Record<string, { condition: string }> | string[];
  restart?: string;
  build?: string;
  image?: string;
  profiles?: string[];
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
};
const compose = parse(readFileSync(path.join(repoRoot, "docker-compose.yml"), "utf8"), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const FLEET = ["gateway", "trace-sync", "catalog-sync", "policy-evaluation"] as const;

/** Compose's variable interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, $$. */
function interpolate(value: string, vars: Record<string, string | undefined>): string {
  return value.replace(/\$\$|\$\{(\w+)(?:(:?)([-?])((?:[^}])*))?\}/g, (match, name?: string, colon?: string, op?: string, arg?: string) => {
    if (match === "$$") return "$";
    const set = vars[name!];
    const missing = set === undefined || (colon === ":" && set === "");
    if (op === "?" && missing) throw new Error(`${name}: ${arg}`);
    if (op === "-" && missing) return interpolate(arg ?? "", vars);
    return set ?? "";
  });
}

/** The environment one container gets: its env_file entries, then its environment, interpolated from `.env`. */
function containerEnv(service: string, dotEnv: Record<string, string> | null): Record<string, string> {
  const definition = compose.services[service]!;
  const fromFiles: Record<string, string> = {};
  for (const file of definition.env_file ?? []) {
    if (file.path !== ".env") throw new Error(`${service} reads ${file.path}, which this test does not know`);
    if (dotEnv) Object.assign(fromFiles, dotEnv);
    else if (file.required !== false) throw new Error(`${service} needs a .env file to start`);
  }
  const own = Object.fromEntries(Object.entries(definition.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), dotEnv ?? {})]));
  return { ...fromFiles, ...own };
}

async function settingsOf(service: string): Promise<string[]> {
  return Object.keys((await import(`../services/${service}/src/env.ts`)).envSchema as Record<string, unknown>);
}

const exampleText = readFileSync(path.join(repoRoot, ".env.example"), "utf8");
/** Every setting .env.example documents, each with a value of its own (as if the operator set them all). */
const everySettingSet = Object.fromEntries([...exampleText.matchAll(/^(?:# )?([A-Z][A-Z0-9_]+)=/gm)].map((m) => [m[1]!, `from-dotenv-${m[1]}`]));

/**
 * What compose decides for the containers, over .env: where each listens inside the compose network,
 * and the image's Python. Nothing else may be pinned.
 */
const PINNED_BY_COMPOSE = new Set(["HOST", "PORT", "OPS_HOST", "OPS_PORT", "METRICS_HOST", "METRICS_PORT", "PYTHON_PATH"]);

describe("docker-compose.yml", () => {
  it("has the fleet (redis, postgres, a one-shot migrate, gateway and every worker type) and its optional parts behind profiles", () => {
    const always = Object.entries(compose.services).filter(([, s]) => !s.profiles);
    expect(always.map(([name]) => name).sort()).toEqual(["catalog-sync", "gateway", "migrate", "policy-evaluation", "postgres", "redis", "trace-sync"]);
    const optional = Object.fromEntries(Object.entries(compose.services).flatMap(([name, s]) => (s.profiles ? [[name, s.profiles]] : [])));
    expect(optional).toEqual({ admin: ["tools"], prometheus: ["monitoring"], grafana: ["monitoring"] });
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
    for (const name of [...FLEET, "admin"]) {
      expect(compose.services[name]!.depends_on, name).toMatchObject({ migrate: { condition: "service_completed_successfully" } });
    }
    for (const name of FLEET) expect(compose.services[name]!.depends_on).toMatchObject({ redis: { condition: "service_healthy" } });
  });

  it("gives every service every setting of .env.example it reads, with nothing but the listen addresses and Python pinned", async () => {
    for (const service of FLEET) {
      const env = containerEnv(service, everySettingSet);
      for (const name of await settingsOf(service)) {
        expect(env, `${service} never receives ${name}`).toHaveProperty(name);
        if (env[name] !== everySettingSet[name]) expect(PINNED_BY_COMPOSE.has(name), `${service}: compose overrides ${name} from .env`).toBe(true);
      }
    }
    // The migration and the operator's commands read the connection settings and the pool size too.
    for (const service of ["migrate", "admin"]) {
      const env = containerEnv(service, everySettingSet);
      for (const name of ["DATABASE_URL", "DATABASE_POOL_SIZE", "LOG_LEVEL"]) expect(env[name], `${service}: ${name}`).toBe(everySettingSet[name]);
    }
    expect(containerEnv("admin", everySettingSet).ENCRYPTION_KEY).toBe(everySettingSet.ENCRYPTION_KEY);
  });

  it("starts without a .env beyond the encryption key, on the compose network's Postgres and Redis", () => {
    expect(() => containerEnv("trace-sync", null)).toThrow(/ENCRYPTION_KEY: set ENCRYPTION_KEY in \.env/);
    const withKey = containerEnv("gateway", { ENCRYPTION_KEY: "k" });
    expect(withKey).toMatchObject({
      DATABASE_URL: "postgresql://langguard:langguard@postgres:5432/langguard",
      REDIS_URL: "redis://redis:6379",
      ENCRYPTION_KEY: "k",
    });
    // The migration talks to Postgres itself.
    expect(containerEnv("migrate", null).DATABASE_URL).toBe("postgresql://langguard:langguard@postgres:5432/langguard");
  });

  it("starts each service with node on the compiled output, which the build produces", () => {
    const built = readFileSync(path.join(repoRoot, "scripts/build.mjs"), "utf8");
    for (const [name, service] of Object.entries(compose.services)) {
      const command = [...(service.entrypoint ?? []), ...(service.command ?? [])];
      const script = command.find((part) => /\.(ts|mjs)$/.test(part));
      if (!script) continue;
      expect(command[command.indexOf(script) - 1] === "node" || command.slice(0, command.indexOf(script)).includes("node"), name).toBe(true);
      if (script.startsWith("dist/")) {
        expect(built, name).toMatch(new RegExp(`["\\s]${script.slice(5, -4)}"?: "(services|scripts)/`));
        expect(readFileSync(path.join(repoRoot, script), "utf8").length, name).toBeGreaterThan(0);
      } else {
        expect(readFileSync(path.join(repoRoot, script), "utf8").length, name).toBeGreaterThan(0);
      }
    }
  });

  it("publishes the API on the host's loopback only, at PORT", () => {
    expect(compose.services.gateway!.ports!.map((p) => interpolate(p, {}))).toEqual(["127.0.0.1:3000:3000"]);
    expect(compose.services.gateway!.ports!.map((p) => interpolate(p, { PORT: "8080" }))).toEqual(["127.0.0.1:8080:3000"]);
    for (const [name, service] of Object.entries(compose.services)) {
      for (const port of service.ports ?? []) expect(interpolate(port, {}), name).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it("monitoring: Prometheus scrapes each service on the ops port compose gives it, with the alert rules, and Grafana loads the dashboard", () => {
    const prometheus = parse(readFileSync(path.join(repoRoot, "deploy/prometheus/prometheus.yml"), "utf8")) as {
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; dns_sd_configs: Array<{ names: string[]; port: number }> }>;
    };
    const scraped = Object.fromEntries(prometheus.scrape_configs.map((c) => [c.job_name, c.dns_sd_configs[0]!]));
    expect(Object.keys(scraped).sort()).toEqual([...FLEET].sort());
    for (const service of FLEET) {
      const env = compose.services[service]!.environment!;
      expect(scraped[service]!.names, service).toEqual([service]);
      expect(String(scraped[service]!.port), service).toBe(env.OPS_PORT ?? env.METRICS_PORT);
    }
    expect(prometheus.rule_files).toEqual(["alerts.yml"]);
    for (const [service, mounts] of [
      ["prometheus", ["./deploy/prometheus"]],
      ["grafana", ["./deploy/grafana/provisioning", "./deploy/grafana/dashboards"]],
    ] as const) {
      for (const mount of mounts) {
        expect(
          compose.services[service]!.volumes!.some((v) => v.startsWith(`${mount}:`)),
          `${service} mounts ${mount}`,
        ).toBe(true);
        expect(existsSync(path.join(repoRoot, mount)), mount).toBe(true);
      }
    }
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
    expect(longRunning.map(([name]) => name).sort()).toEqual([
      "catalog-sync",
      "gateway",
      "grafana",
      "policy-evaluation",
      "postgres",
      "prometheus",
      "redis",
      "trace-sync",
    ]);
    for (const [name, service] of longRunning) expect(service.healthcheck, name).toBeDefined();
    // The fleet's services use the image's healthcheck, which finds the service's own ops port.
    for (const name of FLEET) expect(compose.services[name]!.healthcheck!.test).toEqual(["CMD", "node", "dist/healthcheck.mjs"]);
  });
});

describe(".env.example", () => {
  it("documents every setting every service reads, and nothing they do not", async () => {
    const read = new Set((await Promise.all(FLEET.map(settingsOf))).flat());
    const documented = new Set(Object.keys(everySettingSet));
    expect([...read].filter((name) => !documented.has(name))).toEqual([]);
    expect([...documented].filter((name) => !read.has(name))).toEqual([]);
  });
});
