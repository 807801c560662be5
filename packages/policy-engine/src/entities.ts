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

// What a document uses depends on its observations only. The worker reads entities from a document
// before evaluating it, and three built-ins read them again: each list is worked out once per
// observations array (the worker's documents share it) and shared, frozen. A cached list is used
// only while the array still holds the same observations.
function perObservations<T>(compute: (input: PolicyInput) => T[]): (input: PolicyInput) => readonly T[] {
  const cache = new WeakMap<readonly Observation[], { items: Observation[]; value: readonly T[] }>();
  return (input) => {
    const { observations } = input;
    const hit = cache.get(observations);
    if (hit && hit.items.length === observations.length && hit.items.every((o, i) => o === observations[i])) return hit.value;
    const value = Object.freeze(compute(input));
    cache.set(observations, { items: [...observations], value });
    return value;
  };
}

export const toolUses = perObservations((input): ToolUse[] => {
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
});

export const modelUses = perObservations((input) =>
  input.observations.filter((o) => isLlmObservation(o) && o.model).map((o) => ({ model: o.model as string, observation: o })),
);

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

/**
 * Whether a text can hold `a.b.c` at all: a dot between an identifier character and an
 * identifier start. Prose ("ends. Next", "3.5%") mostly has none, and this check costs a fraction
 * of the three-part pattern, which tries every position.
 */
function mayHoldThreePartName(text: string): boolean {
  for (let i = text.indexOf("."); i !== -1; i = text.indexOf(".", i + 1)) {
    const before = text.charCodeAt(i - 1);
    const after = text.charCodeAt(i + 1);
    if ((isIdentChar(before) || before === 96) && (isIdentStart(after) || after === 96)) return true;
  }
  return false;
}

const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdentChar = (c: number) => isIdentStart(c) || (c >= 48 && c <= 57);

export const dataCandidates = perObservations((input): Array<{ name: string; spanId: string }> => {
  const found = new Map<string, string>();
  for (const o of input.observations) {
    const texts: string[] = [];
    collectStrings(o.input, texts);
    collectStrings(o.attributes, texts);
    for (const text of texts) {
      if (text.length > MAX_DATA_TEXT || !mayHoldThreePartName(text)) continue;
      for (const m of text.matchAll(THREE_PART)) {
        const name = normaliseTableName(m[0]);
        if (!found.has(name)) found.set(name, o.id);
        if (found.size >= MAX_CANDIDATES) break;
      }
    }
  }
  return [...found].map(([name, spanId]) => ({ name, spanId }));
});

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
