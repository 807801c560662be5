import { isLlmObservation, isToolObservation, type Observation, type PolicyInput } from "./document.ts";
import { collectToolMentions, type ToolMention } from "./tool-calls.ts";

export interface ExtractedEntities {
  models: string[];
  tools: string[];
  /** Candidate Unity Catalog table names; intersect with known data entities before use. */
  data: string[];
}

export interface ToolUse {
  name: string;
  spanId: string;
  /** A TOOL span ran it, an LLM asked for it, or an LLM was only offered it. */
  source: "span" | ToolMention;
}

export function toolUses(input: PolicyInput): ToolUse[] {
  const uses: ToolUse[] = [];
  for (const o of input.observations) {
    if (isToolObservation(o)) uses.push({ name: o.name, spanId: o.id, source: "span" });
    else if (isLlmObservation(o)) {
      const add = (name: string, source: ToolMention) => uses.push({ name, spanId: o.id, source });
      collectToolMentions(o.input, add);
      collectToolMentions(o.output, add);
    }
  }
  return uses;
}

export function modelUses(input: PolicyInput): Array<{ model: string; observation: Observation }> {
  return input.observations.filter((o) => isLlmObservation(o) && o.model).map((o) => ({ model: o.model as string, observation: o }));
}

// `catalog.schema.table`, each part an identifier (letters, digits, `_`: Unity Catalog needs
// back-quotes for anything else) or a back-quoted name. Longer dotted chains (hostnames, package
// paths) are skipped as a whole rather than split into false triples.
const IDENT = "(?:`[^`\\n]{1,255}`|[A-Za-z_][A-Za-z0-9_]{0,254})";
const THREE_PART = new RegExp(`(?<![\\w.\`@/-])${IDENT}\\.${IDENT}\\.${IDENT}(?![\\w\`-]|\\.[\\w\`])`, "g");
const MAX_DATA_TEXT = 1024 * 1024;
const MAX_CANDIDATES = 500;

function normaliseTableName(raw: string): string {
  const parts = raw.match(/`[^`]*`|[^.`]+/g) ?? [];
  return parts
    .map((p) => p.replace(/^`|`$/g, ""))
    .join(".")
    .toLowerCase();
}

function collectStrings(value: unknown, out: string[], depth = 0): void {
  if (depth > 32) return;
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) collectStrings(v, out, depth + 1);
  else if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    // A truncated payload's preview is text like any other.
    for (const key in record) collectStrings(record[key], out, depth + 1);
  }
}

export function dataCandidates(input: PolicyInput): Array<{ name: string; spanId: string }> {
  const found = new Map<string, string>();
  for (const o of input.observations) {
    const texts: string[] = [];
    collectStrings(o.input, texts);
    collectStrings(o.attributes, texts);
    for (const text of texts) {
      if (text.length > MAX_DATA_TEXT || !text.includes(".")) continue;
      for (const m of text.matchAll(THREE_PART)) {
        const name = normaliseTableName(m[0]);
        if (!found.has(name)) found.set(name, o.id);
        if (found.size >= MAX_CANDIDATES) break;
      }
    }
  }
  return [...found].map(([name, spanId]) => ({ name, spanId }));
}

const unique = (values: Iterable<string>) => [...new Set(values)];

export function extractEntities(input: PolicyInput): ExtractedEntities {
  return {
    models: unique(modelUses(input).map((u) => u.model)),
    tools: unique(toolUses(input).map((u) => u.name)),
    data: dataCandidates(input).map((d) => d.name),
  };
}

/** Exact key first, then case-insensitive: names in traces and in the catalog differ in case. */
export function lookupEntity<T>(entries: Record<string, T>, name: string): T | undefined {
  if (Object.hasOwn(entries, name)) return entries[name];
  const lower = name.toLowerCase();
  for (const key in entries) if (key.toLowerCase() === lower) return entries[key];
  return undefined;
}
