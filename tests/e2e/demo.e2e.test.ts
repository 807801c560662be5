import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:net";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "@langguard/database";
import { verifyPassword } from "../../services/gateway/src/auth/passwords.ts";
import { freePort } from "../helpers/mlflow-server.ts";
import { repoRoot, TEST_DATABASE_URL, TEST_ENCRYPTION_KEY } from "../helpers/test-env.ts";

/** Every port the demo uses, free, under the settings README lists. */
async function demoPorts() {
  return {
    MLFLOW_PORT: String(await freePort()),
    PORT: String(await freePort()),
    OPS_PORT: String(await freePort()),
    TRACE_SYNC_METRICS_PORT: String(await freePort()),
    POLICY_EVALUATION_METRICS_PORT: String(await freePort()),
  };
}

/** Processes whose environment says they belong to the demo run on `dataDir` (its children inherit it). */
function processesOf(dataDir: string): string[] {
  return readdirSync("/proc")
    .filter((pid) => /^\d+$/.test(pid) && Number(pid) !== process.pid)
    .flatMap((pid) => {
      try {
        const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
        if (!environ.includes(`DEMO_DATA_DIR=${dataDir}`)) return [];
        return [`pid ${pid}: ${readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ")}`];
      } catch {
        return [];
      }
    });
}

/**
 * README command 1's orchestration (scripts/demo.ts, which scripts/demo.sh runs after setup), on a
 * data folder and ports of its own: when it cannot start, it stops everything it began and says why.
 */
describe("the demo when it cannot start", () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "langguard-demo-"));
  const blockers: Server[] = [];
  afterAll(() => {
    for (const server of blockers) server.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  function runDemo(env: Record<string, string>) {
    const dataDir = path.join(scratch, randomUUID().slice(0, 8));
    const began = Date.now();
    const run = execa(process.execPath, ["--import", "tsx", "scripts/demo.ts"], {
      cwd: repoRoot,
      reject: false,
      all: true,
      timeout: 300_000,
      env: {
        DATABASE_URL: TEST_DATABASE_URL,
        ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        DEMO_DATA_DIR: dataDir,
        QUEUE_PREFIX: `demo-${randomUUID().slice(0, 8)}`,
        ...env,
      },
    });
    return { run, dataDir, began };
  }

  it("names the port in use and the setting that moves it, and starts nothing", async () => {
    const ports = await demoPorts();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(Number(ports.PORT), "127.0.0.1", resolve));
    blockers.push(blocker);
    const { run, dataDir, began } = runDemo(ports);
    const result = await run;
    expect(result.exitCode, result.all).toBe(1);
    expect(result.all).toContain(`Port ${ports.PORT} is in use, so the gateway's API cannot listen on it.`);
    expect(result.all).toContain("PORT=<port> bash scripts/demo.sh");
    expect(Date.now() - began).toBeLessThan(30_000);
    // Nothing was started: no MLflow server, no pid file.
    expect(result.all).not.toContain("Starting a local MLflow");
    expect(existsSync(path.join(dataDir, "run")) ? readdirSync(path.join(dataDir, "run")) : []).toEqual([]);
    expect(
      await fetch(`http://127.0.0.1:${ports.MLFLOW_PORT}/health`).then(
        () => true,
        () => false,
      ),
    ).toBe(false);
  });

  it("stops every process it began, at once, when one fails during start-up, naming it and its reason", { timeout: 400_000 }, async () => {
    const ports = await demoPorts();
    // Only the gateway reads it, so only the gateway refuses to start.
    const { run, dataDir } = runDemo({ ...ports, RATE_LIMIT_PER_MINUTE: "lots" });
    let servicesStarted = 0;
    run.all!.on("data", (chunk: Buffer) => {
      if (!servicesStarted && chunk.toString().includes("==> Starting the gateway")) servicesStarted = Date.now();
    });
    const result = await run;
    const ended = Date.now();
    expect(result.exitCode, result.all).toBe(1);
    expect(result.all).toMatch(/The demo stopped: gateway exited \(code 78\)/);
    expect(result.all).toContain('RATE_LIMIT_PER_MINUTE: expected requests per minute (got "lots")');
    // At once: not after waiting for a gateway that is already gone.
    expect(servicesStarted).toBeGreaterThan(0);
    expect(ended - servicesStarted).toBeLessThan(60_000);
    // MLflow and both workers had started; none of them, nor their children, outlive the demo.
    expect(readFileSync(path.join(dataDir, "logs", "mlflow.log"), "utf8").length).toBeGreaterThan(0);
    expect(existsSync(path.join(dataDir, "logs", "trace-sync.log"))).toBe(true);
    expect(readdirSync(path.join(dataDir, "run"))).toEqual([]);
    expect(processesOf(dataDir)).toEqual([]);
    for (const port of Object.values(ports)) {
      expect(
        await fetch(`http://127.0.0.1:${port}/`).then(
          () => `port ${port} still answers`,
          () => "closed",
        ),
      ).toBe("closed");
    }
  });
});

/** README command 1 makes a console user and says where the console is and how to sign in. */
describe("the embedded demo", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lg-demo-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints the console's address and a sign-in that works", { timeout: 300_000 }, async () => {
    const ports = await demoPorts();
    const port = ports.PORT;
    const run = () =>
      execa(process.execPath, ["--import", "tsx", "scripts/demo.ts"], {
        cwd: repoRoot,
        env: {
          DATABASE_URL: TEST_DATABASE_URL,
          ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
          DEMO_DATA_DIR: dir,
          DEMO_EXIT_AFTER_SYNC: "1",
          ...ports,
          QUEUE_PREFIX: `demo-test-${port}`,
        },
        timeout: 300_000,
      });
    const first = await run();
    const signIn = /The console is running at (\S+) : sign in as\n\s+e-mail:\s+(\S+)\n\s+password: (\S+)/.exec(first.stdout);
    expect(signIn, first.stdout).not.toBeNull();
    const [, url, email, password] = signIn!;
    expect(url).toBe(`http://127.0.0.1:${port}/`);
    const db = createPrismaClient({ url: TEST_DATABASE_URL, maxConnections: 1 });
    try {
      const user = await db.user.findUniqueOrThrow({ where: { email } });
      expect(user.role).toBe("admin");
      await expect(verifyPassword(user.passwordHash, password!)).resolves.toBe(true);
    } finally {
      await db.$disconnect();
    }
    // Kept for the next run, readable by its owner only.
    expect(JSON.parse(readFileSync(path.join(dir, "demo-user.json"), "utf8"))).toEqual({ email, password });
    expect(statSync(path.join(dir, "demo-user.json")).mode & 0o077).toBe(0);
  });
});
