/**
 * A Unity Catalog object is named by its parts: (catalog), (catalog, schema) or (catalog, schema,
 * name). The full name is for display and for the API, never for splitting: a part may hold a dot,
 * so `a.b.c` could be three parts or two. A part that holds a dot or a backtick (or is empty) is
 * written in backticks, with a backtick doubled, as Databricks SQL quotes identifiers; every other
 * part is written as it is, so the ordinary names Databricks allows keep their familiar form.
 * The bridge writes full names by the same rule (python-bridge/langguard_bridge/names.py).
 */

export function quotePart(part: string): string {
  return part === "" || part.includes(".") || part.includes("`") ? `\`${part.replaceAll("`", "``")}\`` : part;
}

export function quoteFullName(parts: readonly string[]): string {
  return parts.map(quotePart).join(".");
}

/**
 * The parts of a full name written by that rule, or by Databricks SQL's (any part may be quoted);
 * null when it is not one: an unclosed backtick, an empty unquoted part, text after a quote.
 */
export function parseFullName(text: string): string[] | null {
  const parts: string[] = [];
  let i = 0;
  for (;;) {
    let part = "";
    if (text[i] === "`") {
      i += 1;
      for (;;) {
        if (i >= text.length) return null;
        if (text[i] === "`") {
          if (text[i + 1] !== "`") break;
          i += 1;
        }
        part += text[i];
        i += 1;
      }
      i += 1;
    } else {
      const end = text.slice(i).search(/[.`]/);
      part = end < 0 ? text.slice(i) : text.slice(i, i + end);
      if (part === "" || (end >= 0 && text[i + end] === "`")) return null;
      i += part.length;
    }
    parts.push(part);
    if (i === text.length) return parts;
    if (text[i] !== ".") return null;
    i += 1;
    if (i === text.length) return null;
  }
}
