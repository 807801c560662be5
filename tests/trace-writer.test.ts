/**
 * The page writer against the real Postgres: a value Postgres refuses sets aside its own trace
 * only; the rest of the page, the cursor and the run's counters are committed together.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mapTrace, type TraceRow } from "../services/trace-sync/src/mapping/trace.ts";
import { writeTraceBatch } from "../services/trace-sync/src/store/trace-writer.ts";
import { createIntegration, startFleet, type Fleet } from "./helpers/fleet.ts";

const withAgents = (id: string, ms: number, agents: string[]): TraceRow =>
  mapTrace({
    info: { trace_id: id, request_time: new Date(ms).toISOString(), state: "OK", experiment_id: "1" },
    spans: agents.map((name, i) => ({
      spanId: `${id}-${i}`,
      name,
      startTimeNs: `${ms}000000`,
      endTimeNs: `${ms + 5}000000`,
      attributes: { "agent.name": name },
    })),
  });

const trace = (id: string, ms: number): TraceRow =>
  mapTrace({
    info: { trace_id: id, request_time: new Date(ms).toISOString(), state: "OK", experiment_id: "1" },
    spans: [{ spanId: `${id}-s`, name: "root", startTimeNs: `${ms}000000`, endTimeNs: `${ms + 5}000000`, attributes: { "agent.name": "writer-agent" } }],
  });

describe("writeTraceBatch", () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ worker: false });
  });
  afterAll(async () => {
    await fleet?.close();
  });

  async function newRun() {
    const { id } = await createIntegration(fleet, { source: "mlflow", host: "http://127.0.0.1:5000" });
    const run = await fleet.db.syncRun.create({ data: { organizationId: fleet.organizationId, integrationId: id, status: "running" } });
    return { organizationId: fleet.organizationId, integrationId: id, syncRunId: run.id };
  }

  it("moves the cursor over one read's committed parts only, never over an earlier attempt's parts of the same numbers", async () => {
    const target = await newRun();
    const t = Date.UTC(2026, 10, 2);
    const part = (read: string, n: number, cursorMs: number, done: boolean) =>
      writeTraceBatch(fleet.db, target, [trace(`tr-${read}-${n}-${cursorMs}`, cursorMs)], { experimentId: "1", cursorMs, done, slice: { read, part: n } }, 1);
    const cursor = async () => Number((await fleet.db.syncCursor.findFirstOrThrow({ where: { integrationId: target.integrationId } })).cursorMs);
    // The first attempt: part 0 done, part 1 half stored, part 2 (far ahead) done.
    await part("first", 0, t + 10, true);
    await part("first", 2, t + 90, true);
    expect(await cursor()).toBe(t + 10);
    await part("first", 1, t + 20, false);
    expect(await cursor()).toBe(t + 20);
    // The resumed attempt re-plans from t + 20: its parts 0 and 1 cover ranges the first's part 1 never finished.
    await part("second", 0, t + 30, true);
    await part("second", 1, t + 40, true);
    expect(await cursor()).toBe(t + 40);
    const checkpoint = await fleet.db.runCheckpoint.findUniqueOrThrow({ where: { syncRunId_key: { syncRunId: target.syncRunId, key: "1" } } });
    expect(Number(checkpoint.cursorMs)).toBe(t + 40);
  });

  it("sets aside only the trace Postgres refuses, and commits the rest of the page with its cursor", async () => {
    const target = await newRun();
    const t = Date.UTC(2026, 10, 1);
    // An unpaired surrogate that no mapper cleaned stands for any value Postgres refuses.
    const refused = { ...trace("tr-refused", t + 1), name: "bad \uD800 name" };
    const page = [trace("tr-before", t), refused, trace("tr-after", t + 2)];
    const outcome = await writeTraceBatch(fleet.db, target, page, { experimentId: "1", cursorMs: t + 2, done: true }, 3);

    expect(outcome).toMatchObject({ inserted: 2, updated: 0, unchanged: 1 });
    expect(outcome.setAside).toEqual([
      { kind: "trace", experimentId: "1", externalId: "tr-refused", reason: "Postgres refused a value (22P02): invalid input syntax for type json" },
    ]);
    const stored = await fleet.db.trace.findMany({ where: { integrationId: target.integrationId }, select: { externalId: true, spanCount: true } });
    expect(stored.map((s) => s.externalId).sort()).toEqual(["tr-after", "tr-before"]);
    expect(await fleet.db.span.count({ where: { trace: { integrationId: target.integrationId } } })).toBe(2);
    // The refused trace's agent link and spans were rolled back with it.
    expect(await fleet.db.agentTrace.count({ where: { integrationId: target.integrationId } })).toBe(2);
    expect(Number((await fleet.db.syncCursor.findFirstOrThrow({ where: { integrationId: target.integrationId } })).cursorMs)).toBe(t + 2);
    const run = await fleet.db.syncRun.findUniqueOrThrow({ where: { id: target.syncRunId } });
    expect(run).toMatchObject({ itemsFetched: 3, itemsIngested: 2, itemsSkipped: 1 });
    const quarantined = await fleet.db.quarantinedRecord.findMany({ where: { integrationId: target.integrationId } });
    expect(quarantined).toMatchObject([{ kind: "trace", externalId: "tr-refused", experimentId: "1", syncRunId: target.syncRunId }]);
    // The API lists it with its reason, for this organization only.
    const listed = await fleet.inject({ method: "GET", url: `/api/integrations/${target.integrationId}/quarantine?count=true` });
    expect(listed.json()).toMatchObject({ total: 1, items: [{ externalId: "tr-refused", reason: expect.stringContaining("22P02") }] });
    const stranger = await fleet.newOrganization(["read"]);
    const foreign = await fleet.inject({
      method: "GET",
      url: `/api/integrations/${target.integrationId}/quarantine`,
      headers: { authorization: `Bearer ${stranger.apiKey}` },
    });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).not.toContain("tr-refused");

    // Seen again, it stays one row; stored later (say, after an upgrade), it leaves quarantine.
    await writeTraceBatch(fleet.db, target, [refused], null, 1);
    expect(await fleet.db.quarantinedRecord.count({ where: { integrationId: target.integrationId } })).toBe(1);
    await writeTraceBatch(fleet.db, target, [trace("tr-refused", t + 1)], null, 1, { clearQuarantine: true });
    expect(await fleet.db.quarantinedRecord.count({ where: { integrationId: target.integrationId } })).toBe(0);
    expect(await fleet.db.trace.count({ where: { integrationId: target.integrationId } })).toBe(3);
  });

  it("records what the mapper refused in the same transaction as the page", async () => {
    const target = await newRun();
    const t = Date.UTC(2026, 10, 2);
    const outcome = await writeTraceBatch(fleet.db, target, [trace("tr-ok", t)], { experimentId: "1", cursorMs: t, done: false }, 2, {
      setAside: [{ kind: "trace", experimentId: "1", externalId: "tr-no-time", reason: "trace tr-no-time has no valid timestamp" }],
    });
    expect(outcome.inserted).toBe(1);
    expect(await fleet.db.quarantinedRecord.findMany({ where: { integrationId: target.integrationId }, select: { externalId: true, reason: true } })).toEqual([
      { externalId: "tr-no-time", reason: "trace tr-no-time has no valid timestamp" },
    ]);
  });

  it("writes pages of two integrations that share agents at the same time without a deadlock", async () => {
    const [a, b] = [await newRun(), await newRun()];
    const names = Array.from({ length: 60 }, (_, i) => `shared-agent-${String(i).padStart(2, "0")}`);
    const t = Date.UTC(2026, 10, 4);
    // Each integration meets the agents in the opposite order, page after page, concurrently;
    // no retry wraps these writes, so a single deadlock would fail the test.
    const pages = (target: typeof a, order: string[], tag: string) =>
      (async () => {
        for (let p = 0; p < 15; p += 1) {
          const rows = Array.from({ length: 10 }, (_, i) => withAgents(`${tag}-${p}-${i}`, t + p * 10 + i, i % 2 ? order : [...order].reverse()));
          await writeTraceBatch(fleet.db, target, rows, null);
        }
      })();
    await Promise.all([pages(a, names, "a"), pages(b, [...names].reverse(), "b")]);
    const counts = await fleet.db.agentTrace.groupBy({ by: ["agentId"], where: { integrationId: { in: [a.integrationId, b.integrationId] } }, _count: true });
    expect(counts).toHaveLength(names.length);
    for (const c of counts) expect(c._count).toBe(300);
  });

  it("stores month-long durations, multi-billion token counts and exact big integers", async () => {
    const target = await newRun();
    const t = Date.UTC(2026, 10, 3);
    const row = mapTrace(
      {
        info: {
          trace_id: "tr-big",
          request_time: new Date(t).toISOString(),
          execution_duration_ms: 2_592_000_000,
          state: "OK",
          trace_metadata: { "mlflow.trace.tokenUsage": '{"input_tokens": 3000000000, "output_tokens": 2500000000}' },
        },
        request: '{"id": 12345678901234567891}',
        spans: [{ spanId: "s", name: "root", startTimeNs: `${t}000000`, endTimeNs: `${t + 1}000000`, attributes: JSON.parse('{"n": 1}') }],
      },
      undefined,
    );
    await writeTraceBatch(fleet.db, target, [row], null);
    const [stored] = await fleet.db.$queryRawUnsafe<Array<{ durationMs: bigint; totalTokens: bigint; id: string }>>(
      `SELECT "durationMs", "totalTokens", "input"->>'id' AS id FROM "Trace" WHERE "integrationId" = $1::uuid`,
      target.integrationId,
    );
    expect(stored).toEqual({ durationMs: 2_592_000_000n, totalTokens: 5_500_000_000n, id: "12345678901234567891" });
  });
});
