import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { parse } from "yaml";
import { freePort } from "../helpers/mlflow-server.ts";
import { LOCAL_SOURCES_ENV, REDIS_URL, repoRoot, TEST_DATABASE_URL, TEST_ENCRYPTION_KEY } from "../helpers/test-env.ts";

/**
 * No container engine runs here, so this follows the Dockerfile itself: every RUN of
 * scripts/image.sh, in the Dockerfile's order, in a clean copy of the repository with CI=true (as a
 * build has no TTY); then only what the final stage copies is kept, and the migration and every
 * service's start command run from it, as docker-compose.yml starts them, each checked by the
 * image's HEALTHCHECK.
 */
const dockerfile = readFileSync(path.join(repoRoot, "Dockerfile"), "utf8");
const compose = parse(readFileSync(path.join(repoRoot, "docker-compose.yml"), "utf8"), { merge: true }) as {
  services: Record<string, { command?: string[]; entrypoint?: string[] }>;
};
const APP = "/app";

interface Stage {
  name: string;
  lines: string[];
}

function stages(): Stage[] {
  const found: Stage[] = [];
  for (const raw of dockerfile.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) found.push({ name: from[1] ?? "runtime", lines: [] });
    else found.at(-1)!.lines.push(line);
  }
  return found;
}

/** A JSON-form instruction's arguments (CMD, ENTRYPOINT, HEALTHCHECK … CMD). */
function execForm(line: string): string[] {
  return JSON.parse(line.slice(line.indexOf("["))) as string[];
}

describe("the image's build and start steps", () => {
  const mlflowUrl = inject("mlflowUrl");
  const work = mkdtempSync(path.join(os.tmpdir(), "langguard-image-"));
  const app = path.join(work, "app");
  const database = `${new URL(TEST_DATABASE_URL).pathname.slice(1)}_image_${randomUUID().slice(0, 8)}`;
  const databaseUrl = Object.assign(new URL(TEST_DATABASE_URL), { pathname: `/${database}` }).toString();
  const running: ChildProcess[] = [];

  afterAll(async () => {
    for (const child of running) if (child.exitCode === null) child.kill("SIGKILL");
    const admin = new pg.Client({ connectionString: Object.assign(new URL(TEST_DATABASE_URL), { pathname: "/postgres" }).toString() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
    rmSync(work, { recursive: true, force: true });
  });

  it("builds with every step failing loudly, then migrates, starts every service, and passes its healthcheck", { timeout: 1_500_000 }, async () => {
    // Only steps of scripts/image.sh build the fleet; the other RUNs install system packages.
    const runs = stages().flatMap((stage) => stage.lines.filter((l) => l.startsWith("RUN ")).map((l) => ({ stage: stage.name, command: l.slice(4) })));
    for (const { command } of runs) {
      expect(command, "a RUN that is not a step of scripts/image.sh").toMatch(
        /^(bash scripts\/image\.sh \S+( \S+)?|apt-get update && apt-get install .*|npm install -g pnpm@\S+)$/,
      );
      expect(command).not.toMatch(/\|\|\s*true/);
    }
    const packageManager = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")).packageManager as string;
    expect(runs.some((r) => r.command === `npm install -g ${packageManager}`)).toBe(true);

    // A clean copy: what a fresh clone holds, including changes not yet committed.
    const { stdout } = await execa("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repoRoot });
    for (const file of stdout.split("\0").filter(Boolean)) {
      const source = path.join(repoRoot, file);
      let stat: ReturnType<typeof statSync>;
      try {
        stat = statSync(source);
      } catch {
        continue; // deleted in the working tree
      }
      if (!stat.isFile()) continue;
      mkdirSync(path.dirname(path.join(app, file)), { recursive: true });
      copyFileSync(source, path.join(app, file));
    }

    const env: NodeJS.ProcessEnv = { ...process.env, CI: "true" };
    for (const key of ["DATABASE_URL", "TEST_DATABASE_URL", "VITEST", "VITEST_POOL_ID", "VITEST_WORKER_ID", "NODE_OPTIONS"]) delete env[key];
    const steps = runs.filter((r) => r.command.startsWith("bash scripts/image.sh"));
    expect(steps.map((s) => s.command.split(" ")[2])).toEqual(["node-modules", "build", "prune", "bridge-venv"]);
    for (const step of steps) {
      const args = step.command
        .split(" ")
        .slice(1)
        .map((arg) => (arg.startsWith(APP) ? path.join(app, arg.slice(APP.length)) : arg));
      const began = Date.now();
      const result = await execa("bash", args, { cwd: app, env, reject: false, all: true });
      expect(result.exitCode, `${step.command} failed:\n${result.all?.slice(-4000)}`).toBe(0);
      console.log(`${step.command}: ${((Date.now() - began) / 1000).toFixed(1)} s`);
    }

    // Production dependencies only, with what the migration needs.
    for (const dev of ["vitest", "typescript", "@biomejs/biome", "tsx"]) expect(existsSync(path.join(app, "node_modules", dev)), dev).toBe(false);
    for (const kept of ["pg", "@prisma/schema-engine-wasm", "@prisma/adapter-pg"]) expect(existsSync(path.join(app, "node_modules", kept)), kept).toBe(true);

    // The final stage holds only what it copies from the others.
    const runtime = stages().at(-1)!;
    const kept = runtime.lines.filter((l) => l.startsWith("COPY --from=")).map((l) => l.split(/\s+/).at(-1)!);
    expect(kept).toEqual(expect.arrayContaining([".venv", "node_modules", "dist", "scripts", "prisma", "package.json"]));
    for (const entry of readdirSync(app)) if (!kept.includes(entry)) rmSync(path.join(app, entry), { recursive: true, force: true });
    const venvMb = Number((await execa("du", ["-sm", path.join(app, ".venv")])).stdout.split("\t")[0]);
    console.log(`the image's bridge environment: ${venvMb} MB`);
    expect(venvMb).toBeLessThan(300);

    // The image's environment: its ENV, and what compose adds for every service.
    const imageEnv = Object.fromEntries(
      runtime.lines.filter((l) => l.startsWith("ENV ")).flatMap((l) => [...l.slice(4).matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!.replace(APP, app)])),
    );
    expect(imageEnv.PYTHON_PATH).toBe(path.join(app, ".venv/bin/python"));
    const container = (extra: Record<string, string>) => ({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...imageEnv,
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      QUEUE_PREFIX: `image-${randomUUID().slice(0, 8)}`,
      LOG_LEVEL: "warn",
      ...LOCAL_SOURCES_ENV,
      ...extra,
    });

    // The migration compose runs first, on a database that does not exist yet.
    const migrate = compose.services.migrate!.command!;
    const migrated = await execa(migrate[0] === "node" ? process.execPath : migrate[0]!, migrate.slice(1), {
      cwd: app,
      env: container({}),
      reject: false,
      all: true,
    });
    expect(migrated.exitCode, migrated.all).toBe(0);
    expect(migrated.stdout).toMatch(/migrate: (created database|applied)/);

    const healthcheck = execForm(runtime.lines.find((l) => l.startsWith("HEALTHCHECK "))!.replace(/^HEALTHCHECK .*?CMD /, ""));
    expect(healthcheck).toEqual(["node", "dist/healthcheck.mjs"]);
    const defaultCommand = execForm(runtime.lines.find((l) => l.startsWith("CMD "))!);
    expect(defaultCommand).toEqual(compose.services.gateway!.command);

    const ports: Record<string, { port: number; ops: number }> = {};
    for (const service of ["gateway", "trace-sync", "catalog-sync", "policy-evaluation"]) {
      const command = compose.services[service]!.command!;
      expect(command[0], service).toBe("node");
      ports[service] = { port: await freePort(), ops: await freePort() };
      const settings = container({
        HOST: "127.0.0.1",
        PORT: String(ports[service]!.port),
        OPS_PORT: String(ports[service]!.ops),
        METRICS_PORT: String(ports[service]!.ops),
      });
      const child = spawn(process.execPath, command.slice(1), { cwd: app, env: settings, stdio: ["ignore", "inherit", "inherit"] });
      running.push(child);
      // The image's healthcheck, named the service: this machine runs other fleets too.
      const deadline = Date.now() + 90_000;
      for (;;) {
        expect(child.exitCode, `${service} exited`).toBeNull();
        const check = await execa(process.execPath, [...healthcheck.slice(1), service], { cwd: app, env: settings, reject: false });
        if (check.exitCode === 0) break;
        if (Date.now() > deadline) throw new Error(`${service} never became healthy: ${check.stderr}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }

    // The first organization and its key, with the operator's command compose runs.
    const adminCommand = compose.services.admin!.entrypoint!.slice(compose.services.admin!.entrypoint!.indexOf("node"));
    const slug = `image-${randomUUID().slice(0, 8)}`;
    const created = await execa(process.execPath, [...adminCommand.slice(1), "create-org", slug, "Image test"], {
      cwd: app,
      env: container({}),
      reject: false,
      all: true,
    });
    expect(created.exitCode, created.all).toBe(0);
    const key = /admin API key \(shown once, store it now\): (\S+)/.exec(created.stdout)?.[1];
    expect(key).toMatch(/^lgk_/);
    const api = `http://127.0.0.1:${ports.gateway!.port}`;
    const health = await fetch(`${api}/health`, { headers: { authorization: `Bearer ${key}` } });
    expect(health.status).toBe(200);
    // The image's bridge environment runs a connection test end to end (MLflow client, the check command).
    const tested = await fetch(`${api}/api/integrations/test`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ source: "mlflow", host: mlflowUrl }),
    });
    const report = (await tested.json()) as { status: string; steps: Array<{ step: string; status: string }> };
    expect(tested.status).toBe(200);
    expect(report.steps.find((s) => s.step === "mlflow")?.status).toBe("ok");
    expect(report.steps.find((s) => s.step === "experiments")?.status).toBe("ok");

    // Every service stops cleanly on SIGTERM, and the healthcheck then says so.
    for (const [index, service] of ["gateway", "trace-sync", "catalog-sync", "policy-evaluation"].entries()) {
      const child = running[index]!;
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited, service).toBe(0);
      const settings = container({ OPS_PORT: String(ports[service]!.ops), METRICS_PORT: String(ports[service]!.ops) });
      expect((await execa(process.execPath, [...healthcheck.slice(1), service], { cwd: app, env: settings, reject: false })).exitCode, service).toBe(1);
    }
  });
});
