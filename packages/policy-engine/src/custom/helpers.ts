import { redactText } from "../detectors/redact.ts";
import { scanDocument, scanText } from "../detectors/scan-document.ts";
import { isPiiDetector } from "../detectors/registry.ts";
import { re2Test } from "../re2.ts";
import type { Finding } from "../types.ts";
import { chargeSteps } from "./meter.ts";
import { currentDocument } from "./scope.ts";

// Functions custom policies can call besides CEL's standard library. Each charges the meter for
// the text it walks, so calling them in a comprehension over large payloads stays bounded.

/** Name the member form `s.matches(re)` is rewritten to (rewrite.ts), so it runs on RE2. */
export const RE2_MATCHES = "re2Matches";

const charge = (text: string) => chargeSteps(Math.ceil(text.length / 256));

function asCel(f: Finding) {
  return {
    detector: f.detector,
    kind: isPiiDetector(f.detector) ? "pii" : "secret",
    path: f.path,
    spanId: f.spanId,
    match: f.match,
    confidence: f.confidence,
    truncated: f.truncated,
  };
}

export const HELPERS: Array<{ signature: string; description: string; handler: (...args: never[]) => unknown }> = [
  {
    signature: `string.${RE2_MATCHES}(string): bool`,
    description: "RE2 regular expression search (what `s.matches(re)` runs).",
    handler: (text: string, pattern: string) => {
      charge(text);
      return re2Test(pattern, text);
    },
  },
  {
    signature: "matches(string, string): bool",
    description: "matches(text, re): RE2 regular expression search.",
    handler: (text: string, pattern: string) => {
      charge(text);
      return re2Test(pattern, text);
    },
  },
  {
    signature: "detect(string): list<dyn>",
    description: "Secret and PII findings in a text (masked).",
    handler: (text: string) => {
      charge(text);
      return scanText(text).map(asCel);
    },
  },
  {
    signature: "findings(): list<dyn>",
    description: "Secret and PII findings in the whole trace (masked, shared with the built-in policies).",
    handler: () => {
      const input = currentDocument();
      return input ? scanDocument(input).map(asCel) : [];
    },
  },
  {
    signature: "redact(string): string",
    description: "The text with secrets and PII replaced by their masked forms.",
    handler: (text: string) => {
      charge(text);
      return redactText(text);
    },
  },
];
