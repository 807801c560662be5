import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import pg from "pg";
import { freePort } from "./mlflow-server.ts";

export interface PgBouncer {
  /** DATABASE_URL for the fleet: the same database, through the pooler. */
  url: string;
  /** Rows of an admin console command (SHOW POOLS, SHOW STATS, SHOW CONFIG …). */
  show(what: string): Promise<Array<Record<string, unknown>>>;
  stop(): Promise<void>;
}

/**
 * The machine's PgBouncer in transaction mode in front of `databaseUrl`'s database, on a free
 * loopback port, with `poolSize` server connections: many client connections share a few.
 * PgBouncer refuses to run as root, so it runs as the postgres user when we are root.
 */
export async function startPgBouncer(databaseUrl: string, poolSize = 4): Promise<PgBouncer> {
  const target = new URL(databaseUrl);
  const database = decodeURIComponent(target.pathname.slice(1));
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), "langguard-pgbouncer-"));
  const user = target.username || "postgres";
  const ini = [
    "[databases]",
    `${database} = host=${target.hostname} port=${target.port || 5432} dbname=${database} user=${user}`,
    "[pgbouncer]",
    "listen_addr = 127.0.0.1",
    `listen_port = ${port}`,
    "unix_socket_dir =",
    "auth_type = trust",
    `auth_file = ${path.join(dir, "users.txt")}`,
    `admin_users = ${user}`,
    "pool_mode = transaction",
    `default_pool_size = ${poolSize}`,
    "max_client_conn = 500",
    `logfile = ${path.join(dir, "pgbouncer.log")}`,
  ].join("\n");
  writeFileSync(path.join(dir, "pgbouncer.ini"), `${ini}\n`);
  writeFileSync(path.join(dir, "users.txt"), `"${user}" ""\n`);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await execa("id", ["-u", "postgres"]);
    const { stdout: gid } = await execa("id", ["-g", "postgres"]);
    chownSync(dir, Number(stdout), Number(gid));
    chmodSync(dir, 0o755);
  }
  const child: ChildProcess = spawn("pgbouncer", [...(asRoot ? ["-u", "postgres"] : []), path.join(dir, "pgbouncer.ini")], { stdio: "ignore" });
  const url = `postgresql://${user}@127.0.0.1:${port}/${database}`;
  const admin = `postgresql://${user}@127.0.0.1:${port}/pgbouncer`;
  const show = async (what: string) => {
    // The admin console speaks the simple protocol only.
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      return (await client.query({ text: `SHOW ${what}`, queryMode: "simple" } as pg.QueryConfig)).rows as Array<Record<string, unknown>>;
    } finally {
      await client.end();
    }
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await show("VERSION");
      break;
    } catch (error) {
      if (child.exitCode !== null || Date.now() > deadline) {
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`PgBouncer did not start on port ${port}: ${(error as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    show,
    async stop() {
      child.kill("SIGINT");
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
