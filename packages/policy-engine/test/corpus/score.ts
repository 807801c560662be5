import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isPiiDetector } from "../../src/detectors/registry.ts";
import { detectInText } from "../../src/detectors/scan-text.ts";
import type { CorpusEntry } from "./generate.ts";

// Precision and recall per detector over corpus.jsonl, at the PII policy's default threshold.
// A finding counts for an expectation with the same detector whose `match` it overlaps (or any
// expectation of that detector without `match`); each finding and expectation counts once.

export const DEFAULT_MIN_CONFIDENCE = 0.5;

export interface DetectorScore {
  detector: string;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
}

export function loadCorpus(): CorpusEntry[] {
  const path = fileURLToPath(new URL("./corpus.jsonl", import.meta.url));
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as CorpusEntry);
}

export function scoreCorpus(entries: readonly CorpusEntry[], minConfidence = DEFAULT_MIN_CONFIDENCE): { scores: DetectorScore[]; misses: string[] } {
  const counts = new Map<string, { tp: number; fp: number; fn: number }>();
  const bump = (detector: string, key: "tp" | "fp" | "fn") => {
    const c = counts.get(detector) ?? { tp: 0, fp: 0, fn: 0 };
    c[key]++;
    counts.set(detector, c);
  };
  const misses: string[] = [];
  for (const entry of entries) {
    const found = detectInText(entry.text).filter((m) => !isPiiDetector(m.detector) || m.confidence >= minConfidence);
    const used = new Set<number>();
    for (const want of entry.expect) {
      const at = want.match ? entry.text.indexOf(want.match) : -1;
      const hit = found.findIndex(
        (m, i) => !used.has(i) && m.detector === want.detector && (!want.match || (at !== -1 && m.start < at + want.match.length && m.end > at)),
      );
      if (hit === -1) {
        bump(want.detector, "fn");
        misses.push(`missed ${want.detector} in: ${entry.text.slice(0, 120)}`);
      } else {
        used.add(hit);
        bump(want.detector, "tp");
      }
    }
    found.forEach((m, i) => {
      if (used.has(i)) return;
      bump(m.detector, "fp");
      misses.push(`false ${m.detector} (${m.masked}) in: ${entry.text.slice(0, 120)}`);
    });
  }
  const scores = [...counts]
    .map(([detector, c]) => ({ detector, ...c, precision: c.tp + c.fp === 0 ? 1 : c.tp / (c.tp + c.fp), recall: c.tp + c.fn === 0 ? 1 : c.tp / (c.tp + c.fn) }))
    .sort((a, b) => Number(isPiiDetector(a.detector)) - Number(isPiiDetector(b.detector)) || a.detector.localeCompare(b.detector));
  return { scores, misses };
}

export function formatScores(scores: readonly DetectorScore[]): string {
  const rows = scores.map((s) => [s.detector, String(s.tp), String(s.fp), String(s.fn), s.precision.toFixed(3), s.recall.toFixed(3)]);
  const header = ["detector", "TP", "FP", "FN", "precision", "recall"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`, ...rows.map(line)].join("\n");
}
