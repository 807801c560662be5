import { z } from "zod";

/**
 * What free text may hold, stated once as patterns that both validate requests and are published
 * in the OpenAPI document, so a client (or Schemathesis) reading the document accepts exactly
 * what the API accepts. Character classes are spelled out rather than written as \s or \p{…}:
 * JavaScript validates them, but Python and other languages read the published pattern.
 */

// C0 and C1 control characters and DEL (NUL, BEL, ESC, …), the Unicode line and paragraph
// separators, and the bidirectional embedding, override and isolate controls (U+202A–U+202E,
// U+2066–U+2069: "Trojan Source"), which make what a reviewer reads differ from what is stored.
const CONTROLS = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069";
const TAB = "\\u0009";
const NEWLINES = "\\u000a\\u000d";
/** The space characters a name may not start or end with. */
const SPACES = " \\u00a0\\u1680\\u2000-\\u200a\\u202f\\u205f\\u3000\\ufeff";

/** One line: no control character (tab, CR and LF included) and no bidirectional control. */
export const ONE_LINE = new RegExp(`^[^${CONTROLS}${TAB}${NEWLINES}]*$`);
/** Notes: several lines (LF and CR) but no other control character. */
export const MULTI_LINE = new RegExp(`^[^${CONTROLS}${TAB}]*$`);
/** Names and filters: no space at either end (a name that differs only by a trailing space is a trap). */
export const NO_EDGE_SPACE = new RegExp(`^(?:[^${SPACES}](?:[\\s\\S]*[^${SPACES}])?)?$`);
/** Tokens and other opaque values: no space at all. */
export const NO_SPACE = new RegExp(`^[^${SPACES}${TAB}${NEWLINES}]*$`);

const ONE_LINE_REASON = "must not contain control characters (such as NUL, tab, CR, LF or ESC) or bidirectional controls (such as U+202E)";
const MULTI_LINE_REASON = "must not contain control characters other than line breaks (such as NUL, tab or ESC) or bidirectional controls (such as U+202E)";

/** Length in characters as JSON Schema counts them (code points), not in UTF-16 units as String.length does. */
export function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}

/** At most `max` characters, counted as the published `maxLength` counts them. */
function atMost<T extends z.ZodString>(schema: T, max: number, what: string) {
  return schema.refine((v) => codePoints(v) <= max, `must be at most ${max} ${what}`).meta({ maxLength: max });
}

/** A name or a filter value: one line, not empty, no space at either end. */
export function text(max: number, what = "characters") {
  return atMost(z.string().min(1, "must not be empty").regex(ONE_LINE, ONE_LINE_REASON).regex(NO_EDGE_SPACE, "must not start or end with a space"), max, what);
}

/** A line of free text that may be empty, such as a description. */
export function line(max: number) {
  return atMost(z.string().regex(ONE_LINE, ONE_LINE_REASON), max, "characters");
}

/** Free text over several lines, such as a note: line breaks are its only control characters. */
export function note(max: number) {
  return atMost(z.string().regex(MULTI_LINE, MULTI_LINE_REASON), max, "characters");
}

/** Expressions and other code: tabs and line breaks are allowed, other controls and bidirectional controls are not. */
export const CODE = new RegExp(`^[^${CONTROLS}]*$`);
export const CODE_REASON = "must not contain control characters other than tab and line breaks, or bidirectional controls (such as U+202E)";

// Postgres timestamps start at 4713 BC but the driver cannot send years before 1 AD, and RFC 3339
// allows no year past 9999: a valid timestamp beyond either end means "from the beginning" or
// "until the end", so it is clamped rather than refused.
const EARLIEST = Date.parse("0001-01-01T00:00:00Z");
const LATEST = Date.parse("9999-12-31T23:59:59.999Z");

/**
 * An RFC 3339 timestamp with its offset (`2026-01-31T12:00:00Z`, `…+02:00`): published as
 * `format: date-time` with the pattern that checks it, calendar included (no February 30).
 */
export const Timestamp = z.iso
  .datetime({ offset: true, error: "must be an RFC 3339 timestamp with a time zone, e.g. 2026-01-31T12:00:00Z" })
  .transform((value) => new Date(Math.min(LATEST, Math.max(EARLIEST, Date.parse(value)))));
