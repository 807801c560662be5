import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type FakeWorkspace, startFakeWorkspace } from "../helpers/databricks/index.ts";
import { createIntegration, startFleet, syncAndWait, type Fleet } from "../helpers/fleet.ts";

const CANARY = "dapi-canary-7f3a9c1e5b2d4f6a8c0e2b4d6f8a0c2e";
// A service principal's OAuth secret (Databricks' `dose…` form), and its HTTP Basic form as the SDK posts it.
const CLIENT_ID = "5a1c0c3e-canary-4b7e-9d2f-client0000001";
const SECRET_CANARY = "dosecanary4e8b2d6f0a3c5e7b9d1f3a5c7e9b";
const BASIC_CANARY = Buffer.from(`${CLIENT_ID}:${SECRET_CANARY}`).toString("base64");
/** Rows as text; counters are BigInts. */
const text = (rows: unknown) => JSON.stringify(rows, (_key, value) => (typeof value === "bigint" ? String(value) : value));

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
  let workspace: FakeWorkspace;
  beforeAll(async () => {
    fleet = await startFleet();
    workspace = await startFakeWorkspace({
      mlflow: inject("mlflowUrl"),
      oauth: { principals: [{ clientId: CLIENT_ID, clientSecret: SECRET_CANARY }], lifetimeSeconds: 41 },
    });
  });
  afterAll(async () => {
    await fleet?.close();
    await workspace?.stop();
  });

  it("stays out of logs, API responses, Redis job data and process arguments", async () => {
    const created = await createIntegration(fleet, { source: "mlflow", host: inject("mlflowUrl"), token: CANARY });
    await expectNoLeak(created, [CANARY], { token: CANARY });
  });

  it("a service principal's client secret stays out of them too, and out of the database outside its sealed column", async () => {
    const created = await createIntegration(fleet, {
      source: "databricks",
      host: workspace.url,
      authType: "oauth-m2m",
      clientId: CLIENT_ID,
      clientSecret: SECRET_CANARY,
      experiments: [inject("demoExperimentId")],
    });
    await expectNoLeak(created, [SECRET_CANARY, BASIC_CANARY], { clientSecret: SECRET_CANARY });
    // The secret reached the workspace's token endpoint, so the sync really used it.
    expect(workspace.oauth!.issued.length).toBeGreaterThan(0);
    const row = await fleet.db.integration.findUniqueOrThrow({ where: { id: created.id } });
    const { tokenCiphertext, ...rest } = row;
    expect(tokenCiphertext).not.toContain(SECRET_CANARY);
    expect(text(rest)).not.toContain(SECRET_CANARY);
    const traces = await fleet.db.trace.findMany({ where: { integrationId: created.id }, take: 50 });
    expect(traces.length).toBeGreaterThan(0);
    expect(text(traces)).not.toContain(SECRET_CANARY);
  });

  async function expectNoLeak(created: { id: string }, canaries: string[], patch: Record<string, string>) {
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
    const patched = await fleet.inject({ method: "PATCH", url: `/api/integrations/${created.id}`, payload: patch });
    expect(patched.statusCode).toBe(200);
    responses.push(patched.body);
    responses.push((await fleet.inject({ method: "POST", url: `/api/integrations/${created.id}/test` })).body);

    expect(fleet.logs.text()).toContain("trace sync finished");
    const runs = text(await fleet.db.syncRun.findMany({ where: { integrationId: created.id } }));
    for (const canary of canaries) {
      expect(fleet.logs.text()).not.toContain(canary);
      expect(responses.join("\n")).not.toContain(canary);
      expect(redisDump.join("\n")).not.toContain(canary);
      expect(argvSamples).not.toContain(canary);
      expect(runs).not.toContain(canary);
    }
  }
});
