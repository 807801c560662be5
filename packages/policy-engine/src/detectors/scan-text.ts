import { PII_DETECTORS, SECRET_DETECTORS } from "./registry.ts";
import { resolveOverlaps } from "./resolve.ts";
import { DEFAULT_SCAN_OPTIONS, type RawMatch, type ScanOptions } from "./types.ts";

/** Every detector over one text; overlapping hits resolved. Ranges are into `text`. */
export function detectInText(text: string, options: ScanOptions = DEFAULT_SCAN_OPTIONS): RawMatch[] {
  const out: RawMatch[] = [];
  for (const detect of SECRET_DETECTORS) detect(text, out, options);
  for (const detect of PII_DETECTORS) detect(text, out, options);
  return resolveOverlaps(out);
}
