import { createHash } from "node:crypto";
import { sanitizeForPostgres, type Alteration } from "@langguard/exact-json";
import { asObject, asStringMap, firstString, parseMaybeJson, stableStringify, toInt, type Json } from "./json.ts";
import { mapSpan, type SpanRow } from "./span.ts";
import { readTokenUsage } from "./token-usage.ts";

export type TraceStatus = "OK" | "ERROR" | "IN_PROGRESS" | "UNSPECIFIED";

export interface TraceRow {
  externalId: string;
  experimentId: string | null;
  name: string | null;
  timestamp: Date;
  durationMs: number | null;
  status: TraceStatus;
  input: Json | null;
  output: Json | null;
  metadata: Record<string, string>;
  tags: Record<string, string>;
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  contentHash: string;
  /** The bridge's hash of the source's trace info, compared on later reads (see sourceInfoHash). */
  sourceInfoHash: string | null;
  spans: SpanRow[];
  /** What had to change for it to be stored; empty when it is stored as the source holds it. */
  alterations: Alteration[];
}

export class TraceMappingError extends Error {
  constructor(
    message: string,
    readonly externalId?: string,
  ) {
    super(message);
  }
}

/**
 * Maps one trace record from the bridge to our row. The spec's table, for both MLflow 3
 * (TraceInfo V3) and V2 names: request_id|trace_id → externalId, timestamp_ms|request_time →
 * timestamp, execution_time_ms|execution_duration → duration, status|state → status,
 * request → input, response → output, request_metadata|trace_metadata → metadata, tags → tags.
 */
export function mapTrace(record: Record<string, unknown>, digest?: string, unclean = false): TraceRow {
  const info = asObject(record.info ?? record);
  const externalId = firstString(info.trace_id, info.request_id);
  if (!externalId) throw new TraceMappingError("trace has neither trace_id nor request_id");
  const timestamp = readTimestamp(info.request_time ?? info.timestamp_ms);
  if (!timestamp) throw new TraceMappingError(`trace ${externalId} has no valid timestamp`, externalId);
  const metadata = asStringMap(info.trace_metadata ?? info.request_metadata);
  const tags = asStringMap(info.tags);
  const location = asObject(asObject(info.trace_location).mlflow_experiment);
  const usage = readTokenUsage(metadata["mlflow.trace.tokenUsage"]);
  const spans = (Array.isArray(record.spans) ? record.spans : []).map((span) => mapSpan(asObject(span)));

  const input = parseMaybeJson(record.request ?? info.request ?? metadata["mlflow.traceInputs"] ?? info.request_preview) ?? null;
  const output = parseMaybeJson(record.response ?? info.response ?? metadata["mlflow.traceOutputs"] ?? info.response_preview) ?? null;
  const row: Omit<TraceRow, "contentHash" | "alterations" | "sourceInfoHash"> = {
    externalId,
    experimentId: firstString(location.experiment_id, info.experiment_id) ?? null,
    name: firstString(tags["mlflow.traceName"], spans.find((s) => s.parentSpanId === null)?.name) ?? null,
    timestamp,
    durationMs: readDurationMs(info.execution_duration_ms ?? info.execution_duration ?? info.execution_time_ms),
    status: normalizeStatus(info.state ?? info.status),
    input,
    output,
    metadata,
    tags,
    inputTokens: usage.inputTokens ?? null,
    outputTokens: usage.outputTokens ?? null,
    totalTokens: usage.totalTokens ?? null,
    spans,
  };
  // The bridge's line digest is as good a content hash and far cheaper than re-serialising.
  const contentHash = digest ?? hashOf(row);
  const alterations: Alteration[] = [];
  const stored = unclean ? sanitizeForPostgres(row, alterations).value : row;
  const sourceInfoHash = typeof record.infoHash === "string" ? record.infoHash : null;
  return { ...withinColumnRange(stored, alterations), contentHash, sourceInfoHash, alterations };
}

// Postgres bigint's range (exclusive bound, exact as a double); a duration or token count beyond
// it is not a measurement.
const BIGINT_LIMIT = 2 ** 63;

function withinColumnRange<T extends Omit<TraceRow, "contentHash" | "alterations" | "sourceInfoHash">>(row: T, alterations: Alteration[]): T {
  const fit = (value: number | null, path: string) => {
    if (value === null || Math.abs(value) < BIGINT_LIMIT) return value;
    alterations.push({ path, change: "out-of-range" });
    return null;
  };
  const spans = row.spans.map((span, i) => {
    const [inputTokens, outputTokens, totalTokens] = [
      fit(span.inputTokens, `spans[${i}].inputTokens`),
      fit(span.outputTokens, `spans[${i}].outputTokens`),
      fit(span.totalTokens, `spans[${i}].totalTokens`),
    ];
    return inputTokens === span.inputTokens && outputTokens === span.outputTokens && totalTokens === span.totalTokens
      ? span
      : { ...span, inputTokens, outputTokens, totalTokens };
  });
  return {
    ...row,
    durationMs: fit(row.durationMs, "durationMs"),
    inputTokens: fit(row.inputTokens, "inputTokens"),
    outputTokens: fit(row.outputTokens, "outputTokens"),
    totalTokens: fit(row.totalTokens, "totalTokens"),
    spans,
  };
}

function readTimestamp(value: unknown): Date | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const ms = typeof value === "number" || /^\d+$/.test(String(value)) ? Number(value) : Date.parse(String(value));
  return Number.isFinite(ms) && ms > 0 ? new Date(ms) : undefined;
}

/** V3's protobuf JSON gives durations as "1.234s"; the SDK's dict gives milliseconds. */
function readDurationMs(value: unknown): number | null {
  if (typeof value === "string" && value.endsWith("s")) {
    const seconds = Number(value.slice(0, -1));
    return Number.isFinite(seconds) ? Math.round(seconds * 1000) : null;
  }
  return toInt(value) ?? null;
}

function normalizeStatus(value: unknown): TraceStatus {
  const text = String(value ?? "")
    .toUpperCase()
    .replace(/^TRACE_STATUS_|^STATE_/, "");
  if (text === "OK" || text === "ERROR" || text === "IN_PROGRESS") return text;
  return "UNSPECIFIED";
}

function hashOf(row: Omit<TraceRow, "contentHash" | "alterations" | "sourceInfoHash">): string {
  return createHash("sha256").update(stableStringify(row)).digest("hex").slice(0, 32);
}
