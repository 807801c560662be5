/** What had to change for a value to be stored, and where. */
export interface Alteration {
  path: string;
  change: "nul-removed" | "lone-surrogate-replaced" | "key-rewritten" | "out-of-range";
}

const HOSTILE = /[\u0000\uD800-\uDFFF]/;
const MAX_RECORDED = 20;

/**
 * Postgres text and jsonb cannot hold NUL or unpaired UTF-16 surrogates. Removes NUL, replaces a
 * lone surrogate with U+FFFD, in values and in keys, and lists each change so a reviewer knows the
 * stored record differs from the source. A key that would collide with another after cleaning
 * keeps a visible suffix instead of overwriting it.
 */
export function sanitizeForPostgres<T>(value: T, alterations: Alteration[] = [], path = ""): { value: T; alterations: Alteration[] } {
  return { value: clean(value, alterations, path) as T, alterations };
}

function clean(value: unknown, out: Alteration[], path: string): unknown {
  if (typeof value === "string") return HOSTILE.test(value) ? cleanString(value, out, path) : value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i += 1) {
      const next = clean(value[i], out, `${path}[${i}]`);
      if (next !== value[i]) (copy ??= value.slice())[i] = next;
    }
    return copy ?? value;
  }
  if (value === null || typeof value !== "object" || value instanceof Date || Object.getPrototypeOf(value) !== Object.prototype) return value;
  let copy: Record<string, unknown> | undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [key, v] of entries) {
    const shown = HOSTILE.test(key) ? visible(key) : key;
    const at = path ? `${path}.${shown}` : shown;
    const next = clean(v, out, at);
    if (HOSTILE.test(key)) {
      copy ??= { ...(value as Record<string, unknown>) };
      delete copy[key];
      let cleaned = cleanString(key, out, at, "key-rewritten");
      while (cleaned in copy || entries.some(([k]) => k === cleaned)) cleaned += "\uFFFD";
      copy[cleaned] = next;
    } else if (next !== v) {
      (copy ??= { ...(value as Record<string, unknown>) })[key] = next;
    }
  }
  return copy ?? value;
}

/** A key as a path segment (or a name in a message): NUL and lone surrogates spelled as escapes, so the text survives storage. */
export function visible(key: string): string {
  return key.replace(
    /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function cleanString(text: string, out: Alteration[], path: string, change?: Alteration["change"]): string {
  const withoutNul = text.replaceAll("\u0000", "");
  // Node 20 has String.prototype.toWellFormed; the ES2023 lib we compile against does not declare it.
  const result = (withoutNul as string & { toWellFormed(): string }).toWellFormed();
  if (result === text) return text;
  if (out.length < MAX_RECORDED) out.push({ path: path || "(value)", change: change ?? (withoutNul !== text ? "nul-removed" : "lone-surrogate-replaced") });
  return result;
}
