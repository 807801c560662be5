import { asObject, firstString, parseMaybeJson, type Json } from "./json.ts";
import { readTokenUsage } from "./token-usage.ts";

export interface SpanRow {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  type: string | null;
  startTime: Date;
  endTime: Date | null;
  durationMs: number | null;
  status: string;
  statusMessage: string | null;
  inputs: Json | null;
  outputs: Json | null;
  attributes: Record<string, Json>;
  events: Json[];
  model: string | null;
  provider: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  truncated: boolean;
}

// MLflow's own keys first, then OpenTelemetry GenAI and OpenInference conventions.
const MODEL_KEYS = ["mlflow.llm.model", "gen_ai.response.model", "gen_ai.request.model", "llm.model_name", "model", "model_name"];
const PROVIDER_KEYS = ["mlflow.llm.provider", "gen_ai.provider.name", "gen_ai.system", "llm.provider", "provider"];

export function mapSpan(raw: Record<string, unknown>): SpanRow {
  const attributes = asObject(raw.attributes) as Record<string, Json>;
  const inputs = (raw.inputs ?? null) as Json | null;
  const outputs = (raw.outputs ?? null) as Json | null;
  const startNs = toBigInt(raw.startTimeNs) ?? 0n;
  const endNs = toBigInt(raw.endTimeNs);
  const usage = readTokenUsage(attributes["mlflow.chat.tokenUsage"] ?? attributes["gen_ai.usage"]);
  const inputObject = asObject(inputs);
  return {
    spanId: String(raw.spanId ?? ""),
    parentSpanId: firstString(raw.parentId) ?? null,
    name: String(raw.name ?? ""),
    type: firstString(raw.spanType, attributes["mlflow.spanType"]) ?? null,
    startTime: nsToDate(startNs),
    endTime: endNs === undefined ? null : nsToDate(endNs),
    durationMs: endNs === undefined ? null : Number(endNs - startNs) / 1e6,
    status: normalizeSpanStatus(raw.status),
    statusMessage: firstString(raw.statusMessage) ?? null,
    inputs,
    outputs,
    attributes,
    events: Array.isArray(raw.events) ? (raw.events as Json[]) : [],
    model: pick(attributes, MODEL_KEYS) ?? firstString(inputObject.model) ?? null,
    provider: pick(attributes, PROVIDER_KEYS) ?? null,
    inputTokens: usage.inputTokens ?? toIntAttr(attributes["gen_ai.usage.input_tokens"]),
    outputTokens: usage.outputTokens ?? toIntAttr(attributes["gen_ai.usage.output_tokens"]),
    totalTokens: usage.totalTokens ?? null,
    truncated: raw.truncated === true,
  };
}

function pick(attributes: Record<string, Json>, keys: string[]): string | undefined {
  for (const key of keys) {
    const value = parseMaybeJson(attributes[key]);
    if (typeof value === "string" && value) return value;
  }
  return undefined;
}

function toIntAttr(value: unknown): number | null {
  const n = Number(value);
  return value !== undefined && value !== null && Number.isFinite(n) ? Math.round(n) : null;
}

function toBigInt(value: unknown): bigint | undefined {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isFinite(value)) return BigInt(Math.trunc(value));
  if (typeof value === "string" && /^\d+$/.test(value)) return BigInt(value);
  return undefined;
}

function nsToDate(ns: bigint): Date {
  return new Date(Number(ns / 1_000_000n));
}

function normalizeSpanStatus(value: unknown): string {
  const text = String(value ?? "UNSET")
    .toUpperCase()
    .replace(/^STATUS_CODE_/, "");
  return text === "OK" || text === "ERROR" ? text : "UNSET";
}
