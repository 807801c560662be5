import { describe, expect, it } from "vitest";
import { hashTagOf, isClusterUrl, parseClusterUrl, queuePrefix } from "@langguard/queue-contracts";

describe("REDIS_URL for a Redis Cluster", () => {
  it("reads the seed nodes, the shared credentials and TLS from one URL", () => {
    expect(parseClusterUrl("redis://127.0.0.1:6379")).toBeNull();
    expect(parseClusterUrl("redis+cluster://10.0.0.1:7000,10.0.0.2,[::1]:7002/")).toEqual({
      nodes: [
        { host: "10.0.0.1", port: 7000 },
        { host: "10.0.0.2", port: 6379 },
        { host: "::1", port: 7002 },
      ],
      username: undefined,
      password: undefined,
      tls: false,
    });
    expect(parseClusterUrl("rediss+cluster://app:p%40ss%2Cword@cfg.example.com:6380")).toEqual({
      nodes: [{ host: "cfg.example.com", port: 6380 }],
      username: "app",
      password: "p@ss,word",
      tls: true,
    });
    expect(parseClusterUrl("redis+cluster://:secret@h1:7000,h2:7001")).toMatchObject({ username: undefined, password: "secret" });
  });

  it("refuses what a cluster cannot honour, naming REDIS_URL", () => {
    expect(() => parseClusterUrl("redis+cluster://h1:7000/2")).toThrow(/^REDIS_URL: a cluster URL takes no database or options/);
    expect(() => parseClusterUrl("redis+cluster://h1:7000?tls=true")).toThrow(/REDIS_URL/);
    expect(() => parseClusterUrl("redis+cluster://h1:7000,,h2:7001")).toThrow(/'' is not host:port/);
    expect(() => parseClusterUrl("redis+cluster://h1:notaport")).toThrow(/'h1:notaport' is not host:port/);
  });

  it("hash-tags the queue prefix on a cluster only, and keeps a tag already there", () => {
    const cluster = "redis+cluster://h1:7000";
    expect(isClusterUrl(cluster)).toBe(true);
    expect(queuePrefix({ QUEUE_PREFIX: "langguard", REDIS_URL: cluster })).toBe("{langguard}");
    expect(queuePrefix({ QUEUE_PREFIX: "langguard", REDIS_URL: "redis://127.0.0.1:6379" })).toBe("langguard");
    expect(queuePrefix({ QUEUE_PREFIX: "prod-{langguard}", REDIS_URL: cluster })).toBe("prod-{langguard}");
    expect(queuePrefix({ QUEUE_PREFIX: queuePrefix({ QUEUE_PREFIX: "x", REDIS_URL: cluster }), REDIS_URL: cluster })).toBe("{x}");
  });

  it("finds the hash tag as Redis does: the first {…} that is not empty", () => {
    expect(hashTagOf("{langguard}:trace-sync:wait")).toBe("langguard");
    expect(hashTagOf("a{b}{c}")).toBe("b");
    expect(hashTagOf("{}langguard")).toBeNull();
    expect(hashTagOf("langguard")).toBeNull();
  });
});
