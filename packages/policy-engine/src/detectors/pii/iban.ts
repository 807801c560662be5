import { maskIban } from "../../mask.ts";
import { ALNUM, charAt, charBefore, inClass } from "../chars.ts";
import type { TextDetector } from "../types.ts";
import { IBAN_LENGTHS } from "./iban-lengths.ts";

// Country code + 2 check digits + BBAN, compact or printed in groups of four. One alphanumeric
// per repetition with an optional space before it: no ambiguity, so no backtracking blow-up.
const CANDIDATE = /[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,32}/g;

/** ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 == 1. */
export function ibanChecksumValid(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

export const detectIbans: TextDetector = (text, out) => {
  for (const m of text.matchAll(CANDIDATE)) {
    const start = m.index;
    if (inClass(ALNUM, charBefore(text, start))) continue;
    const length = IBAN_LENGTHS[m[0].slice(0, 2)];
    if (!length) continue;
    // Take exactly the country's length of characters; the greedy match may have run on.
    let end = start;
    let taken = 0;
    const matchEnd = start + m[0].length;
    while (end < matchEnd && taken < length) {
      if (text[end] !== " ") taken++;
      end++;
    }
    if (taken < length || inClass(ALNUM, charAt(text, end))) continue;
    const iban = text.slice(start, end).replace(/ /g, "");
    if (!ibanChecksumValid(iban)) continue;
    out.push({ detector: "iban", kind: "pii", start, end, confidence: 0.95, masked: maskIban(iban) });
  }
};
