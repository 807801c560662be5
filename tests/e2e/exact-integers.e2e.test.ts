/**
 * Integers a double cannot hold (2^63 - 1, a nanosecond clock reading), written by the real
 * MLflow SDK to a real tracking server, synced by the real bridge and worker, and served by the
 * API digit for digit: in the response text itself, not only after a lossless parse.
 */
import { randomUUID } from "node:crypto";
import { isExactNumber, parseJson } from "@langguard/exact-json";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createIntegration, startFleet, syncAndWait, type Fleet } from "../helpers/fleet.ts";
import { runFixture } from "../helpers/mlflow-server.ts";

interface Written {
  experimentId: string;
  traceId: string;
  max: string;
  ns: string;
}

/** The JSON text of `value` as the response holds it, found by key: the digits exactly as sent. */
function numberAfter(body: string, key: string): string[] {
  return [...body.matchAll(new RegExp(`"${key.replaceAll(".", "\\.")}":(-?\\d+)`, "g"))].map((m) => m[1]!);
}

describe("exact integers from the source to the API", () => {
  const mlflowUrl = inject("mlflowUrl");
  let fleet: Fleet;
  let written: Written;
  let traceRowId: string;

  beforeAll(async () => {
    fleet = await startFleet();
    written = await runFixture<Written>("write_exact_integers.py", [mlflowUrl, `exact-${randomUUID().slice(0, 8)}`]);
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflowUrl, experiments: [written.experimentId] });
    const run = await syncAndWait(fleet, id, { mode: "full" });
    expect(run.status).toBe("succeeded");
    traceRowId = (await fleet.db.trace.findFirstOrThrow({ where: { integrationId: id, externalId: written.traceId } })).id;
  });
  afterAll(() => fleet?.close());

  it("serves 2^63-1 and a nanosecond timestamp byte for byte in GET /api/traces/:id", async () => {
    expect(written.max).toBe("9223372036854775807");
    expect(BigInt(written.ns)).toBeGreaterThan(2n ** 53n);
    const res = await fleet.inject({ method: "GET", url: `/api/traces/${traceRowId}` });
    expect(res.statusCode).toBe(200);
    const body = res.body;
    // Span attributes (root and child), inputs and outputs: every place the source put them.
    expect(numberAfter(body, "int64.max")).toEqual([written.max]);
    expect(numberAfter(body, "clock.start_ns")).toEqual([written.ns, written.ns]);
    expect(numberAfter(body, "id")).toContain(written.max);
    expect(numberAfter(body, "max")).toEqual(expect.arrayContaining([written.max]));
    expect(body).toContain(`"nested":[${written.ns},${written.max}]`);
    // And a lossless reader gets the same numbers back, as numbers.
    const trace = parseJson(body) as { output: Record<string, unknown>; spans: Array<{ name: string; attributes: Record<string, unknown> }> };
    const output = trace.output as { max: unknown; ns: unknown };
    expect(isExactNumber(output.max) && output.max.text).toBe(written.max);
    expect(isExactNumber(output.ns) && output.ns.text).toBe(written.ns);
    const tool = trace.spans.find((s) => s.name === "tool")!;
    expect(String(tool.attributes["clock.start_ns"])).toBe(written.ns);
  });
});
