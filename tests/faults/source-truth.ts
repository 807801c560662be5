import { readdirSync, readFileSync } from "node:fs";
import type { Database } from "@langguard/database";
import { expect } from "vitest";
import { runPython } from "../helpers/mlflow-server.ts";

export interface SourceTruth {
  experimentId: string;
  traceIds: string[];
  spansPerTrace: number;
}

/** What the MLflow server holds, read independently through the SDK (not through our bridge). */
export async function readSource(url: string, experimentId: string, spansPerTrace: number): Promise<SourceTruth> {
  const ids = await runPython<string[]>(
    url,
    `import json
from mlflow import MlflowClient
c, ids, token = MlflowClient(), [], None
while True:
    page = c.search_traces(locations=["${experimentId}"], max_results=500, page_token=token, include_spans=False)
    ids += [t.info.trace_id for t in page]
    token = page.token
    if not token: break
print(json.dumps(ids))`,
  );
  return { experimentId, traceIds: ids.sort(), spansPerTrace };
}

/**
 * Python bridge processes still alive in the given process groups (our workers' groups: a bridge
 * stays in its worker's group even when the worker is gone), with what a post-mortem needs.
 */
export function bridgeProcesses(groups: number[]): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (!cmdline.includes("python-bridge/bridge.py")) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      if (!groups.includes(Number(stat[2]))) continue;
      found.push(`pid ${pid} state ${stat[0]} ppid ${stat[1]} pgid ${stat[2]}: ${cmdline.replaceAll("\0", " ").trim()}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/**
 * The comparison every fault case ends with: each source trace stored exactly once with all its
 * spans, no cursor ahead of stored data, and the run finished.
 */
export async function expectMatchesSource(db: Database, integrationId: string, syncRunId: string, source: SourceTruth): Promise<void> {
  const stored = await db.trace.findMany({ where: { integrationId }, select: { externalId: true }, orderBy: { externalId: "asc" } });
  expect(stored.length, "traces stored").toBe(source.traceIds.length);
  expect(stored.map((t) => t.externalId)).toEqual(source.traceIds);
  expect(await db.span.count({ where: { trace: { integrationId } } }), "spans stored").toBe(source.traceIds.length * source.spansPerTrace);
  const incomplete = await db.$queryRaw<Array<{ n: bigint }>>`
    SELECT COUNT(*) AS n FROM "Trace" t WHERE t."integrationId" = ${integrationId}::uuid
      AND t."spanCount" <> (SELECT COUNT(*) FROM "Span" s WHERE s."traceId" = t."id")`;
  expect(Number(incomplete[0]!.n), "traces whose span tree is incomplete").toBe(0);
  const ahead = await db.$queryRaw<Array<{ experimentId: string }>>`
    SELECT c."experimentId" FROM "SyncCursor" c WHERE c."integrationId" = ${integrationId}::uuid
      AND c."cursorMs" > COALESCE((SELECT (EXTRACT(EPOCH FROM MAX(t."timestamp")) * 1000)::bigint FROM "Trace" t
                                   WHERE t."integrationId" = c."integrationId" AND t."experimentId" = c."experimentId"), 0)`;
  expect(ahead, "cursors ahead of stored data").toEqual([]);
  const run = await db.syncRun.findUniqueOrThrow({ where: { id: syncRunId } });
  expect(["succeeded", "partial", "failed"], `run status ${run.status}`).toContain(run.status);
}
