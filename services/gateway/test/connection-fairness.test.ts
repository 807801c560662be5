/**
 * Connection tests start Python processes, so one gateway runs only CONNECTION_TEST_CONCURRENCY
 * at once; within that cap each organization gets a fair share, so one tenant's slow tests
 * cannot make every other tenant's test answer 429.
 */
import { once } from "node:events";
import { createServer, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startFleet, type Fleet } from "../../../tests/helpers/fleet.ts";
import { until } from "../../../tests/helpers/until.ts";

describe("connection tests share the gateway fairly between organizations", () => {
  let fleet: Fleet;
  // A workspace that accepts connections and never answers: each test against it holds its slot.
  const held: Socket[] = [];
  const silent = createServer((socket) => {
    held.push(socket);
    socket.on("error", () => undefined);
  });

  beforeAll(async () => {
    silent.listen(0, "127.0.0.1");
    await once(silent, "listening");
    fleet = await startFleet({ worker: false, env: { CONNECTION_TEST_CONCURRENCY: "4", DATABRICKS_VALIDATION_TIMEOUT: "60000" } });
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    silent.close();
    await fleet?.close();
  });

  it("lets organization A hold its share while organization B's test still runs", async () => {
    const a = await fleet.newOrganization(["write"]);
    const b = await fleet.newOrganization(["write"]);
    const test = (key: string, host: string) =>
      fleet.app.inject({ method: "POST", url: "/api/integrations/test", headers: { authorization: `Bearer ${key}` }, payload: { source: "mlflow", host } });
    const slowHost = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;

    // A starts four slow tests. Three run (each reaches the silent workspace); the fourth is A's
    // fourth and would take the last slot of the gateway: it is refused, naming the share.
    const running = [test(a.apiKey, slowHost), test(a.apiKey, slowHost), test(a.apiKey, slowHost)];
    await until("A's three tests to reach the workspace", async () => held.length >= 3, 60_000);
    const fourth = await test(a.apiKey, slowHost);
    expect(fourth.statusCode).toBe(429);
    expect(fourth.json().message).toMatch(/Your organization already runs 3 connection tests/);

    // B's test runs, against a real MLflow server, while A's three still hold their slots.
    const other = await test(b.apiKey, inject("mlflowUrl"));
    expect(other.statusCode).toBe(200);
    expect(other.json()).toMatchObject({ status: "connected" });
    expect(held.length).toBeGreaterThanOrEqual(3);

    // A's tests end when their workspace hangs up, and every slot is free again.
    for (const socket of held) socket.destroy();
    for (const res of await Promise.all(running)) expect(res.statusCode).toBe(200);
    const again = await test(b.apiKey, inject("mlflowUrl"));
    expect(again.statusCode).toBe(200);
  });
});
