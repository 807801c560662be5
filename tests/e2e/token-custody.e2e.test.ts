import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { keyId } from "@langguard/secrets";
import { resetDatabase } from "../helpers/database.ts";
import { createIntegration, startFleet, syncAndWait, type Fleet } from "../helpers/fleet.ts";
import { REDIS_URL, repoRoot, TEST_DATABASE_URL } from "../helpers/test-env.ts";

/** A listener that records every request's headers: it plays the host an attacker points at. */
async function listener(): Promise<{ url: string; seen: IncomingHttpHeaders[]; close(): Promise<void> }> {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { "content-type": "application/json" });
    res.end("{}");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen, close: () => new Promise((r) => server.close(() => r())) };
}

const CANARY = "dapi-custody-canary-5e1b7c3a9d2f4e6a8b0c";

describe("a stored token goes only to the host it was entered for", () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ worker: false });
  });
  afterAll(() => fleet?.close());

  it("refuses a host change without the token, and a row moved behind the API's back cannot be decrypted for the new host", async () => {
    const original = await listener();
    const attacker = await listener();
    try {
      const { id } = await createIntegration(fleet, { source: "mlflow", host: original.url, token: CANARY });
      const patch = await fleet.inject({ method: "PATCH", url: `/api/integrations/${id}`, payload: { host: attacker.url } });
      expect(patch.statusCode).toBe(400);
      expect(patch.json().issues[0].field).toBe("body.token");

      // Even a direct write to the database (a compromised admin tool, a bad migration) gains nothing.
      await fleet.db.integration.update({ where: { id }, data: { host: attacker.url } });
      const report = (await fleet.inject({ method: "POST", url: `/api/integrations/${id}/test` })).json();
      expect(report.status).toBe("failed");
      expect(report.message).toContain("integrity check");
      expect(attacker.seen.map((h) => h.authorization ?? "")).not.toContain(`Bearer ${CANARY}`);
      expect(JSON.stringify(attacker.seen)).not.toContain(CANARY);
    } finally {
      await original.close();
      await attacker.close();
    }
  });
});

describe("encryption key rotation while syncs continue", () => {
  const OLD = "11".repeat(32);
  const NEW = "22".repeat(32);
  // A database of its own: the rotation re-seals every token in the database it is pointed at.
  // Named after the test database, so checkouts with databases of their own never share it.
  const databaseUrl = TEST_DATABASE_URL.replace(/\/([^/]+)$/, "/$1_rotation");
  let fleet: Fleet;
  beforeAll(async () => {
    await resetDatabase(databaseUrl);
    fleet = await startFleet({ worker: false, databaseUrl, env: { ENCRYPTION_KEY: OLD } });
  });
  afterAll(() => fleet?.close());

  it("re-seals every token under the new key with the documented command, and no sync fails", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1)
      ids.push((await createIntegration(fleet, { source: "mlflow", host: inject("mlflowUrl"), token: `tok-${i}-rotation-canary-aaaa` })).id);
    // A password is bound to its method as well as its integration and host, and rotates the same way.
    ids.push(
      (
        await createIntegration(fleet, {
          source: "mlflow",
          host: inject("mlflowUrl"),
          authType: "basic",
          username: "rotator",
          password: "pw-rotation-canary-bbbb",
        })
      ).id,
    );
    expect(new Set((await fleet.db.integration.findMany({ where: { id: { in: ids } } })).map((r) => r.tokenCiphertext!.split(".")[1]))).toEqual(
      new Set([keyId(Buffer.from(OLD, "hex"))]),
    );

    const hook = (await fleet.inject({ method: "POST", url: "/api/webhooks", payload: { url: "http://127.0.0.1:9/hook" } })).json();
    // Step 1 of the runbook: every process gets the new key, with the old one as previous.
    fleet.startWorker({ ENCRYPTION_KEY: NEW, ENCRYPTION_KEY_PREVIOUS: OLD, TRACE_SYNC_CONCURRENCY: "4" });
    const syncs = Promise.all(ids.flatMap((id) => [syncAndWait(fleet, id).then((run) => run.status)]));
    // Step 2: the rotation command, while those syncs run.
    const rotation = await execa("pnpm", ["-s", "admin", "rotate-encryption-key"], {
      cwd: repoRoot,
      env: { DATABASE_URL: databaseUrl, REDIS_URL, ENCRYPTION_KEY: NEW, ENCRYPTION_KEY_PREVIOUS: OLD },
    });
    const report = JSON.parse(rotation.stdout.split("\n")[0]!);
    expect(report.failed).toEqual([]);
    expect(report.resealed).toBeGreaterThanOrEqual(ids.length);
    expect(rotation.stdout + rotation.stderr).not.toMatch(/rotation-canary|11111111|22222222/);
    expect(await syncs).toEqual(ids.map(() => "succeeded"));

    const rows = await fleet.db.integration.findMany({ where: { id: { in: ids } } });
    expect(new Set(rows.map((r) => r.tokenCiphertext!.split(".")[1]))).toEqual(new Set([keyId(Buffer.from(NEW, "hex"))]));
    // Webhook signing secrets are sealed with the same key and rotate with the tokens.
    expect((await fleet.db.webhook.findUniqueOrThrow({ where: { id: hook.id } })).secretCiphertext.split(".")[1]).toBe(keyId(Buffer.from(NEW, "hex")));
    // Step 3: the old key is dropped; syncs go on with the new key alone.
    await fleet.worker!.close();
    fleet.startWorker({ ENCRYPTION_KEY: NEW });
    expect((await syncAndWait(fleet, ids[0]!)).status).toBe("succeeded");
  });
});
