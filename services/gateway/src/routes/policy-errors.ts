import { z } from "zod";
import type { Database } from "@langguard/database";

// A policy that fails to evaluate (an expression error, a budget breach, an invalid config) used
// to be visible only as rows in Postgres. The policy views and the violation list carry a summary
// per policy: how many traces it currently fails on, and the latest failure. The rows are the
// traces that fail now: the worker replaces them whenever it evaluates a trace and policy again.

export const EvaluationErrors = z.object({
  /** Traces on which the policy's last evaluation failed. */
  count: z.number().int(),
  last: z.object({ message: z.string(), traceId: z.uuid(), policyVersion: z.number().int(), at: z.date() }).nullable(),
});
export type EvaluationErrors = z.infer<typeof EvaluationErrors>;

export const NO_EVALUATION_ERRORS: EvaluationErrors = Object.freeze({ count: 0, last: null });

interface Row {
  policyId: string;
  count: number;
  message: string;
  traceId: string;
  policyVersion: number;
  createdAt: Date;
}

/** The summary for each given policy (of one organization); policies without errors are absent. */
export async function evaluationErrorsOf(db: Database, organizationId: string, policyIds: string[]): Promise<Map<string, EvaluationErrors>> {
  if (policyIds.length === 0) return new Map();
  const rows = await db.$queryRaw<Row[]>`
    SELECT DISTINCT ON ("policyId") "policyId"::text AS "policyId", COUNT(*) OVER (PARTITION BY "policyId")::int AS "count",
      "message", "traceId"::text AS "traceId", "policyVersion", "createdAt"
    FROM "PolicyEvaluationError"
    WHERE "organizationId" = ${organizationId}::uuid AND "policyId" = ANY(${policyIds}::uuid[])
    ORDER BY "policyId", "createdAt" DESC, "id"`;
  return new Map(
    rows.map((r) => [r.policyId, { count: r.count, last: { message: r.message, traceId: r.traceId, policyVersion: r.policyVersion, at: r.createdAt } }]),
  );
}

/** Rows with their policy's summary under `key`. */
export async function withEvaluationErrors<T, K extends string>(
  db: Database,
  organizationId: string,
  rows: T[],
  policyIdOf: (row: T) => string,
  key: K,
): Promise<Array<T & Record<K, EvaluationErrors>>> {
  const byPolicy = await evaluationErrorsOf(db, organizationId, [...new Set(rows.map(policyIdOf))]);
  return rows.map((row) => ({ ...row, [key]: byPolicy.get(policyIdOf(row)) ?? NO_EVALUATION_ERRORS }) as T & Record<K, EvaluationErrors>);
}
