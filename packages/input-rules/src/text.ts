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

const LINE_CLASS = `${CONTROLS}${TAB}${NEWLINES}`;

// One pattern per field: it is what validates the field and what the document publishes (a
// client generating values from several patterns at once has to search for strings that satisfy
// them all). The reason a value is refused is worked out afterwards, for the message only.

/** Names and filters: one line, not empty, no space at either end (a name that differs only by a trailing space is a trap). */
const NAME = new RegExp(`^[^${LINE_CLASS}${SPACES}](?:[^${LINE_CLASS}]*[^${LINE_CLASS}${SPACES}])?$`);
/** A line of free text, such as a description: may be empty. */
const LINE = new RegExp(`^[^${LINE_CLASS}]*$`);
/** Notes: several lines (LF and CR) but no other control character. */
const NOTE = new RegExp(`^[^${CONTROLS}${TAB}]*$`);
/** Expressions and other code: tabs and line breaks are allowed, other controls and bidirectional controls are not. */
const CODE = new RegExp(`^[^${CONTROLS}]*$`);
/** Tokens and other opaque values: no space and no control character at all. */
const TOKEN = new RegExp(`^[^${LINE_CLASS}${SPACES}]+$`);

/**
 * An e-mail address, loosely: something@something.something, with no space, control character
 * (a NUL cannot even be stored) or second @ in any part. The link sent to it proves the rest.
 */
export const EMAIL = new RegExp(`^[^${LINE_CLASS}${SPACES}@]+@[^${LINE_CLASS}${SPACES}@]+\\.[^${LINE_CLASS}${SPACES}@]+$`);

const HAS_LINE_CONTROL = new RegExp(`[${LINE_CLASS}]`);
const HAS_SPACE = new RegExp(`[${SPACES}${TAB}${NEWLINES}]`);

const CONTROL_REASON = "must not contain control characters (such as NUL, tab, CR, LF or ESC) or bidirectional controls (such as U+202E)";
const NOTE_REASON = "must not contain control characters other than line breaks (such as NUL, tab or ESC) or bidirectional controls (such as U+202E)";
const CODE_REASON = "must not contain control characters other than tab and line breaks, or bidirectional controls (such as U+202E)";

/** Why a value does not match NAME (it does not, when this is asked). */
function nameReason(value: unknown): string {
  if (typeof value !== "string" || value === "") return "must not be empty";
  return HAS_LINE_CONTROL.test(value) ? CONTROL_REASON : "must not start or end with a space";
}

/** Length in characters as JSON Schema counts them (code points), not in UTF-16 units as String.length does. */
function codePoints(value: string): number {
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
  return atMost(
    z
      .string()
      .min(1, "must not be empty")
      .regex(NAME, { error: (issue) => nameReason(issue.input) }),
    max,
    what,
  );
}

/** A line of free text that may be empty, such as a description. */
export function line(max: number) {
  return atMost(z.string().regex(LINE, CONTROL_REASON), max, "characters");
}

/** Free text over several lines, such as a note: line breaks are its only control characters. */
export function note(max: number) {
  return atMost(z.string().regex(NOTE, NOTE_REASON), max, "characters");
}

/** A token or other opaque value: not empty, no space, no control character. */
export function token(max: number) {
  return atMost(
    z
      .string()
      .min(1, "must not be empty")
      .regex(TOKEN, { error: (issue) => (HAS_SPACE.test(String(issue.input)) ? "must not contain whitespace" : CONTROL_REASON) }),
    max,
    "characters",
  );
}

/** An expression: its own length rule stays with the caller; this adds what characters it may hold. */
export function code<T extends z.ZodString>(schema: T) {
  return schema.regex(CODE, CODE_REASON);
}

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
