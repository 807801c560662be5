import { describe, expect, it } from "vitest";
import { createRedisConnection, pingRedis } from "@langguard/queue-contracts";
import { probe } from "@langguard/service-runtime";
import { startPrivateRedis } from "../../../tests/faults/private-services.ts";

describe("readiness probes", () => {
  it("say ok, or unreachable when the check fails or does not answer in time", async () => {
    expect(await probe(async () => 1)).toBe("ok");
    expect(await probe(async () => Promise.reject(new Error("down")))).toBe("unreachable");
    const began = Date.now();
    expect(await probe(() => new Promise(() => undefined), 300)).toBe("unreachable");
    expect(Date.now() - began).toBeLessThan(1_000);
  });

  it("report a Redis that went away within the deadline, on a connection made as BullMQ needs it", async () => {
    const redis = await startPrivateRedis();
    const connection = createRedisConnection(redis.url);
    // Reconnection errors are expected once it is gone; the probe is what reports them.
    connection.on("error", () => undefined);
    try {
      expect(await probe(() => pingRedis(connection), 1_000)).toBe("ok");
      await redis.close();
      // The connection now queues commands while it reconnects and never fails them: only the deadline answers.
      const began = Date.now();
      expect(await probe(() => pingRedis(connection), 1_000)).toBe("unreachable");
      expect(Date.now() - began).toBeLessThan(2_500);
    } finally {
      connection.disconnect();
    }
  });
});
