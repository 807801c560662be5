import { randomUUID } from "node:crypto";
import { UnrecoverableError, Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "@langguard/config";
import { openToken } from "@langguard/credentials";
import { defaultHostPolicy } from "@langguard/host-policy";
import { createQueue, jobId, QueueName } from "@langguard/queue-contracts";
import { keyRingFromSettings } from "@langguard/secrets";
import { reconcileSyncRuns } from "@langguard/sync-runs";
import { startFleet, type Fleet } from "../../../tests/helpers/fleet.ts";
import { TEST_ENCRYPTION_KEY } from "../../../tests/helpers/test-env.ts";
import { ensureEnvironmentIntegration, ENV_INTEGRATION_NAME } from "../src/bootstrap.ts";
import { envSchema } from "../src/env.ts";

describe("integrations API", () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ worker: false });
  });
  afterAll(() => fleet?.close());

  const post = (payload: object) => fleet.inject({ method: "POST", url: "/api/integrations", payload });
  const valid = () => ({
    name: `Production ${randomUUID().slice(0, 6)}`,
    host: "https://dbc-123.cloud.databricks.com/",
    token: "dapi0123456789abcdef0123456789abcd",
  });

  it("creates an integration, stores the token sealed to its host and returns only a masked suffix", async () => {
    const body = { ...valid(), warehouseId: "abc123def" };
    const res = await post(body);
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({
      name: body.name,
      source: "databricks",
      host: "https://dbc-123.cloud.databricks.com",
      warehouseId: "abc123def",
      token: "****abcd",
      hasToken: true,
      syncTraces: true,
      experiments: [],
      enabled: true,
      connection: { status: "unknown" },
    });
    expect(created).not.toHaveProperty("organizationId");
    expect(created).not.toHaveProperty("tokenCiphertext");
    expect(res.body).not.toContain(body.token);
    const row = await fleet.db.integration.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.organizationId).toBe(fleet.organizationId);
    expect(row.tokenCiphertext).not.toContain(body.token);
    expect(openToken(keyRingFromSettings(TEST_ENCRYPTION_KEY), row)).toBe(body.token);

    const one = await fleet.inject({ method: "GET", url: `/api/integrations/${created.id}` });
    expect(one.json()).toMatchObject({ id: created.id, token: "****abcd" });
    const all = await fleet.inject({ method: "GET", url: "/api/integrations?limit=200" });
    expect(all.json().items.map((i: { id: string }) => i.id)).toContain(created.id);
    expect(all.body).not.toContain(body.token);
  });

  it.each([
    [{ extra: true }, "body.extra", "unknown field"],
    [{ host: "dbc-123.cloud.databricks.com" }, "body.host", ""],
    [{ host: "https://user:pw@dbc-123.cloud.databricks.com" }, "body.host", "user name or password"],
    [{ host: "https://dbc-123.cloud.databricks.com.evil.example.com" }, "body.host", "Databricks workspace domain"],
    [{ host: "https://169.254.169.254" }, "body.host", "IP address"],
    [{ name: "" }, "body.name", "must not be empty"],
    [{ name: "bad\u0000name" }, "body.name", "control characters"],
    [{ experiments: ["ok", "nul\u0000here"] }, "body.experiments.1", "control characters"],
    [{ token: undefined }, "body.token", "is required for a Databricks workspace"],
    [{ token: "dapi with space" }, "body.token", "whitespace"],
    [{ warehouseId: "bad id!" }, "body.warehouseId", "SQL warehouse id"],
    [{ source: "snowflake" }, "body.source", "'databricks' or 'mlflow'"],
  ])("rejects %j with 400 naming %s", async (change, field, reason) => {
    const res = await post({ ...valid(), ...change });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ field, reason: expect.stringContaining(reason) })]));
    expect(body.message).toContain(field);
  });

  it("accepts the WHATWG spellings of a valid workspace URL, normalised", async () => {
    const res = await post({ ...valid(), host: "HTTPS://DBC-123.CLOUD.DATABRICKS.COM:443/" });
    expect(res.statusCode).toBe(201);
    expect(res.json().host).toBe("https://dbc-123.cloud.databricks.com");
  });

  it("accepts an allowed self-hosted MLflow server without a token", async () => {
    const res = await post({ name: `mlflow-${randomUUID().slice(0, 6)}`, source: "mlflow", host: "http://127.0.0.1:5000" });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ token: null, hasToken: false });
  });

  it("answers 409 for a duplicate name", async () => {
    const body = valid();
    expect((await post(body)).statusCode).toBe(201);
    const res = await post(body);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ field: "body.name", message: expect.stringContaining("already exists") });
  });

  it("updates the token and selected experiments without revealing the token", async () => {
    const created = (await post(valid())).json();
    const res = await fleet.inject({
      method: "PATCH",
      url: `/api/integrations/${created.id}`,
      payload: { token: "dapi-new-token-9876", experiments: ["123", "/Users/a/agents"] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ token: "****9876", experiments: ["123", "/Users/a/agents"] });
    expect(res.body).not.toContain("dapi-new-token-9876");
  });

  it("refuses to move a stored token to another host or source unless the token is given again", async () => {
    const created = (await post(valid())).json();
    for (const change of [{ host: "https://dbc-999.cloud.databricks.com" }, { source: "mlflow" }]) {
      const res = await fleet.inject({ method: "PATCH", url: `/api/integrations/${created.id}`, payload: change });
      expect(res.statusCode, JSON.stringify(change)).toBe(400);
      expect(res.json().issues).toEqual([expect.objectContaining({ field: "body.token", reason: expect.stringContaining("host it was entered for") })]);
    }
    const moved = await fleet.inject({
      method: "PATCH",
      url: `/api/integrations/${created.id}`,
      payload: { host: "https://dbc-999.cloud.databricks.com", token: "dapi-for-the-new-host-0000" },
    });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toMatchObject({ host: "https://dbc-999.cloud.databricks.com", token: "****0000" });
  });

  it("disables an integration: its status says so and syncs are refused", async () => {
    const created = (await post(valid())).json();
    const res = await fleet.inject({ method: "PATCH", url: `/api/integrations/${created.id}`, payload: { enabled: false } });
    expect(res.json()).toMatchObject({ enabled: false, connection: { status: "disabled" } });
    const sync = await fleet.inject({ method: "POST", url: `/api/integrations/${created.id}/sync`, payload: {} });
    expect(sync.statusCode).toBe(409);
    expect(sync.json().message).toContain("disabled");
  });

  it("paginates the list of integrations", async () => {
    for (let i = 0; i < 3; i += 1) await post(valid());
    const first = (await fleet.inject({ method: "GET", url: "/api/integrations?limit=2" })).json();
    expect(first.items).toHaveLength(2);
    expect(first).toMatchObject({ limit: 2, offset: 0, hasMore: true });
    const second = (await fleet.inject({ method: "GET", url: "/api/integrations?limit=2&offset=2" })).json();
    expect(second.items.map((i: { id: string }) => i.id)).not.toContain(first.items[0].id);
  });

  it("answers 404 for unknown ids and 400 for malformed ones", async () => {
    const missing = randomUUID();
    for (const url of [`/api/integrations/${missing}`, `/api/integrations/${missing}/sync/status`, `/api/traces/${missing}`, `/api/agents/${missing}`]) {
      const res = await fleet.inject({ method: "GET", url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().message).toContain(missing);
    }
    expect((await fleet.inject({ method: "POST", url: `/api/integrations/${missing}/sync`, payload: {} })).statusCode).toBe(404);
    const bad = await fleet.inject({ method: "GET", url: "/api/integrations/not-a-uuid" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues).toEqual([{ field: "params.id", reason: "must be a UUID" }]);
  });

  it("validates sync triggers and list queries, NUL bytes included", async () => {
    const created = (await post(valid())).json();
    const mode = await fleet.inject({ method: "POST", url: `/api/integrations/${created.id}/sync`, payload: { mode: "everything" } });
    expect(mode.statusCode).toBe(400);
    expect(mode.json().issues[0].field).toBe("body.mode");
    const limit = await fleet.inject({ method: "GET", url: "/api/traces?limit=5000" });
    expect(limit.statusCode).toBe(400);
    expect(limit.json().issues[0]).toEqual({ field: "querystring.limit", reason: "must be at most 200" });
    const unknown = await fleet.inject({ method: "GET", url: "/api/traces?colour=red" });
    expect(unknown.json().issues[0]).toEqual({ field: "querystring.colour", reason: "unknown field" });
    const nul = await fleet.inject({ method: "GET", url: "/api/traces?agent=a%00b" });
    expect(nul.statusCode).toBe(400);
    expect(nul.json().issues[0]).toMatchObject({ field: "querystring.agent", reason: expect.stringContaining("control characters") });
  });

  it("enqueues one job per active run: a second trigger returns the same run", async () => {
    const created = (await post(valid())).json();
    const first = await fleet.inject({ method: "POST", url: `/api/integrations/${created.id}/sync`, payload: {} });
    expect(first.statusCode).toBe(202);
    const second = await fleet.inject({ method: "POST", url: `/api/integrations/${created.id}/sync` });
    expect(second.statusCode).toBe(202);
    expect(second.json()).toMatchObject({ syncRunId: first.json().syncRunId, alreadyActive: true });
    const status = (await fleet.inject({ method: "GET", url: `/api/integrations/${created.id}/sync/status` })).json();
    expect(status).toMatchObject({ isActive: true, currentRun: { id: first.json().syncRunId, status: "queued" }, lastSync: null });
  });

  it("re-enqueues from Postgres a run whose job Redis lost", async () => {
    const created = (await post(valid())).json();
    const runId = (await fleet.inject({ method: "POST", url: `/api/integrations/${created.id}/sync`, payload: {} })).json().syncRunId;
    const queue = createQueue(QueueName.TraceSync, { connection: fleet.redis, prefix: fleet.prefix });
    // As after a Redis restart that lost its last writes.
    await (await queue.getJob(jobId.traceSync(runId)))!.remove();
    await fleet.db.syncRun.update({ where: { id: runId }, data: { createdAt: new Date(Date.now() - 10 * 60_000) } });
    expect(await queue.getJob(jobId.traceSync(runId))).toBeUndefined();

    const repairs = await reconcileSyncRuns(fleet.db, { traces: queue }, { lockDurationMs: 60_000 });
    expect(repairs.enqueued).toBeGreaterThanOrEqual(1);
    const restored = await queue.getJob(jobId.traceSync(runId));
    expect(restored?.data).toMatchObject({ syncRunId: runId, integrationId: created.id, mode: "incremental" });
    // A second pass finds the job in place and adds nothing.
    await reconcileSyncRuns(fleet.db, { traces: queue }, { lockDurationMs: 60_000 });
    expect((await queue.getJobs(["waiting"])).filter((j) => j.data.syncRunId === runId)).toHaveLength(1);
    await queue.close();
  });

  it("repairs the run a trigger coalesces into: a lost job is enqueued again, a job the queue failed is retried, one completed without an outcome fails the run", async () => {
    const created = (await post(valid())).json();
    const trigger = () => fleet.inject({ method: "POST", url: `/api/integrations/${created.id}/sync`, payload: {} });
    const runId = (await trigger()).json().syncRunId;
    const queue = createQueue(QueueName.TraceSync, { connection: fleet.redis, prefix: fleet.prefix });
    try {
      // Earlier tests' jobs go, so that the jobs taken below are this run's.
      await queue.drain();
      expect((await trigger()).json()).toMatchObject({ syncRunId: runId, alreadyActive: true });
      expect(await queue.getJobState(jobId.traceSync(runId))).toBe("waiting");

      // The queue gives up on the job without our processor (as after repeated stalls).
      const worker = new Worker(QueueName.TraceSync, null, { connection: fleet.redis.duplicate(), prefix: fleet.prefix });
      const token = randomUUID();
      const taken = (await worker.getNextJob(token))!;
      expect(taken.id).toBe(jobId.traceSync(runId));
      await taken.moveToFailed(new UnrecoverableError("job stalled more than allowable limit"), token);
      await worker.close();
      expect(await queue.getJobState(jobId.traceSync(runId))).toBe("failed");
      expect((await trigger()).json()).toMatchObject({ syncRunId: runId, alreadyActive: true, status: "queued" });
      expect(await queue.getJobState(jobId.traceSync(runId))).toBe("waiting");
      const restarted = await fleet.db.syncRun.findUniqueOrThrow({ where: { id: runId } });
      expect(restarted.progress).toMatchObject({ phase: expect.stringContaining("restarted: the queue gave up") });

      // A job that completed while its run still looks active: the trigger fails that run and the next one starts afresh.
      await (await queue.getJob(jobId.traceSync(runId)))!.remove();
      await queue.add("trace-sync", { syncRunId: runId }, { jobId: jobId.traceSync(runId) });
      const finisher = new Worker(QueueName.TraceSync, null, { connection: fleet.redis.duplicate(), prefix: fleet.prefix });
      const finished = (await finisher.getNextJob(token))!;
      await finished.moveToCompleted("done", token, false);
      await finisher.close();
      const afterCompleted = (await trigger()).json();
      expect(afterCompleted).toMatchObject({ syncRunId: runId, alreadyActive: true, status: "failed" });
      const failed = await fleet.db.syncRun.findUniqueOrThrow({ where: { id: runId } });
      expect(failed.errorMessage).toContain("ended without recording an outcome");
      const next = (await trigger()).json();
      expect(next).toMatchObject({ alreadyActive: false, status: "queued" });
      expect(next.syncRunId).not.toBe(runId);
    } finally {
      await queue.close();
    }
  });

  it("keeps one integration in step with DATABRICKS_HOST and DATABRICKS_API_KEY, under the same host policy", async () => {
    const ring = keyRingFromSettings(TEST_ENCRYPTION_KEY);
    const base = { ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, DATABRICKS_HOST: "https://dbc-env.cloud.databricks.com/", DATABRICKS_WAREHOUSE_ID: "wh1" };
    const policy = defaultHostPolicy();
    const first = await ensureEnvironmentIntegration(fleet.db, parseEnv(envSchema, { ...base, DATABRICKS_API_KEY: "dapi-env-token-1111" }), ring, policy);
    const second = await ensureEnvironmentIntegration(fleet.db, parseEnv(envSchema, { ...base, DATABRICKS_API_KEY: "dapi-env-token-2222" }), ring, policy);
    expect(second!.id).toBe(first!.id);
    expect(second).toMatchObject({ name: ENV_INTEGRATION_NAME, host: "https://dbc-env.cloud.databricks.com", warehouseId: "wh1", tokenLast4: "2222" });
    expect(openToken(ring, second!)).toBe("dapi-env-token-2222");
    expect(await ensureEnvironmentIntegration(fleet.db, parseEnv(envSchema, { ENCRYPTION_KEY: TEST_ENCRYPTION_KEY }), ring, policy)).toBeNull();
    await expect(
      ensureEnvironmentIntegration(
        fleet.db,
        parseEnv(envSchema, { ...base, DATABRICKS_HOST: "http://169.254.169.254", DATABRICKS_API_KEY: "x-key-1" }),
        ring,
        policy,
      ),
    ).rejects.toThrow(/DATABRICKS_HOST/);
  });

  it("reports readiness of Postgres and Redis, and liveness without a key", async () => {
    const res = await fleet.inject({ method: "GET", url: "/health" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "ok", checks: { database: "ok", redis: "ok" } });
    const live = await fleet.app.inject({ method: "GET", url: "/health/live" });
    expect(live.statusCode).toBe(200);
  });
});
