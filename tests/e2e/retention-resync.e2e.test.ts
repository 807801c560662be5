/**
 * A trace retention removed is never imported again: not by the next incremental sync, nor by a
 * full one that reads the experiment from the beginning. Real MLflow server written to by the
 * real SDK, real bridge, real worker.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { writeTraces } from "../helpers/mlflow-server.ts";
import { createIntegration, startFleet, syncAndWait, type Fleet } from "../helpers/fleet.ts";
import { deleteExpired } from "../../services/trace-sync/src/retention/delete-expired.ts";

const DAY = 24 * 3600 * 1000;

describe("retention and re-sync", () => {
  const mlflowUrl = inject("mlflowUrl");
  let fleet: Fleet;

  beforeAll(async () => {
    fleet = await startFleet();
  });
  afterAll(() => fleet?.close());

  it("does not import again the traces retention deleted, incrementally or in full", async () => {
    const now = Date.now();
    const written = await writeTraces(mlflowUrl, `retention-${randomUUID()}`, [
      { name: "three-days-old", timestampMs: now - 3 * DAY },
      { name: "two-days-old", timestampMs: now - 2 * DAY },
      { name: "an-hour-old", timestampMs: now - 3600_000 },
    ]);
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflowUrl, experiments: [written.experimentId] });
    const first = await syncAndWait(fleet, id);
    expect(first.status).toBe("succeeded");
    expect(await fleet.db.trace.count({ where: { integrationId: id } })).toBe(3);

    const set = await fleet.inject({ method: "PUT", url: "/api/organization/retention", payload: { retentionDays: 1 } });
    expect(set.statusCode).toBe(200);
    const [ours] = (await deleteExpired(fleet.db, { batchSize: 100, maxBatches: 10 })).filter((r) => r.organizationId === fleet.organizationId);
    expect(ours).toMatchObject({ traces: 2 });
    const kept = await fleet.db.trace.findMany({ where: { integrationId: id }, select: { name: true } });
    expect(kept.map((t) => t.name)).toEqual(["an-hour-old"]);

    for (const mode of ["incremental", "full"] as const) {
      const again = await syncAndWait(fleet, id, { mode });
      expect(again.status, mode).toBe("succeeded");
      const names = (await fleet.db.trace.findMany({ where: { integrationId: id }, select: { name: true } })).map((t) => t.name);
      expect(names, mode).toEqual(["an-hour-old"]);
    }
  });
});
