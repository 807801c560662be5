import { mkdtempSync, rmSync, chmodSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { freePort } from "../helpers/mlflow-server.ts";

/** A Redis of the test's own, which it may restart empty (no persistence, as a lost node would be). */
export async function startPrivateRedis() {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), "langguard-redis-"));
  const start = async () => {
    await execa("redis-server", [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      "--daemonize",
      "yes",
      "--maxmemory-policy",
      "noeviction",
    ]);
    for (let i = 0; i < 50; i += 1) {
      if ((await execa("redis-cli", ["-p", String(port), "ping"], { reject: false })).stdout === "PONG") return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("private Redis did not start");
  };
  const stop = () => execa("redis-cli", ["-p", String(port), "shutdown", "nosave"], { reject: false });
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    /** Everything in it is gone, as after a restart of a Redis that lost its data. */
    restartEmpty: async () => {
      await stop();
      await start();
    },
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const PG_BIN = "/usr/lib/postgresql/15/bin";

/** A throwaway Postgres cluster the test may stop and start without touching the machine's own. */
export async function startPrivatePostgres() {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), "langguard-pg-"));
  chmodSync(dir, 0o777);
  const data = path.join(dir, "data");
  // initdb refuses to run as root; the cluster belongs to the postgres user.
  const asPostgres = (command: string) => execa("su", ["postgres", "-s", "/bin/sh", "-c", command]);
  await asPostgres(`${PG_BIN}/initdb -D ${data} -A trust -U postgres >/dev/null`);
  const start = () => asPostgres(`${PG_BIN}/pg_ctl -D ${data} -o '-p ${port} -k ${dir} -c listen_addresses=127.0.0.1' -l ${dir}/log -w start >/dev/null`);
  const stop = () => asPostgres(`${PG_BIN}/pg_ctl -D ${data} -m fast -w stop >/dev/null`);
  await start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/langguard_faults`,
    start,
    stop,
    close: async () => {
      await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
