/**
 * Lists that grow page by cursor: a client walking a list while rows are inserted sees every row
 * once, offsets keep working up to their cap, `total` is counted only on request, the CSV export
 * walks the same keyset, and every filter combination is served by an index (EXPLAIN: an index
 * scan in the list's order, no Sort of the filtered set).
 */
import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "@langguard/database";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleet, type Fleet } from "../../../tests/helpers/fleet.ts";
import { TEST_DATABASE_URL } from "../../../tests/helpers/test-env.ts";
import { traceListArgs } from "../src/routes/traces.ts";
import { violationListArgs } from "../src/routes/violations.ts";
import { MAX_OFFSET } from "../src/pagination/keyset.ts";

let fleet: Fleet;
let integrationId: string;
let otherIntegrationId: string;
let policyId: string;
const base = Date.parse("2026-03-01T12:00:00Z");

async function addTraces(count: number, at: (i: number) => number, integration = integrationId) {
  const rows = Array.from({ length: count }, (_, i) => ({
    organizationId: fleet.organizationId,
    integrationId: integration,
    externalId: `tr-${randomUUID()}`,
    timestamp: new Date(at(i)),
    status: i % 3 === 0 ? "ERROR" : "OK",
    contentHash: "x",
  }));
  await fleet.db.trace.createMany({ data: rows });
  return fleet.db.trace.findMany({ where: { externalId: { in: rows.map((r) => r.externalId) } }, select: { id: true } });
}

async function walk(url: string, limit: number, between?: (page: number) => Promise<void>) {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page += 1) {
    const res = await fleet.inject({ method: "GET", url: `${url}${url.includes("?") ? "&" : "?"}limit=${limit}${cursor ? `&cursor=${cursor}` : ""}` });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { items: Array<{ id: string }>; nextCursor: string | null; total?: number };
    expect(body.total).toBeUndefined();
    seen.push(...body.items.map((i) => i.id));
    cursor = body.nextCursor;
    if (!cursor) break;
    await between?.(page);
  }
  return seen;
}

beforeAll(async () => {
  fleet = await startFleet({ worker: false });
  const [a, b] = await Promise.all(
    ["keyset-a", "keyset-b"].map((name) =>
      fleet.db.integration.create({
        data: { organizationId: fleet.organizationId, name: `${name}-${randomUUID()}`, source: "mlflow", host: "http://127.0.0.1:1" },
      }),
    ),
  );
  integrationId = a!.id;
  otherIntegrationId = b!.id;
  policyId = (
    await fleet.db.policy.create({
      data: { organizationId: fleet.organizationId, kind: "custom", name: `keyset-${randomUUID()}`, category: "custom", severity: "high", expression: "true" },
    })
  ).id;
});
afterAll(() => fleet?.close());

describe("traces by cursor", () => {
  it("sees every trace once while traces are inserted ahead of and behind the cursor, ties included", async () => {
    // Four traces share each timestamp: only the id orders them.
    const original = await addTraces(40, (i) => base - Math.floor(i / 4) * 1000);
    const behind: string[] = [];
    const seen = await walk(`/api/traces?integrationId=${integrationId}`, 7, async (page) => {
      // Newer than anything listed (ahead of the cursor: not on later pages) and older (behind it: listed once).
      await addTraces(2, () => base + 60_000 + page);
      behind.push(...(await addTraces(2, (i) => base - 3_600_000 - page * 1000 - i)).map((t) => t.id));
      // The same timestamp as listed rows, on both sides of the tie.
      await addTraces(1, () => base - 5000);
    });
    expect(new Set(seen).size).toBe(seen.length);
    for (const { id } of original) expect(seen).toContain(id);
    for (const id of behind) expect(seen).toContain(id);
    const stored = await fleet.db.trace.findMany({ where: { integrationId, id: { in: seen } }, select: { timestamp: true, id: true } });
    expect(stored).toHaveLength(seen.length);
  });

  it("keeps offsets for small pages, up to the cap, and refuses a deeper offset naming the field and the cursor", async () => {
    const byOffset = await fleet.inject({ method: "GET", url: `/api/traces?integrationId=${integrationId}&limit=5&offset=5` });
    expect(byOffset.statusCode).toBe(200);
    const first = await fleet.inject({ method: "GET", url: `/api/traces?integrationId=${integrationId}&limit=5` });
    const second = await fleet.inject({ method: "GET", url: `/api/traces?integrationId=${integrationId}&limit=5&cursor=${first.json().nextCursor}` });
    expect(byOffset.json().items.map((t: { id: string }) => t.id)).toEqual(second.json().items.map((t: { id: string }) => t.id));
    expect(byOffset.json()).toMatchObject({ offset: 5, limit: 5, hasMore: true });

    const capped = await fleet.inject({ method: "GET", url: `/api/traces?offset=${MAX_OFFSET}` });
    expect(capped.statusCode).toBe(200);
    const deep = await fleet.inject({ method: "GET", url: `/api/traces?offset=${MAX_OFFSET + 1}` });
    expect(deep.statusCode).toBe(400);
    expect(deep.json().issues).toEqual([{ field: "querystring.offset", reason: expect.stringContaining("cursor") }]);
  });

  it("counts the total only when asked", async () => {
    const counted = await fleet.inject({ method: "GET", url: `/api/traces?integrationId=${otherIntegrationId}&count=true` });
    expect(counted.json()).toMatchObject({ total: 0, items: [], nextCursor: null, hasMore: false });
    await addTraces(3, (i) => base + i, otherIntegrationId);
    const again = await fleet.inject({ method: "GET", url: `/api/traces?integrationId=${otherIntegrationId}&count=true&limit=2` });
    expect(again.json()).toMatchObject({ total: 3, hasMore: true });
    expect(again.json().nextCursor).toEqual(expect.any(String));
    const uncounted = await fleet.inject({ method: "GET", url: `/api/traces?integrationId=${otherIntegrationId}` });
    expect(uncounted.json()).not.toHaveProperty("total");
  });

  it("refuses a cursor that is not one, or is another list's, and a cursor with an offset", async () => {
    for (const cursor of [
      "not-a-cursor",
      Buffer.from(JSON.stringify({ l: "violations", v: ["2026-01-01T00:00:00.000Z", randomUUID()] })).toString("base64url"),
    ]) {
      const res = await fleet.inject({ method: "GET", url: `/api/traces?cursor=${cursor}` });
      expect(res.statusCode).toBe(400);
      expect(res.json().issues).toEqual([{ field: "querystring.cursor", reason: "must be the nextCursor of a page of this list" }]);
    }
    const first = await fleet.inject({ method: "GET", url: `/api/traces?limit=1` });
    const both = await fleet.inject({ method: "GET", url: `/api/traces?limit=1&offset=3&cursor=${first.json().nextCursor}` });
    expect(both.statusCode).toBe(400);
    expect(both.json().issues[0].field).toBe("querystring.offset");
  });

  it("pages a trace's spans in start order", async () => {
    const [trace] = await addTraces(1, () => base);
    await fleet.db.span.createMany({
      data: Array.from({ length: 11 }, (_, i) => ({
        traceId: trace!.id,
        spanId: `s${String(i).padStart(2, "0")}`,
        name: `span ${i}`,
        startTime: new Date(base + (i % 4)),
        status: "OK",
      })),
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await fleet.inject({ method: "GET", url: `/api/traces/${trace!.id}/spans?limit=3${cursor ? `&cursor=${cursor}` : ""}` });
      expect(res.statusCode, res.body).toBe(200);
      seen.push(...res.json().items.map((s: { spanId: string }) => s.spanId));
      cursor = res.json().nextCursor;
    } while (cursor);
    expect(seen).toEqual(["s00", "s04", "s08", "s01", "s05", "s09", "s02", "s06", "s10", "s03", "s07"]);
    const other = await fleet.newOrganization(["read"]);
    const hidden = await fleet.inject({ method: "GET", url: `/api/traces/${trace!.id}/spans`, headers: { authorization: `Bearer ${other.apiKey}` } });
    expect(hidden.statusCode).toBe(404);
  });
});

describe("violations by cursor", () => {
  it("lists and exports every violation once, the export streaming past its 1000-row chunks", async () => {
    const traces = await addTraces(2100, (i) => base - i);
    await fleet.db.violation.createMany({
      data: traces.map((t, i) => ({
        organizationId: fleet.organizationId,
        integrationId,
        traceId: t.id,
        policyId,
        policyVersion: 1,
        severity: "high" as const,
        message: `=m${i}`,
        createdAt: new Date(base - Math.floor(i / 3)),
      })),
    });
    const listed = await walk(`/api/policies/violations?policyId=${policyId}`, 200);
    expect(listed).toHaveLength(2100);
    expect(new Set(listed).size).toBe(2100);
    const csv = await fleet.inject({ method: "GET", url: `/api/policies/violations?policyId=${policyId}&format=csv` });
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.trim().split("\r\n");
    expect(lines).toHaveLength(2101);
    expect(lines.slice(1).map((l) => l.split(",")[0]!.replaceAll('"', ""))).toEqual(listed);
    // Still through the CSV module: a message starting a formula is neutralised.
    expect(csv.body).toContain(',"\'=m2099"');
  });
});

describe("indexes", () => {
  let pool: pg.Pool;
  let capturing: PrismaClient;
  const captured: Array<{ text: string; values: unknown[] }> = [];

  beforeAll(() => {
    pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    // The SQL Prisma really sends for a route's arguments, to EXPLAIN it as sent.
    pool.on("connect", (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const [config, values] = args as [string | { text: string; values?: unknown[] }, unknown[] | undefined];
        if (typeof config === "string") captured.push({ text: config, values: values ?? [] });
        else if (config && typeof config === "object" && "text" in config) captured.push({ text: config.text, values: config.values ?? [] });
        return query(...args);
      };
    });
    capturing = new PrismaClient({ adapter: new PrismaPg(pool) });
  });
  afterAll(() => capturing?.$disconnect());

  async function planOf(run: () => Promise<unknown>, table: string) {
    captured.length = 0;
    await run();
    const sent = captured.find((q) => q.text.startsWith("SELECT") && q.text.includes(`FROM "public"."${table}"`));
    expect(sent, `a SELECT on ${table}`).toBeDefined();
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query("BEGIN");
      // Without these a small test table is cheaper to scan and sort: the question is whether an index CAN serve the order.
      await client.query("SET LOCAL enable_seqscan = off");
      await client.query("SET LOCAL enable_bitmapscan = off");
      await client.query("SET LOCAL enable_sort = off");
      const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${sent!.text}`, sent!.values);
      await client.query("ROLLBACK");
      return JSON.stringify(rows[0]["QUERY PLAN"]);
    } finally {
      await client.end();
    }
  }

  const cursorAt = (list: string) => Buffer.from(JSON.stringify({ l: list, v: [new Date(base).toISOString(), randomUUID()] })).toString("base64url");

  it("serves every traces filter combination, first page and by cursor, from an index without sorting", async () => {
    const org = fleet.organizationId;
    const combinations = [
      {},
      { integrationId },
      { status: "ERROR" },
      { integrationId, status: "ERROR" },
      { agent: "planner" },
      { from: new Date(base - 86_400_000), to: new Date(base) },
      { integrationId, from: new Date(base - 86_400_000) },
    ];
    for (const filters of combinations) {
      for (const cursor of [undefined, cursorAt("traces")]) {
        const plan = await planOf(() => capturing.trace.findMany(traceListArgs(org, { ...filters, limit: 50, cursor })), "Trace");
        expect(plan, JSON.stringify(filters)).toMatch(/"Node Type":"Index (Only )?Scan"[^}]*"Relation Name":"Trace"/);
        expect(plan, JSON.stringify(filters)).not.toContain('"Node Type":"Sort"');
        expect(plan, JSON.stringify(filters)).not.toContain('"Node Type":"Incremental Sort"');
      }
    }
  });

  it("serves every violations filter combination from an index without sorting", async () => {
    const org = fleet.organizationId;
    const combinations = [
      {},
      { status: "new" as const },
      { severity: "high" as const },
      { status: "new" as const, severity: "high" as const },
      { integrationId },
      { policyId },
      { agent: "planner" },
      { from: new Date(base - 86_400_000), to: new Date(base) },
    ];
    for (const filters of combinations) {
      for (const cursor of [undefined, cursorAt("violations")]) {
        const plan = await planOf(() => capturing.violation.findMany(violationListArgs(org, { ...filters, limit: 50, cursor })), "Violation");
        expect(plan, JSON.stringify(filters)).toMatch(/"Node Type":"Index (Only )?Scan"[^}]*"Relation Name":"Violation"/);
        expect(plan, JSON.stringify(filters)).not.toContain('"Node Type":"Sort"');
        expect(plan, JSON.stringify(filters)).not.toContain('"Node Type":"Incremental Sort"');
      }
    }
  });
});
