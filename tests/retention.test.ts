/**
 * Retention: each organization sets how long it keeps traces (and, longer if it likes,
 * violations); the job deletes exactly one organization's expired rows in bounded batches and
 * nothing of another's.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleet, type Fleet } from "./helpers/fleet.ts";
import { deleteExpired } from "../services/trace-sync/src/retention/delete-expired.ts";

const DAY = 24 * 3600 * 1000;
let fleet: Fleet;

async function seed(organizationId: string, ages: number[]) {
  const integration = await fleet.db.integration.create({
    data: { organizationId, name: `ret-${randomUUID()}`, source: "mlflow", host: "http://127.0.0.1:1" },
  });
  const policy = await fleet.db.policy.create({
    data: { organizationId, kind: "custom", name: `ret-${randomUUID()}`, category: "custom", severity: "high", expression: "true" },
  });
  const ids: string[] = [];
  for (const [i, ageDays] of ages.entries()) {
    const trace = await fleet.db.trace.create({
      data: {
        organizationId,
        integrationId: integration.id,
        externalId: `tr-${i}-${randomUUID()}`,
        timestamp: new Date(Date.now() - ageDays * DAY),
        status: "OK",
        contentHash: "x",
        spanCount: 2,
        spans: {
          create: [0, 1].map((s) => ({ spanId: `s${s}`, name: "span", startTime: new Date(Date.now() - ageDays * DAY), status: "OK" })),
        },
      },
    });
    await fleet.db.violation.create({
      data: {
        organizationId,
        integrationId: integration.id,
        traceId: trace.id,
        policyId: policy.id,
        policyVersion: 1,
        severity: "high",
        message: "m",
        createdAt: new Date(Date.now() - ageDays * DAY),
      },
    });
    ids.push(trace.id);
  }
  return { integrationId: integration.id, traceIds: ids };
}

beforeAll(async () => {
  fleet = await startFleet({ worker: false });
});
afterAll(() => fleet?.close());

describe("retention settings", () => {
  it("are set by an admin, at least a day, violations no shorter than traces, each refusal naming its field", async () => {
    expect((await fleet.inject({ method: "GET", url: "/api/organization/retention" })).json()).toEqual({ retentionDays: null, violationRetentionDays: null });
    const zero = await fleet.inject({ method: "PUT", url: "/api/organization/retention", payload: { retentionDays: 0 } });
    expect(zero.statusCode).toBe(400);
    expect(zero.json().issues).toEqual([{ field: "body.retentionDays", reason: "must be at least 1 day" }]);
    const shorter = await fleet.inject({ method: "PUT", url: "/api/organization/retention", payload: { retentionDays: 30, violationRetentionDays: 7 } });
    expect(shorter.statusCode).toBe(400);
    expect(shorter.json().issues[0].field).toBe("body.violationRetentionDays");
    const reader = await fleet.newOrganization(["read", "write"]);
    const denied = await fleet.app.inject({
      method: "PUT",
      url: "/api/organization/retention",
      payload: { retentionDays: 1 },
      headers: { authorization: `Bearer ${reader.apiKey}` },
    });
    expect(denied.statusCode).toBe(403);
    const set = await fleet.inject({ method: "PUT", url: "/api/organization/retention", payload: { retentionDays: 30, violationRetentionDays: null } });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toEqual({ retentionDays: 30, violationRetentionDays: null });
  });
});

describe("the retention job", () => {
  it("deletes exactly this organization's expired traces, spans and violations, in bounded batches, and nothing of another", async () => {
    const other = await fleet.newOrganization();
    const mine = await seed(fleet.organizationId, [40, 35, 31, 29, 1, 45, 60]);
    const theirs = await seed(other.organizationId, [40, 35, 31, 29, 1]);
    // The other organization keeps everything.
    await fleet.db.organization.update({ where: { id: fleet.organizationId }, data: { retentionDays: 30, violationRetentionDays: null } });

    const batches: number[] = [];
    // Three lanes side by side: each takes its own oldest traces, none twice, and all are counted.
    const results = await deleteExpired(fleet.db, { batchSize: 2, maxBatches: 100, lanes: 3 }, new Date(), (b) => {
      if (b.organizationId === fleet.organizationId) batches.push(b.traces);
    });
    const ours = results.find((r) => r.organizationId === fleet.organizationId)!;
    expect(ours).toMatchObject({ traces: 5, spans: 10, violations: 5, behind: false });
    expect(Math.max(...batches)).toBeLessThanOrEqual(2);
    expect(results.find((r) => r.organizationId === other.organizationId)).toBeUndefined();

    const kept = await fleet.db.trace.findMany({ where: { integrationId: mine.integrationId }, select: { id: true } });
    expect(kept.map((t) => t.id).sort()).toEqual([mine.traceIds[3], mine.traceIds[4]].sort());
    expect(await fleet.db.span.count({ where: { traceId: { in: mine.traceIds } } })).toBe(4);
    expect(await fleet.db.violation.count({ where: { integrationId: mine.integrationId } })).toBe(2);
    expect(await fleet.db.trace.count({ where: { integrationId: theirs.integrationId } })).toBe(5);
    expect(await fleet.db.span.count({ where: { traceId: { in: theirs.traceIds } } })).toBe(10);
    expect(await fleet.db.violation.count({ where: { integrationId: theirs.integrationId } })).toBe(5);

    // Listed through the API, the organization sees only what it keeps.
    const listed = await fleet.inject({ method: "GET", url: `/api/traces?integrationId=${mine.integrationId}&count=true` });
    expect(listed.json().total).toBe(2);
  });

  it("keeps violations longer than their traces when told to, with their evidence, and stops a pass at its batch budget", async () => {
    const { organizationId } = await fleet.newOrganization();
    const seeded = await seed(organizationId, [10, 10, 10, 10, 100]);
    await fleet.db.organization.update({ where: { id: organizationId }, data: { retentionDays: 5, violationRetentionDays: 50 } });

    const first = await deleteExpired(fleet.db, { batchSize: 2, maxBatches: 1 });
    expect(first.find((r) => r.organizationId === organizationId)).toMatchObject({ traces: 2, behind: true });
    await deleteExpired(fleet.db, { batchSize: 2, maxBatches: 100 });

    expect(await fleet.db.trace.count({ where: { integrationId: seeded.integrationId } })).toBe(0);
    // The four 10-day-old violations outlive their traces; the 100-day-old one is past 50 days.
    const violations = await fleet.db.violation.findMany({ where: { integrationId: seeded.integrationId } });
    expect(violations).toHaveLength(4);
    for (const v of violations) expect(v.traceId).toBeNull();
  });
});
