import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkEvictionPolicy } from "@langguard/service-runtime";
import { freePort } from "../../../tests/helpers/mlflow-server.ts";

/** A private redis-server with the given eviction policy, so the machine's own is left alone. */
async function startRedis(policy: string, extra: string[] = []): Promise<{ redis: Redis; server: ChildProcess }> {
  const port = await freePort();
  const server = spawn("redis-server", ["--port", String(port), "--save", "", "--appendonly", "no", "--maxmemory-policy", policy, ...extra], {
    stdio: "ignore",
  });
  const deadline = Date.now() + 10_000;
  while (!(await listening(port))) {
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { redis: new Redis({ port, host: "127.0.0.1" }), server };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function captureLogger() {
  const lines: Array<{ level: string; text: string }> = [];
  const at = (level: string) => (a: unknown, b?: unknown) => lines.push({ level, text: `${typeof a === "string" ? a : JSON.stringify(a)} ${b ?? ""}` });
  return { lines, logger: { error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") } as never };
}

describe("Redis eviction policy check", () => {
  const started: Array<{ redis: Redis; server: ChildProcess }> = [];
  beforeAll(async () => {
    // The third refuses CONFIG, as managed Redis services do.
    started.push(await startRedis("allkeys-lru"), await startRedis("noeviction"), await startRedis("noeviction", ["--rename-command", "CONFIG", ""]));
  });
  afterAll(async () => {
    for (const { redis, server } of started) {
      redis.disconnect();
      server.kill("SIGKILL");
    }
  });

  it("warns loudly, naming the fix, when Redis may evict BullMQ's keys", async () => {
    const { lines, logger } = captureLogger();
    expect(await checkEvictionPolicy(started[0]!.redis, logger)).toBe("allkeys-lru");
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe("error");
    expect(lines[0]!.text).toContain("maxmemory-policy noeviction");
  });

  it("stays quiet on noeviction, and says what to check when CONFIG is refused", async () => {
    const quiet = captureLogger();
    expect(await checkEvictionPolicy(started[1]!.redis, quiet.logger)).toBe("noeviction");
    expect(quiet.lines).toEqual([]);
    const refused = captureLogger();
    expect(await checkEvictionPolicy(started[2]!.redis, refused.logger)).toBeNull();
    expect(refused.lines[0]).toMatchObject({ level: "warn" });
    expect(refused.lines[0]!.text).toContain("noeviction");
  });
});
