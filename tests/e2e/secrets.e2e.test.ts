import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createIntegration, startFleet, syncAndWait, type Fleet } from "../helpers/fleet.ts";

const CANARY = "dapi-canary-7f3a9c1e5b2d4f6a8c0e2b4d6f8a0c2e";

/** Every process argument vector on the machine, read while a sync is running. */
function allProcessArguments(): string {
  const out: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      out.push(readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " "));
    } catch {
      // exited meanwhile
    }
  }
  return out.join("\n");
}

describe("a token never leaks", () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet();
  });
  afterAll(() => fleet?.close());

  it("stays out of logs, API responses, Redis job data and process arguments", async () => {
    const created = await createIntegration(fleet, { source: "mlflow", host: inject("mlflowUrl"), token: CANARY });
    const responses: string[] = [JSON.stringify(created)];

    let argvSamples = "";
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        argvSamples += allProcessArguments();
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const trigger = await fleet.inject({ method: "POST", url: `/api/integrations/${created.id}/sync`, payload: {} });
    responses.push(trigger.body);
    // Redis holds the job while it is in flight: read every key under this fleet's prefix.
    const redisDump: string[] = [];
    for (const key of await fleet.redis.keys(`${fleet.prefix}:*`)) {
      const type = await fleet.redis.type(key);
      if (type === "hash") redisDump.push(JSON.stringify(await fleet.redis.hgetall(key)));
      else if (type === "string") redisDump.push(String(await fleet.redis.get(key)));
      else if (type === "list") redisDump.push(JSON.stringify(await fleet.redis.lrange(key, 0, -1)));
    }
    expect(redisDump.join("")).toContain(trigger.json().syncRunId);
    const run = await syncAndWait(fleet, created.id);
    sampling = false;
    await sampler;
    expect(run.status).toBe("succeeded");
    expect(argvSamples).toContain("python-bridge/bridge.py");

    for (const url of [
      `/api/integrations/${created.id}`,
      "/api/integrations",
      `/api/integrations/${created.id}/sync/status`,
      `/api/integrations/${created.id}/sync/history`,
      `/api/traces?integrationId=${created.id}`,
      "/api/agents",
    ]) {
      responses.push((await fleet.inject({ method: "GET", url })).body);
    }
    const patched = await fleet.inject({ method: "PATCH", url: `/api/integrations/${created.id}`, payload: { token: CANARY } });
    responses.push(patched.body);

    expect(fleet.logs.text()).toContain("trace sync finished");
    expect(fleet.logs.text()).not.toContain(CANARY);
    expect(responses.join("\n")).not.toContain(CANARY);
    expect(redisDump.join("\n")).not.toContain(CANARY);
    expect(argvSamples).not.toContain(CANARY);
    expect(JSON.stringify(await fleet.db.syncRun.findMany({ where: { integrationId: created.id } }))).not.toContain(CANARY);
  });
});
