import { randomUUID } from "node:crypto";
import { ExactNumber } from "./exact-number.ts";

// Node 20 has no JSON.rawJSON: an ExactNumber is written as a string carrying this marker, then
// the quotes around it are removed. The random part means no value from a source can forge one.
const MARKER = `\u{10FFFF}${randomUUID()}:`;
const MARKED = new RegExp(`"${MARKER}(-?\\d+)"`, "gu");

/** JSON.stringify that writes ExactNumber values as the exact numbers they hold. */
export function stringifyJson(value: unknown, replacer?: (key: string, value: unknown) => unknown): string {
  let exact = false;
  const text = JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
    const replaced = replacer ? replacer.call(this, key, v) : v;
    if (replaced instanceof ExactNumber) {
      exact = true;
      return MARKER + replaced.text;
    }
    return replaced;
  });
  return exact ? text.replace(MARKED, "$1") : text;
}
