import { maskCard } from "../../mask.ts";
import { ALNUM, charAt, charBefore, inClass } from "../chars.ts";
import type { TextDetector } from "../types.ts";
import { cardBrand } from "./card-brands.ts";
import { digitGroups, groupRuns } from "./digit-groups.ts";
import { luhnValid } from "./luhn.ts";

// Candidates: digit runs optionally split by single spaces or dashes. Each repetition consumes
// exactly one digit and digits/separators are disjoint, so the regex cannot backtrack badly.
const CANDIDATE = /\d(?:[ -]?\d){12,40}/g;

/** How people and systems print card numbers; other groupings are probably something else. */
const GROUPINGS = new Set(["4-4-4-4", "4-4-4-4-3", "4-6-5", "4-6-4", "4-4-4-1", "4-4-4-4-1", "4-4-4-4-2", "4-4-4-3", "4-4-5"]);

function plausibleLayout(text: string, start: number, end: number): boolean {
  // One pass, no allocation but the layout key: this runs for every digit run of every candidate.
  let separator = -1;
  let group = 0;
  let layout = "";
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      group++;
      continue;
    }
    if (separator === -1) separator = c;
    else if (separator !== c) return false;
    layout += `${group}-`;
    group = 0;
  }
  return separator === -1 || GROUPINGS.has(layout + group);
}

function standsAlone(text: string, start: number, end: number): boolean {
  const before = charBefore(text, start);
  const after = charAt(text, end);
  if (inClass(ALNUM, before) || before === 46 /* . */ || inClass(ALNUM, after)) return false;
  // `-` or `.` followed by more alphanumerics: part of an identifier or decimal.
  if (before === 45 && inClass(ALNUM, charBefore(text, start - 1))) return false;
  if ((after === 46 || after === 45) && inClass(ALNUM, charAt(text, end + 1))) return false;
  return true;
}

export const detectCreditCards: TextDetector = (text, out) => {
  for (const m of text.matchAll(CANDIDATE)) {
    const groups = digitGroups(m[0], m.index);
    // Every card layout has a group of at least four digits; `1 2 3 4 …` has none.
    if (!groups.some((g) => g.end - g.start >= 4)) continue;
    for (const run of groupRuns(groups, 5, 13, 19)) {
      if (!standsAlone(text, run.start, run.end) || !plausibleLayout(text, run.start, run.end)) continue;
      const digits = text.slice(run.start, run.end).replace(/\D/g, "");
      if (!luhnValid(digits) || cardBrand(digits) === null || /^(\d)\1+$/.test(digits)) continue;
      out.push({ detector: "credit_card", kind: "pii", start: run.start, end: run.end, confidence: 0.95, masked: maskCard(digits) });
      break;
    }
  }
};
