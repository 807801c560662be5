// Hand-rolled character classes: scanning forward with these is linear by construction, which is
// what lets the detectors promise a throughput instead of hoping a regex does not backtrack.

const table = (chars: string): Uint8Array => {
  const t = new Uint8Array(128);
  for (const c of chars) t[c.charCodeAt(0)] = 1;
  return t;
};

const DIGITS = "0123456789";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = LOWER.toUpperCase();

export const ALNUM = table(DIGITS + LOWER + UPPER);
export const HEX = table(DIGITS + "abcdefABCDEF");
export const BASE64 = table(DIGITS + LOWER + UPPER + "+/=");
export const BASE64URL = table(DIGITS + LOWER + UPPER + "_-");
export const UPPER_ALNUM = table(DIGITS + UPPER);
/** Characters that continue an opaque token: a secret-looking run touching one is part of something longer. */
export const TOKEN = table(DIGITS + LOWER + UPPER + "_-+/");

export function inClass(cls: Uint8Array, code: number): boolean {
  return code < 128 && cls[code] === 1;
}

/** Index just past the run of `cls` characters starting at `from`, scanning at most `max` of them. */
export function runEnd(text: string, from: number, cls: Uint8Array, max = Number.MAX_SAFE_INTEGER): number {
  const limit = Math.min(text.length, from + max);
  let i = from;
  while (i < limit && inClass(cls, text.charCodeAt(i))) i++;
  return i;
}

export function charBefore(text: string, index: number): number {
  return index > 0 ? text.charCodeAt(index - 1) : -1;
}

export function charAt(text: string, index: number): number {
  return index < text.length ? text.charCodeAt(index) : -1;
}

export function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Real random keys mix character classes; placeholders like `sk-xxxx…` do not. */
export function looksRandom(text: string, start: number, end: number): boolean {
  let lower = false;
  let upper = false;
  let digit = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = true;
    else if (c >= 65 && c <= 90) upper = true;
    else if (c >= 48 && c <= 57) digit = true;
  }
  return lower && upper && digit;
}

/** Every start of `needle` in `text`, in order. */
export function* occurrences(text: string, needle: string): Generator<number> {
  let i = text.indexOf(needle);
  while (i !== -1) {
    yield i;
    i = text.indexOf(needle, i + needle.length);
  }
}
