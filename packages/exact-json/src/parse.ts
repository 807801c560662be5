import { parse as losslessParse } from "lossless-json";
import { ExactNumber } from "./exact-number.ts";

// A run of 16+ digits right after a JSON value position (":", ",", "[" or the start): the only
// place a number JSON.parse would round can be. Digits inside strings (ids, nanosecond times sent
// as text) mostly sit after a quote, so the common line takes the native parser.
const UNSAFE_INTEGER = /(?:^|[:,[])\s*-?\d{16}/;

export function mayHoldUnsafeIntegers(text: string): boolean {
  return UNSAFE_INTEGER.test(text);
}

function parseNumber(text: string): number | ExactNumber {
  const value = Number(text);
  // Only integers lose anything: a fraction or exponent came from a double and parses back to it.
  if (!/^-?\d+$/.test(text) || Number.isSafeInteger(value)) return value;
  return new ExactNumber(text);
}

/** JSON.parse, except that integers beyond 2^53 come back as ExactNumber instead of rounded. */
export function parseJson(text: string): unknown {
  if (!mayHoldUnsafeIntegers(text)) return JSON.parse(text);
  return losslessParse(text, null, parseNumber);
}
