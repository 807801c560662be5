import type { Database } from "@langguard/database";
import type { Logger } from "@langguard/logger";
import type { PayloadOf } from "@langguard/queue-contracts";
import type { Job } from "bullmq";
import { evaluateTraces, type EvaluationSummary } from "../evaluation/evaluate-traces.ts";

export interface EvaluateDeps {
  db: Database;
  logger: Logger;
  job?: Job;
  /** Hands new webhook deliveries to their queue (after the transaction that wrote them). */
  deliver: (deliveryIds: string[]) => Promise<void>;
  windowBatchSize?: number;
}

/** A batch from a sync or the sweep, or one policy over a time window (with progress). */
export async function processEvaluation(payload: PayloadOf<"policy-evaluation">, deps: EvaluateDeps): Promise<EvaluationSummary> {
  if ("traceIds" in payload) {
    const summary = await evaluateTraces(deps.db, payload.organizationId, payload.traceIds);
    await deps.deliver(summary.deliveryIds);
    deps.logger.info({ traces: summary.traces, violations: summary.violations, errors: summary.errors }, "evaluated a batch of traces");
    return summary;
  }
  return reevaluateWindow(payload, deps);
}

async function reevaluateWindow(
  payload: { organizationId: string; policyId: string; fromMs: number; toMs: number },
  deps: EvaluateDeps,
): Promise<EvaluationSummary> {
  const { db } = deps;
  const policy = await db.policy.findFirst({ where: { id: payload.policyId, organizationId: payload.organizationId } });
  const total: EvaluationSummary = { traces: 0, policies: 1, violations: 0, errors: 0, deliveryIds: [] };
  if (!policy) return total;
  const where = { organizationId: payload.organizationId, timestamp: { gte: new Date(payload.fromMs), lte: new Date(payload.toMs) } };
  const count = await db.trace.count({ where });
  let after: string | undefined;
  for (;;) {
    const page = await db.trace.findMany({
      where: { ...where, ...(after ? { id: { gt: after } } : {}) },
      select: { id: true },
      orderBy: { id: "asc" },
      take: deps.windowBatchSize ?? 200,
    });
    if (page.length === 0) break;
    after = page.at(-1)!.id;
    const summary = await evaluateTraces(
      db,
      payload.organizationId,
      page.map((t) => t.id),
      [policy],
    );
    await deps.deliver(summary.deliveryIds);
    total.traces += summary.traces;
    total.violations += summary.violations;
    total.errors += summary.errors;
    await deps.job?.updateProgress({ evaluated: total.traces, total: count, violations: total.violations });
  }
  deps.logger.info({ policyId: policy.id, traces: total.traces, violations: total.violations }, "re-evaluated a policy over a time window");
  return { ...total, deliveryIds: [] };
}
