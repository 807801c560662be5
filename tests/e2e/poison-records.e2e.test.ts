/**
 * A poison corpus written with the real MLflow SDK (month-long durations, token counts beyond
 * 2^31, NUL in keys, values and an experiment name, integers beyond 2^53), synced by the real
 * bridge and worker: every record is stored, exactly or with its changes marked, and nothing
 * after them is held back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIntegration, startFleet, syncAndWait, type Fleet } from "../helpers/fleet.ts";
import { runFixture, startMlflowServer, type MlflowServer } from "../helpers/mlflow-server.ts";

interface Corpus {
  experimentId: string;
  nulExperimentId: string;
  traces: Record<"thirty-day-run" | "huge-token-counts" | "nul-in-keys-and-values" | "big-integers" | "in-nul-experiment", string>;
  after: string[];
  big: string;
  bigOutput: string;
}

describe("poison records from a real MLflow workspace", () => {
  let mlflow: MlflowServer;
  let fleet: Fleet;
  let corpus: Corpus;

  beforeAll(async () => {
    mlflow = await startMlflowServer();
    fleet = await startFleet({ env: { TRACE_SYNC_BATCH_SIZE: "3" } });
    corpus = await runFixture<Corpus>("write_poison_traces.py", [mlflow.url, "poison"]);
  });
  afterAll(async () => {
    await fleet?.close();
    await mlflow?.stop();
  });

  it("stores every record around the odd ones, marks what had to change, and keeps big numbers exact", async () => {
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflow.url });
    const run = await syncAndWait(fleet, id, { mode: "full" });
    expect(run.status).toBe("succeeded");
    expect(run.warnings).toEqual([expect.objectContaining({ kind: "altered", message: expect.stringMatching(/^1 trace was stored with changes/) })]);

    const stored = await fleet.db.trace.findMany({ where: { integrationId: id } });
    const byId = new Map(stored.map((t) => [t.externalId, t]));
    for (const traceId of [...Object.values(corpus.traces), ...corpus.after]) expect(byId.has(traceId), traceId).toBe(true);
    expect(await fleet.db.quarantinedRecord.count({ where: { integrationId: id } })).toBe(0);

    // A month-long run and multi-billion token counts are values, not errors.
    const month = byId.get(corpus.traces["thirty-day-run"])!;
    expect(month.durationMs).toBe(30n * 86_400_000n);
    const tokens = (await fleet.inject({ method: "GET", url: `/api/traces/${byId.get(corpus.traces["huge-token-counts"])!.id}` })).json();
    expect(tokens).toMatchObject({ inputTokens: 3_000_000_000, outputTokens: 2_500_000_000, totalTokens: 5_500_000_000 });
    expect(tokens.spans.find((s: { name: string }) => s.name === "llm")).toMatchObject({ totalTokens: 5_500_000_000 });

    // NUL is removed from keys and values, and the trace says where.
    const nul = (await fleet.inject({ method: "GET", url: `/api/traces/${byId.get(corpus.traces["nul-in-keys-and-values"])!.id}` })).json();
    expect(nul.tags).toMatchObject({ tagkey: "tagvalue" });
    const root = nul.spans.find((s: { parentSpanId: string | null }) => s.parentSpanId === null);
    expect(root.attributes).toMatchObject({ weirdkey: "v", note: "beforeafter" });
    expect(root.inputs).toEqual({ text: "ab" });
    expect(nul.alterations).toEqual(
      expect.arrayContaining([
        // A NUL in a key is spelled as an escape in the path, so the path itself can be stored.
        { path: "tags.tag\\u0000key", change: "key-rewritten" },
        { path: "tags.tag\\u0000key", change: "nul-removed" },
        { path: "input.text", change: "nul-removed" },
        { path: "spans[0].inputs.text", change: "nul-removed" },
        { path: "spans[0].attributes.weird\\u0000key", change: "key-rewritten" },
        { path: "spans[0].attributes.note", change: "nul-removed" },
      ]),
    );
    // Only that trace differs from its source.
    expect(stored.filter((t) => (t.alterations as unknown[]).length > 0).map((t) => t.externalId)).toEqual([corpus.traces["nul-in-keys-and-values"]]);

    // Integers beyond 2^53 are stored digit for digit (read as text, so nothing on the way rounds them).
    const [exact] = await fleet.db.$queryRawUnsafe<Array<{ attribute: string; output: string; nested: string }>>(
      `SELECT s."attributes"->>'big.count' AS attribute, t."output"->>'id' AS output, t."output"->'nested'->>0 AS nested
       FROM "Trace" t JOIN "Span" s ON s."traceId" = t."id" AND s."parentSpanId" IS NULL
       WHERE t."integrationId" = $1::uuid AND t."externalId" = $2`,
      id,
      corpus.traces["big-integers"],
    );
    expect(exact).toEqual({ attribute: corpus.big, output: corpus.bigOutput, nested: corpus.big });

    // The experiment whose name holds a NUL is kept, its name cleaned and marked, and its trace stored.
    const experiment = await fleet.db.experiment.findUniqueOrThrow({
      where: { integrationId_externalId: { integrationId: id, externalId: corpus.nulExperimentId } },
    });
    expect(experiment.name).toBe("poisonnul");
    expect(experiment.alterations).toEqual([{ path: "name", change: "nul-removed" }]);
    expect(byId.get(corpus.traces["in-nul-experiment"])!.experimentId).toBe(corpus.nulExperimentId);

    // Reading it all again changes nothing: the marks do not make a trace look new.
    const again = await syncAndWait(fleet, id, { mode: "full" });
    expect(again).toMatchObject({ status: "succeeded", itemsIngested: 0, itemsUpdated: 0 });
    const listed = await fleet.inject({ method: "GET", url: `/api/integrations/${id}/quarantine?count=true` });
    expect(listed.json()).toMatchObject({ items: [], total: 0 });
  });
});
