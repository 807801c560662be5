import { charge } from "../budget.ts";
import { PII_DETECTORS, SECRET_DETECTORS } from "./registry.ts";
import { resolveOverlaps } from "./resolve.ts";
import { DEFAULT_SCAN_OPTIONS, type RawMatch, type ScanOptions } from "./types.ts";

/** Every detector over one text; overlapping hits resolved. Ranges are into `text`. */
export function detectInText(text: string, options: ScanOptions = DEFAULT_SCAN_OPTIONS): RawMatch[] {
  const out: RawMatch[] = [];
  // Between rules, the clock of a custom policy's evaluation is checked (no-op elsewhere).
  for (const detect of SECRET_DETECTORS) {
    detect(text, out, options);
    charge(0);
  }
  for (const detect of PII_DETECTORS) {
    detect(text, out, options);
    charge(0);
  }
  return resolveOverlaps(out);
}
