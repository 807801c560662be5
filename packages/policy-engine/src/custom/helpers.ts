import { redactText } from "../detectors/redact.ts";
import { scanDocument, scanText } from "../detectors/scan-document.ts";
import { isPiiDetector } from "../detectors/registry.ts";
import { re2Test } from "../re2.ts";
import type { Finding } from "../types.ts";
import { charge, uncounted } from "../budget.ts";
import { HELPER_STEPS_PER_CHAR } from "./limits.ts";
import { currentDocument } from "./scope.ts";

// Functions custom policies can call besides CEL's standard library. Each charges the evaluation's
// budget for the text it is given before it starts (so calling them in a comprehension over large
// payloads stays bounded by the same step limit as the expression), and the detectors check the
// clock while they scan (so one call on slow input stops at the time limit).

/** Name the member form `s.matches(re)` is rewritten to (rewrite.ts), so it runs on RE2. */
export const RE2_MATCHES = "re2Matches";

const chargeFor = (text: string, stepsPerChar: number) => charge(Math.ceil(text.length * stepsPerChar));

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
      chargeFor(text, HELPER_STEPS_PER_CHAR.matches);
      return re2Test(pattern, text);
    },
  },
  {
    signature: "matches(string, string): bool",
    description: "matches(text, re): RE2 regular expression search.",
    handler: (text: string, pattern: string) => {
      chargeFor(text, HELPER_STEPS_PER_CHAR.matches);
      return re2Test(pattern, text);
    },
  },
  {
    signature: "detect(string): list<dyn>",
    description: "Secret and PII findings in a text (masked).",
    handler: (text: string) => {
      chargeFor(text, HELPER_STEPS_PER_CHAR.detect);
      return scanText(text).map(asCel);
    },
  },
  {
    signature: "findings(): list<dyn>",
    description: "Secret and PII findings in the whole trace (masked, shared with the built-in policies).",
    handler: () => {
      const input = currentDocument();
      if (!input) return [];
      // The trace-wide scan is done once per document and shared with the built-in policies: it is
      // set-up, not the expression's work, so whether a built-in ran first cannot change the verdict.
      const found = uncounted(() => scanDocument(input));
      charge(found.length);
      return found.map(asCel);
    },
  },
  {
    signature: "redact(string): string",
    description: "The text with secrets and PII replaced by their masked forms.",
    handler: (text: string) => {
      chargeFor(text, HELPER_STEPS_PER_CHAR.redact);
      return redactText(text);
    },
  },
];
