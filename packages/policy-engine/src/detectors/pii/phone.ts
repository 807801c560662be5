import { type CountryCode, getCountryCallingCode, Metadata, parsePhoneNumberFromString } from "libphonenumber-js/max";
import { charge } from "../../budget.ts";
import { maskPhone } from "../../mask.ts";
import { ALNUM, charAt, charBefore, inClass } from "../chars.ts";
import type { ScanOptions, TextDetector } from "../types.ts";
import { digitGroups, groupRuns } from "./digit-groups.ts";

// libphonenumber's own text matcher runs at about 1 MB/s, so candidates are found here (7–15
// digits with the separators people use) and only those are handed to it for validation, with the
// full ("max") metadata so that `isValid()` checks number ranges, not just lengths.

// Starts on a digit (an optional leading `+`/`(` is picked up by hand): a regex that may start on
// an optional prefix is tried at every position and ran 4× slower.
const CANDIDATE = /\d(?:[ .()-]{0,3}\d){6,20}\)?/g;

/** Pulls a leading `+`, `(` or `(+` into the candidate. */
function withPrefix(text: string, start: number): number {
  if (text[start - 1] === "(") start--;
  if (text[start - 1] === "+") start--;
  if (text[start - 1] === "(" && text[start] === "+") start--;
  return start;
}

/**
 * Parentheses belong to a number only around its area code, `(212) 555-0199`. One that closes
 * without opening inside the match, or that wraps the whole number, `(+1 415 555 0132)`, is the
 * sentence's, and stays out of the match (and out of what redaction replaces).
 */
function withoutSurroundingParens(text: string, start: number, end: number): { start: number; end: number } {
  if (text[start] === "(") {
    const close = text.indexOf(")", start);
    if (close === -1 || close >= end - 1) {
      start++;
      if (close === end - 1) end--;
    }
  }
  if (text[end - 1] === ")" && text.lastIndexOf("(", end - 1) < start) end--;
  return { start, end };
}

function confidenceFor(value: string): number {
  if (value.startsWith("+") || value.startsWith("(+")) return 0.85;
  // Bare digit runs are as often order numbers or ids as phone numbers.
  return /\D/.test(value) ? 0.7 : 0.35;
}

function standsAlone(text: string, start: number, end: number): boolean {
  const before = charBefore(text, start);
  const after = charAt(text, end);
  if (inClass(ALNUM, before) || inClass(ALNUM, after) || before === 46 /* . */ || before === 95 /* _ */) return false;
  if ((after === 46 || after === 45 || after === 47) && inClass(ALNUM, charAt(text, end + 1))) return false;
  return !(before === 45 && inClass(ALNUM, charBefore(text, start - 1)));
}

/** Dotted quads and dates are never phone numbers, however they parse. */
const NOT_PHONE = /^(?:\d{1,3}\.){3}\d{1,3}$|^\d{4}[-./]\d{1,2}[-./]\d{1,2}|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$/;

/** What one libphonenumber parse costs in evaluation steps (a CEL node is one step, ~0.2 µs). */
const PARSE_STEPS = 75;

const nationalLengths = new Map<CountryCode, ReadonlySet<number>>();

/**
 * Digit counts a number written without `+` can have in the region: its national lengths, with the
 * trunk prefix (`0…`) or the calling code (`1 415…`) in front. Checked before parsing, because
 * most digit runs in traces (timestamps, ids, dates) fail it and parsing costs ~15 µs.
 */
function lengthsFor(region: CountryCode): ReadonlySet<number> {
  let lengths = nationalLengths.get(region);
  if (!lengths) {
    const metadata = new Metadata();
    metadata.selectNumberingPlan(region);
    const plan = metadata.numberingPlan as unknown as { possibleLengths(): number[]; nationalPrefix(): string | undefined } | undefined;
    const base = plan?.possibleLengths() ?? [];
    const prefixes = [0, plan?.nationalPrefix()?.length ?? 0, getCountryCallingCode(region).length];
    lengths = new Set(base.flatMap((l) => prefixes.map((p) => l + p)));
    nationalLengths.set(region, lengths);
  }
  return lengths;
}

function validPhone(value: string, options: ScanOptions, seen: Map<string, boolean>): boolean {
  const digits = value.replace(/\D/g, "").length;
  if (digits < 7 || digits > 15 || NOT_PHONE.test(value)) return false;
  const international = value.startsWith("+") || value.startsWith("(+");
  if (!international && !lengthsFor(options.defaultRegion).has(digits)) return false;
  // Traces repeat themselves (the same message in the span and the trace): parse each value once
  // per text. The costly step (~15 µs) is charged to a custom policy's budget, which also checks
  // its clock, whether or not an earlier trace already parsed the value (so the verdict does not
  // depend on what the process saw before).
  let valid = seen.get(value);
  if (valid === undefined) {
    charge(PARSE_STEPS);
    valid = parsed(value, options.defaultRegion);
    seen.set(value, valid);
  }
  return valid;
}

/** The same numbers come back trace after trace (a user's, a support line): parsed once per process, up to a bound. */
const PARSED_MAX = 20_000;
const parsedCache = new Map<string, boolean>();

function parsed(value: string, region: CountryCode): boolean {
  const key = `${region}\u0000${value}`;
  let valid = parsedCache.get(key);
  if (valid === undefined) {
    valid = parsePhoneNumberFromString(value, region)?.isValid() === true;
    if (parsedCache.size >= PARSED_MAX) parsedCache.delete(parsedCache.keys().next().value as string);
    parsedCache.set(key, valid);
  }
  return valid;
}

export const detectPhones: TextDetector = (text, out, options) => {
  const seen = new Map<string, boolean>();
  for (const m of text.matchAll(CANDIDATE)) {
    const whole = withoutSurroundingParens(text, withPrefix(text, m.index), m.index + m[0].length);
    // Glued to a word or identifier (`a716-446655440000`, `v2.3.4567890`): not a phone number.
    if (inClass(ALNUM, charBefore(text, whole.start))) continue;
    const value = text.slice(whole.start, whole.end);
    if (standsAlone(text, whole.start, whole.end) && validPhone(value, options, seen)) {
      out.push({ detector: "phone", kind: "pii", ...whole, confidence: confidenceFor(value), masked: maskPhone(value) });
      continue;
    }
    // The candidate may have swallowed a neighbouring number ("room 12 415-555-2671"): try the
    // runs of digit groups inside it, keeping a leading `+` or `(` with its group.
    if (NOT_PHONE.test(value)) continue;
    const groups = digitGroups(m[0], m.index);
    if (groups.length < 2) continue;
    for (const run of groupRuns(groups, 6, 7, 15)) {
      let end = run.end;
      if (text[end] === ")") end++;
      const { start, end: partEnd } = withoutSurroundingParens(text, withPrefix(text, run.start), end);
      end = partEnd;
      if (start === whole.start && end === whole.end) continue;
      const part = text.slice(start, end);
      if (!standsAlone(text, start, end) || !validPhone(part, options, seen)) continue;
      out.push({ detector: "phone", kind: "pii", start, end, confidence: confidenceFor(part), masked: maskPhone(part) });
      break;
    }
  }
};
