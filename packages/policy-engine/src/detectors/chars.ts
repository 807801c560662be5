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

// Searching for a needle by its first character stops at every `s` of a prose text for `sk-` or
// `sig=`. Needles are searched by their rarest character instead (`_`, `-`, `=`, `:`, a capital,
// before lower-case letters by their frequency in English), then compared whole.

const ENGLISH_BY_FREQUENCY = "etaoinshrdlcumwfgypbvkjxqz";

/** How rare a character is in ordinary text: higher is rarer. */
export function rarity(char: string): number {
  if (char === " ") return -1;
  if (char === ".") return 10; // about as common in prose as `r`
  const rank = ENGLISH_BY_FREQUENCY.indexOf(char);
  return rank === -1 ? 100 : rank;
}

/** The offset of the rarest character of `needle`. */
export function rarestOffset(needle: string): number {
  let offset = 0;
  for (let i = 1; i < needle.length; i++) if (rarity(needle[i] as string) > rarity(needle[offset] as string)) offset = i;
  return offset;
}

const anchors = new Map<string, { anchor: string; offset: number }>();

/** Every start of `needle` in `text`, in order. */
export function* occurrences(text: string, needle: string): Generator<number> {
  let found = anchors.get(needle);
  if (!found) {
    const offset = rarestOffset(needle);
    found = { anchor: needle.slice(offset, offset + 2), offset };
    anchors.set(needle, found);
  }
  const { anchor, offset } = found;
  let next = 0;
  for (let i = text.indexOf(anchor, offset); i !== -1; i = text.indexOf(anchor, i + 1)) {
    const start = i - offset;
    if (start >= next && text.startsWith(needle, start)) {
      yield start;
      next = start + needle.length;
    }
  }
}
