import type { CountryCode } from "libphonenumber-js/max";

export type DetectorKind = "secret" | "pii";

/** A hit inside one scanned text. The raw value is never kept: only its range and a masked form. */
export interface RawMatch {
  detector: string;
  kind: DetectorKind;
  start: number;
  end: number;
  confidence: number;
  masked: string;
}

export interface ScanOptions {
  /** Region for phone numbers written without a country code. */
  defaultRegion: CountryCode;
}

export const DEFAULT_SCAN_OPTIONS: ScanOptions = { defaultRegion: "US" };

export type TextDetector = (text: string, out: RawMatch[], options: ScanOptions) => void;
