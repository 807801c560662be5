import { randomUUID } from "node:crypto";
import type { Database, Prisma } from "@langguard/database";

export interface SeedSpan {
  spanId: string;
  parentSpanId?: string | null;
  name: string;
  type?: string | null;
  model?: string | null;
  inputTokens?: bigint | null;
  outputTokens?: bigint | null;
  /** Milliseconds after the trace's start. */
  offsetMs?: number;
  durationMs?: number;
  status?: string;
  inputs?: Prisma.InputJsonValue;
  outputs?: Prisma.InputJsonValue;
  truncated?: boolean;
}

/**
 * A trace with its spans written as the sync stores them (one row each, tokens as bigint, times
 * from the trace's start), for tests of what reads them: the API and the console.
 */
export async function seedTrace(
  db: Database,
  where: { organizationId: string; integrationId: string },
  fields: Partial<Prisma.TraceUncheckedCreateInput> & { spans?: SeedSpan[] } = {},
) {
  const { spans = [], ...trace } = fields;
  const start = trace.timestamp ? new Date(trace.timestamp as Date) : new Date();
  const created = await db.trace.create({
    data: {
      externalId: `tr-${randomUUID()}`,
      timestamp: start,
      status: "OK",
      contentHash: "x",
      spanCount: spans.length,
      ...trace,
      ...where,
    },
  });
  for (let i = 0; i < spans.length; i += 2000) {
    await db.span.createMany({
      data: spans.slice(i, i + 2000).map((s) => {
        const begin = new Date(start.getTime() + (s.offsetMs ?? 0));
        const durationMs = s.durationMs ?? 1;
        return {
          traceId: created.id,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? null,
          name: s.name,
          type: s.type ?? null,
          startTime: begin,
          endTime: new Date(begin.getTime() + durationMs),
          durationMs,
          status: s.status ?? "OK",
          model: s.model ?? null,
          inputTokens: s.inputTokens ?? null,
          outputTokens: s.outputTokens ?? null,
          totalTokens: s.inputTokens !== undefined || s.outputTokens !== undefined ? (s.inputTokens ?? 0n) + (s.outputTokens ?? 0n) : null,
          ...(s.inputs !== undefined ? { inputs: s.inputs } : {}),
          ...(s.outputs !== undefined ? { outputs: s.outputs } : {}),
          truncated: s.truncated ?? false,
        };
      }),
    });
  }
  return created;
}

/** `count` spans as a wide, deep tree: a root, branches under it, leaves under each branch. */
export function spanForest(count: number, branches = 100): SeedSpan[] {
  const spans: SeedSpan[] = [{ spanId: "root", name: "agent", type: "AGENT", durationMs: count }];
  for (let i = 1; i < count; i += 1) {
    const branch = (i - 1) % branches;
    const isBranch = i <= branches;
    spans.push({
      spanId: `s${i}`,
      parentSpanId: isBranch ? "root" : `s${branch + 1}`,
      name: isBranch ? `step ${i}` : `call ${i}`,
      type: isBranch ? "CHAIN" : "LLM",
      model: isBranch ? null : "gpt-4o-mini",
      inputTokens: isBranch ? null : 100n,
      outputTokens: isBranch ? null : 20n,
      offsetMs: i,
      durationMs: isBranch ? 50 : 1,
    });
  }
  return spans;
}
