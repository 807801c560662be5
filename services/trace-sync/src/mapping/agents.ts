import { parseMaybeJson } from "./json.ts";
import type { TraceRow } from "./trace.ts";

export interface DetectedAgent {
  name: string;
  version: string | null;
  type: string | null;
}

/**
 * Agents named by the trace: the spec's `agent.name` / `agent.version` / `agent.type` span
 * attributes, OpenTelemetry GenAI's `gen_ai.agent.*`, and the same keys in trace tags or metadata.
 */
export function detectAgents(trace: TraceRow): DetectedAgent[] {
  const found = new Map<string, DetectedAgent>();
  const add = (source: Record<string, unknown>) => {
    const name = text(source["agent.name"]) ?? text(source["gen_ai.agent.name"]);
    if (!name) return;
    const version = text(source["agent.version"]) ?? text(source["gen_ai.agent.version"]) ?? null;
    const type = text(source["agent.type"]) ?? null;
    const key = `${name}\u0000${version ?? ""}`;
    const known = found.get(key);
    if (!known) found.set(key, { name, version, type });
    else if (!known.type && type) known.type = type;
  };
  for (const span of trace.spans) add(span.attributes);
  add(trace.tags);
  add(trace.metadata);
  return [...found.values()];
}

function text(value: unknown): string | undefined {
  const parsed = parseMaybeJson(value);
  if (typeof parsed === "string" && parsed.trim()) return parsed.trim();
  if (typeof parsed === "number") return String(parsed);
  return undefined;
}
