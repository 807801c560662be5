import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { Redis } from "ioredis";
import { freePort } from "./mlflow-server.ts";

export interface RedisClusterNode {
  port: number;
  /** A plain connection to this node alone: what it holds, not what the cluster routes to. */
  direct(): Redis;
}

export interface RedisCluster {
  /** REDIS_URL for the fleet. */
  url: string;
  nodes: RedisClusterNode[];
  stop(): Promise<void>;
}

const cli = (port: number, ...args: string[]) => execa("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args], { reject: false });

/**
 * A real Redis Cluster of `size` masters and no replicas, from the machine's redis-server, on free
 * loopback ports in a temporary folder: the machine's own Redis is left alone.
 */
export async function startRedisCluster(size = 3, timeoutMs = 30_000): Promise<RedisCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "langguard-redis-cluster-"));
  const servers: Array<{ port: number; child: ChildProcess; dir: string }> = [];
  const opened: Redis[] = [];
  const stop = async () => {
    for (const connection of opened) connection.disconnect();
    await Promise.all(servers.map((server) => stopServer(server.port, server.child)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < size; i += 1) {
      const port = await freePort();
      // The bus port defaults to port + 10000, which an ephemeral port can push past 65535.
      const busPort = await freePort();
      const nodeDir = path.join(dir, String(port));
      mkdirSync(nodeDir);
      const args = ["--port", String(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"];
      args.push("--cluster-port", String(busPort), "--save", "", "--appendonly", "no", "--dir", nodeDir, "--logfile", path.join(nodeDir, "redis.log"));
      servers.push({ port, dir: nodeDir, child: spawn("redis-server", args, { stdio: "ignore" }) });
    }
    const deadline = Date.now() + timeoutMs;
    const waitFor = async (what: string, probe: () => Promise<boolean>) => {
      while (!(await probe())) {
        if (Date.now() > deadline) throw new Error(`Redis Cluster: timed out waiting for ${what}\n${logs(servers)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    for (const { port } of servers) await waitFor(`node ${port} to answer`, async () => (await cli(port, "ping")).stdout === "PONG");
    const create = await execa("redis-cli", ["--cluster", "create", ...servers.map((s) => `127.0.0.1:${s.port}`), "--cluster-replicas", "0", "--cluster-yes"], {
      reject: false,
    });
    if (create.exitCode !== 0) throw new Error(`redis-cli --cluster create failed:\n${create.stdout}\n${create.stderr}`);
    // Every node must see every slot covered, or a client may meet one that still says fail.
    for (const { port } of servers) {
      await waitFor(`node ${port} to report cluster_state:ok`, async () => (await cli(port, "cluster", "info")).stdout.includes("cluster_state:ok"));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `redis+cluster://${servers.map((s) => `127.0.0.1:${s.port}`).join(",")}`,
    nodes: servers.map(({ port }) => ({
      port,
      direct() {
        const connection = new Redis({ host: "127.0.0.1", port });
        opened.push(connection);
        return connection;
      },
    })),
    stop,
  };
}

async function stopServer(port: number, child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  await cli(port, "shutdown", "nosave");
  const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(killer);
}

function logs(servers: Array<{ port: number; dir: string }>): string {
  return servers
    .map(({ port, dir }) => {
      try {
        return `--- ${port}\n${readFileSync(path.join(dir, "redis.log"), "utf8").slice(-1500)}`;
      } catch {
        return `--- ${port}: no log`;
      }
    })
    .join("\n");
}
