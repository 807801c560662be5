import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../src/auth/passwords.ts";
import { startFleet, type Fleet } from "../../../tests/helpers/fleet.ts";
import { seedTrace } from "../../../tests/helpers/traces.ts";
import { seedViolations } from "../../../tests/helpers/violations.ts";

/** What the console's trace, violation and entity pages read beyond part 1: filters, costs, history. */
describe("reads for the console's traces and governance pages", () => {
  let fleet: Fleet;
  let integrationId: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    fleet = await startFleet({ worker: false });
    const where = { organizationId: fleet.organizationId };
    integrationId = (await fleet.db.integration.create({ data: { ...where, name: "reads", source: "mlflow", host: "http://127.0.0.1:1" } })).id;
    const at = (iso: string) => new Date(iso);
    ids.support = (await seedTrace(fleet.db, { ...where, integrationId }, { name: "Support Agent run", timestamp: at("2026-03-01T10:00:00Z") })).id;
    ids.billing = (await seedTrace(fleet.db, { ...where, integrationId }, { name: "billing batch", timestamp: at("2026-03-02T10:00:00Z") })).id;
    ids.spans = (
      await seedTrace(
        fleet.db,
        { ...where, integrationId },
        {
          name: "with spans",
          timestamp: at("2026-03-03T10:00:00Z"),
          spans: [
            { spanId: "llm", name: "ChatOpenAI", type: "LLM", model: "gpt-4o", inputTokens: 1_000_000n, outputTokens: 1_000_000n },
            { spanId: "unpriced", name: "house model", type: "LLM", model: "no-such-model-anywhere", inputTokens: 5n, outputTokens: 5n },
            { spanId: "tool", name: "search", type: "TOOL" },
          ],
        },
      )
    ).id;
  });
  afterAll(() => fleet?.close());

  const list = async (query: string) => {
    const res = await fleet.inject({ method: "GET", url: `/api/traces?integrationId=${integrationId}&${query}` });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().items as Array<{ id: string }>).map((t) => t.id);
  };

  it("filters traces by part of their name in any case, and by a time range inclusive at both ends", async () => {
    expect(await list("name=support")).toEqual([ids.support]);
    expect(await list("name=AGENT%20RUN")).toEqual([ids.support]);
    expect(await list("from=2026-03-02T10:00:00Z")).toEqual([ids.spans, ids.billing]);
    expect(await list("from=2026-03-01T00:00:00Z&to=2026-03-02T10:00:00Z")).toEqual([ids.billing, ids.support]);
    expect(await list("to=2026-02-01T00:00:00Z")).toEqual([]);
  });

  it("refuses a time that is not one, naming the field", async () => {
    const res = await fleet.inject({ method: "GET", url: "/api/traces?from=yesterday" });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues.map((i: { field: string }) => i.field)).toContain("querystring.from");
  });

  it("gives each span's cost at its model's list price, and none when the model has no price", async () => {
    const res = await fleet.inject({ method: "GET", url: `/api/traces/${ids.spans}` });
    const spans = new Map((res.json().spans as Array<{ spanId: string; costUsd: number | null }>).map((s) => [s.spanId, s.costUsd]));
    // gpt-4o: $2.50 per million input tokens and $10 per million output tokens in the policy engine's table.
    expect(spans.get("llm")).toBeCloseTo(12.5, 6);
    expect(spans.get("unpriced")).toBeNull();
    expect(spans.get("tool")).toBeNull();
  });

  it("serves a large trace's spans without their documents, and one span with them", async () => {
    await fleet.db.span.updateMany({
      where: { traceId: ids.spans, spanId: "tool" },
      data: { inputs: { query: "order 1042" }, attributes: { "mlflow.spanType": "TOOL" } },
    });
    const summary = (await fleet.inject({ method: "GET", url: `/api/traces/${ids.spans}?spans=summary` })).json();
    expect(summary.spans).toHaveLength(3);
    for (const span of summary.spans) for (const key of ["inputs", "outputs", "attributes", "events"]) expect(span).not.toHaveProperty(key);
    expect(summary.spans.find((s: { spanId: string }) => s.spanId === "llm").costUsd).toBeCloseTo(12.5, 6);
    const one = await fleet.inject({ method: "GET", url: `/api/traces/${ids.spans}/spans/tool` });
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toMatchObject({
      spanId: "tool",
      name: "search",
      inputs: { query: "order 1042" },
      attributes: { "mlflow.spanType": "TOOL" },
      costUsd: null,
    });
    expect((await fleet.inject({ method: "GET", url: `/api/traces/${ids.spans}/spans/nope` })).statusCode).toBe(404);
    // Another trace's span id, under this trace: not found.
    expect((await fleet.inject({ method: "GET", url: `/api/traces/${ids.support}/spans/tool` })).statusCode).toBe(404);
    const other = await fleet.newOrganization();
    const theirs = await fleet.app.inject({ method: "GET", url: `/api/traces/${ids.spans}/spans/tool`, headers: { authorization: `Bearer ${other.apiKey}` } });
    expect(theirs.statusCode).toBe(404);
  });

  it("lists the violations of one trace", async () => {
    const seeded = await seedViolations(fleet.db, fleet.organizationId, 3);
    const one = await fleet.db.violation.findUniqueOrThrow({ where: { id: seeded.violationIds[1]! } });
    const res = await fleet.inject({ method: "GET", url: `/api/policies/violations?traceId=${one.traceId}` });
    expect(res.json().items.map((v: { id: string }) => v.id)).toEqual([one.id]);
  });

  it("tells who changed an entity, what from and to, and when; only the organization's own people are named", async () => {
    const entity = await fleet.db.entity.create({ data: { organizationId: fleet.organizationId, kind: "tool", name: "search_orders" } });
    const key = await fleet.db.apiKey.findFirstOrThrow({ where: { organizationId: fleet.organizationId } });
    expect((await fleet.inject({ method: "PATCH", url: `/api/entities/${entity.id}`, payload: { approval: "approved" } })).statusCode).toBe(200);
    expect((await fleet.inject({ method: "PATCH", url: `/api/entities/${entity.id}`, payload: { stage: "prod" } })).statusCode).toBe(200);
    // A change by someone of another organization (a row no route could write): shown by its actor alone.
    const other = await fleet.newOrganization();
    const stranger = await fleet.db.user.create({
      data: { organizationId: other.organizationId, email: `stranger-${entity.id}@example.com`, passwordHash: await hashPassword("x".repeat(16)) },
    });
    await fleet.db.entityChange.create({
      data: {
        entityId: entity.id,
        changedBy: `user:${stranger.id}`,
        changes: { before: { approval: "approved", stage: "prod" }, after: { approval: "approved", stage: "prod" } },
        createdAt: new Date(Date.now() + 60_000),
      },
    });
    const res = await fleet.inject({ method: "GET", url: `/api/entities/${entity.id}/changes` });
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json().items as Array<Record<string, unknown>>;
    expect(items).toHaveLength(3);
    expect(items[0]).toMatchObject({ changedBy: `user:${stranger.id}`, changedByName: null });
    expect(items[1]).toMatchObject({
      changedBy: `api-key:${key.id}`,
      changedByName: `API key "${key.name}"`,
      before: { approval: "approved", stage: null },
      after: { approval: "approved", stage: "prod" },
    });
    expect(items[2]).toMatchObject({ before: { approval: "pending", stage: null }, after: { approval: "approved", stage: null } });
    expect(JSON.stringify(items)).not.toContain("stranger-");
    // Another organization's entity is not found, whoever asks.
    const theirs = await fleet.app.inject({ method: "GET", url: `/api/entities/${entity.id}/changes`, headers: { authorization: `Bearer ${other.apiKey}` } });
    expect(theirs.statusCode).toBe(404);
  });

  it("tests a policy on a stored trace as evaluation reads it, without recording what the trace uses", async () => {
    const created = await fleet.inject({
      method: "POST",
      url: "/api/policies",
      payload: { name: "LLM spans", severity: "low", expression: 'observations.exists(o, o.type == "LLM")' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const policy = created.json();
    expect(policy.configSchema).toBeNull();
    const entitiesBefore = await fleet.db.entity.count({ where: { organizationId: fleet.organizationId } });
    const onSpans = await fleet.inject({ method: "POST", url: `/api/policies/${policy.id}/test`, payload: { traceId: ids.spans } });
    expect(onSpans.statusCode, onSpans.body).toBe(200);
    expect(onSpans.json()).toMatchObject({ policyId: policy.id, error: null, outcome: { violated: true } });
    const onBilling = await fleet.inject({ method: "POST", url: `/api/policies/${policy.id}/test`, payload: { traceId: ids.billing } });
    expect(onBilling.json()).toMatchObject({ error: null, outcome: { violated: false } });
    // A test reads: the models and tools of the trace are not recorded as entities.
    expect(await fleet.db.entity.count({ where: { organizationId: fleet.organizationId } })).toBe(entitiesBefore);
    // Neither or both: refused, naming the field; another organization's trace: not found.
    const neither = await fleet.inject({ method: "POST", url: `/api/policies/${policy.id}/test`, payload: {} });
    expect(neither.statusCode).toBe(400);
    expect(neither.json().issues[0]).toMatchObject({ field: "body.traceId" });
    const other = await fleet.newOrganization();
    const theirIntegration = await fleet.db.integration.create({
      data: { organizationId: other.organizationId, name: "theirs", source: "mlflow", host: "http://127.0.0.1:1" },
    });
    const theirs = await seedTrace(fleet.db, { organizationId: other.organizationId, integrationId: theirIntegration.id }, { name: "theirs" });
    expect((await fleet.inject({ method: "POST", url: `/api/policies/${policy.id}/test`, payload: { traceId: theirs.id } })).statusCode).toBe(404);
  });

  it("describes each built-in's config as JSON Schema, from the schema the server checks it with", async () => {
    const res = await fleet.inject({ method: "GET", url: "/api/policies?limit=200" });
    const pii = (
      res.json().items as Array<{
        builtinId: string | null;
        configSchema: { type: string; properties: Record<string, { type?: string; minimum?: number; maximum?: number }> };
      }>
    ).find((p) => p.builtinId === "pii-detection")!;
    expect(pii.configSchema.type).toBe("object");
    expect(pii.configSchema.properties.min_confidence).toMatchObject({ type: "number", minimum: 0, maximum: 1 });
    expect(Object.keys(pii.configSchema.properties).sort()).toEqual(["default_region", "ignore_paths", "min_confidence", "types"]);
  });

  it("lists a webhook's recent deliveries, newest first, to its own organization only", async () => {
    const hook = (await fleet.inject({ method: "POST", url: "/api/webhooks", payload: { url: "http://127.0.0.1:9/hook" } })).json();
    const seeded = await seedViolations(fleet.db, fleet.organizationId, 2);
    const [first, second] = seeded.violationIds as [string, string];
    await fleet.db.webhookDelivery.create({
      data: {
        webhookId: hook.id,
        violationId: first,
        event: "policy.violation",
        status: "failed",
        attempts: 5,
        lastStatus: 500,
        lastError: "HTTP 500",
        createdAt: new Date(Date.now() - 1000),
      },
    });
    await fleet.db.webhookDelivery.create({
      data: { webhookId: hook.id, violationId: second, event: "policy.violation", status: "delivered", attempts: 1, lastStatus: 200, deliveredAt: new Date() },
    });
    const res = await fleet.inject({ method: "GET", url: `/api/webhooks/${hook.id}/deliveries` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items.map((d: { violationId: string; status: string }) => [d.violationId, d.status])).toEqual([
      [second, "delivered"],
      [first, "failed"],
    ]);
    expect(res.json().items[1]).toMatchObject({ attempts: 5, lastStatus: 500, lastError: "HTTP 500" });
    const other = await fleet.newOrganization();
    const theirs = await fleet.app.inject({ method: "GET", url: `/api/webhooks/${hook.id}/deliveries`, headers: { authorization: `Bearer ${other.apiKey}` } });
    expect(theirs.statusCode).toBe(404);
  });
});
