import { occurrences } from "../chars.ts";
import type { TextDetector } from "../types.ts";

// A GCP service-account key file is JSON with `"type": "service_account"` and a `"private_key"`.
// secretlint's GCP rule only reads whole `.json` files, so this finds one inside any text (also
// JSON-in-JSON, where the quotes are escaped). The reported range is the private_key value, so the
// PEM rule's hit inside it merges into this one. Objects (not text) are handled in walk.ts.

const TYPE_LABEL = /"type\\?"\s*:\s*\\?"$/;
const WINDOW = 6000;

function privateKeyValue(text: string, from: number, to: number): [number, number] | null {
  for (const at of occurrences(text.slice(from, to), "private_key")) {
    let i = from + at + "private_key".length;
    const escaped = text[i] === "\\";
    if (escaped) i++;
    if (text[i] !== '"') continue;
    i++;
    while (text[i] === " " || text[i] === ":") i++;
    if (escaped) {
      if (text[i] !== "\\") continue;
      i++;
    }
    if (text[i] !== '"') continue;
    const quote = escaped ? '\\"' : '"';
    let end = i + 1;
    while (end < text.length && end - i < 10000) {
      const next = text.indexOf(quote, end);
      if (next === -1) return null;
      // An escaped quote inside a plain JSON string is `\"`: not the end.
      if (!escaped && text[next - 1] === "\\") {
        end = next + 1;
        continue;
      }
      return [from + at, next + quote.length];
    }
    return null;
  }
  return null;
}

export const detectGcpServiceAccount: TextDetector = (text, out) => {
  for (const at of occurrences(text, "service_account")) {
    if (!TYPE_LABEL.test(text.slice(Math.max(0, at - 24), at))) continue;
    const range = privateKeyValue(text, Math.max(0, at - WINDOW), Math.min(text.length, at + WINDOW));
    if (!range) continue;
    const [start, end] = range;
    if (end - start < 200) continue; // a placeholder, not a key
    out.push({ detector: "gcp_service_account", kind: "secret", start, end, confidence: 0.95, masked: `service_account private_key …(${end - start} chars)` });
  }
};
