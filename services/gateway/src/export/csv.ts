import { isExactNumber, stringifyJson } from "@langguard/exact-json";

/**
 * CSV cells a spreadsheet opens as text, never as a formula (OWASP, "CSV Injection"): a text
 * that starts with =, +, -, @, a tab, a carriage return or a line feed gets a leading single
 * quote, and every cell is quoted (RFC 4180) so that no separator inside it (",", or the ";"
 * many locales split on) can start a new cell. Values a workspace sends (agent names, messages)
 * are untrusted, so this applies to every text value and to every element of a list.
 */
const FORMULA_START = /^[=+\-@\t\r\n]/;

/** A text a spreadsheet will not evaluate. */
export function neutralise(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * The text of one value. Numbers, dates and booleans are ours and written as they are; integers
 * beyond 2^53 (bigint, ExactNumber) digit for digit. A list holds one element per line inside
 * its cell, each neutralised: line breaks are no spreadsheet's separator, so a list cannot be
 * split into cells, and no element can start a formula even if it were.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean" || isExactNumber(value)) return String(value);
  if (Array.isArray(value)) return value.map((element) => neutralise(csvField(element))).join("\n");
  if (typeof value === "object") return neutralise(stringifyJson(value));
  return neutralise(String(value));
}

/** One quoted cell. */
export function csvCell(value: unknown): string {
  return `"${csvField(value).replaceAll('"', '""')}"`;
}

/** One CSV record, without its line ending. */
export function csvRow(values: readonly unknown[]): string {
  return values.map(csvCell).join(",");
}
