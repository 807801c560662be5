import type { Ok } from "../../api/client";

export type TraceDetail = Ok<"/api/traces/{id}", "get">;
export type TraceSpan = TraceDetail["spans"][number];
export type TraceSummary = Ok<"/api/traces", "get">["items"][number];

export const TRACE_STATUS_TONE: Record<string, "success" | "danger" | "info" | "neutral"> = { OK: "success", ERROR: "danger", IN_PROGRESS: "info" };
export const SEVERITY_TONE = { critical: "danger", high: "danger", medium: "warning", low: "neutral" } as const;

/** $0.0042, $1.20: small amounts keep their significant digits. */
export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined) return "—";
  if (usd === 0) return "$0";
  return usd < 0.01 ? `$${usd.toPrecision(2)}` : `$${usd.toFixed(2)}`;
}

/** 12.5 ms (spans are timed finer than a millisecond), 4.2 s, … */
export function formatSpanDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 60_000 ? 2 : 0)} s`;
}

/** What the timeline spans: from the first span's start to the last moment any span ran. */
export function timelineOf(spans: readonly TraceSpan[]): { start: number; length: number } {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const s of spans) {
    const t = Date.parse(s.startTime);
    start = Math.min(start, t);
    end = Math.max(end, s.endTime ? Date.parse(s.endTime) : t + (s.durationMs ?? 0));
  }
  if (!Number.isFinite(start)) return { start: 0, length: 1 };
  return { start, length: Math.max(end - start, 1) };
}
