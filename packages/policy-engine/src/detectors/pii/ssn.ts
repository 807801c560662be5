import { maskSsn } from "../../mask.ts";
import { ALNUM, charAt, charBefore, inClass } from "../chars.ts";
import { textBefore } from "../context.ts";
import type { TextDetector } from "../types.ts";

// US Social Security numbers, with Presidio's UsSsnRecognizer rejection rules plus the SSA's: no
// area 000, 666 or 9xx (ITINs and never-issued), no group 00, no serial 0000, no single repeated
// digit, and none of the numbers that were published and are known to be invalid.

const CANDIDATE = /\d{3}([- .]?)\d{2}\1\d{4}/g;
const KNOWN_INVALID = new Set(["123456789", "078051120", "219099999", "457555462"]);
const CONTEXT = /\b(ssn|ss#|social security|social sec|taxpayer|tin)\b/;

export function ssnDigitsValid(digits: string): boolean {
  const area = digits.slice(0, 3);
  if (area === "000" || area === "666" || area.startsWith("9")) return false;
  if (digits.slice(3, 5) === "00" || digits.slice(5) === "0000") return false;
  if (/^(\d)\1{8}$/.test(digits)) return false;
  return !KNOWN_INVALID.has(digits);
}

export const detectSsn: TextDetector = (text, out) => {
  for (const m of text.matchAll(CANDIDATE)) {
    const start = m.index;
    const end = start + m[0].length;
    const before = charBefore(text, start);
    const after = charAt(text, end);
    if (inClass(ALNUM, before) || inClass(ALNUM, after) || before === 45 || before === 46) continue;
    if ((after === 45 || after === 46) && inClass(ALNUM, charAt(text, end + 1))) continue;
    const digits = m[0].replace(/\D/g, "");
    if (!ssnDigitsValid(digits)) continue;
    const separator = m[1] ?? "";
    const context = CONTEXT.test(textBefore(text, start, 40));
    // Dashed is how SSNs are written; bare nine digits are usually some other id.
    const base = separator === "-" ? 0.8 : separator === "" ? 0.3 : 0.45;
    const confidence = Math.min(0.99, base + (context ? 0.3 : 0));
    out.push({ detector: "us_ssn", kind: "pii", start, end, confidence, masked: maskSsn(digits) });
  }
};
