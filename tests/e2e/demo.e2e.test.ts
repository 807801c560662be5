import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "@langguard/database";
import { verifyPassword } from "../../services/gateway/src/auth/passwords.ts";
import { freePort } from "../helpers/mlflow-server.ts";
import { repoRoot, TEST_DATABASE_URL, TEST_ENCRYPTION_KEY } from "../helpers/test-env.ts";

/** README command 1 makes a console user and says where the console is and how to sign in. */
describe("the embedded demo", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lg-demo-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints the console's address and a sign-in that works", { timeout: 300_000 }, async () => {
    const [port, mlflowPort] = [await freePort(), await freePort()];
    const run = () =>
      execa(process.execPath, ["--import", "tsx", "scripts/demo.ts"], {
        cwd: repoRoot,
        env: {
          DATABASE_URL: TEST_DATABASE_URL,
          ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
          DEMO_DATA_DIR: dir,
          DEMO_EXIT_AFTER_SYNC: "1",
          PORT: String(port),
          MLFLOW_PORT: String(mlflowPort),
          OPS_PORT: "0",
          METRICS_PORT: "0",
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
