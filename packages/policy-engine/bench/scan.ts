import { evaluateAll, scanDocument } from "../src/index.ts";
import { withText } from "../test/fixtures/documents.ts";
import { allPolicySpecs, documentBytes, largeTrace } from "../test/fixtures/large-trace.ts";
import { mixedText } from "../test/fixtures/mixed-text.ts";

// pnpm exec tsx packages/policy-engine/bench/scan.ts
// 1. Detector throughput: scanDocument over 1 MB of mixed text (a fresh document each run, so the
//    per-document cache never answers).
// 2. Per-trace latency: evaluateAll with every built-in and 5 custom policies on ~100 KB traces.

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const ms = (n: number) => `${n.toFixed(2)} ms`;

function scanThroughput(): void {
  const size = 1_000_000;
  const texts = Array.from({ length: 13 }, (_, i) => mixedText(i, size));
  const times: number[] = [];
  let findings = 0;
  texts.forEach((text, i) => {
    const doc = withText(text);
    const started = performance.now();
    findings = scanDocument(doc).length;
    if (i >= 3) times.push(performance.now() - started); // first runs warm the JIT
  });
  times.sort((a, b) => a - b);
  const median = percentile(times, 50);
  console.log(`scan: 1 MB mixed text, ${findings} findings/run, ${times.length} runs`);
  console.log(
    `  median ${ms(median)} → ${(size / 1e6 / (median / 1000)).toFixed(1)} MB/s (best ${(size / 1e6 / ((times[0] ?? 1) / 1000)).toFixed(1)} MB/s, worst ${(size / 1e6 / ((times.at(-1) ?? 1) / 1000)).toFixed(1)} MB/s)`,
  );
}

function traceLatency(): void {
  const specs = allPolicySpecs();
  const runs = 200;
  const docs = Array.from({ length: runs + 20 }, (_, i) => largeTrace(i));
  const bytes = documentBytes(docs[0] as (typeof docs)[number]);
  const times: number[] = [];
  let errors = 0;
  docs.forEach((doc, i) => {
    const started = performance.now();
    const results = evaluateAll(doc, specs);
    const elapsed = performance.now() - started;
    errors += results.filter((r) => "error" in r).length;
    if (i >= 20) times.push(elapsed);
  });
  times.sort((a, b) => a - b);
  console.log(
    `evaluateAll: ${(bytes / 1024).toFixed(0)} KB traces, 8 spans, ${specs.length} policies (${specs.length - 5} built-in + 5 CEL), ${runs} runs, ${errors} errors`,
  );
  console.log(`  p50 ${ms(percentile(times, 50))}  p95 ${ms(percentile(times, 95))}  p99 ${ms(percentile(times, 99))}  max ${ms(times.at(-1) ?? 0)}`);
}

scanThroughput();
traceLatency();
