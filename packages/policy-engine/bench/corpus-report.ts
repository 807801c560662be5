import { formatScores, loadCorpus, scoreCorpus } from "../test/corpus/score.ts";

// pnpm exec tsx packages/policy-engine/bench/corpus-report.ts [--misses]
const entries = loadCorpus();
const { scores, misses } = scoreCorpus(entries);
console.log(`${entries.length} labelled strings; PII counted at confidence >= 0.5\n`);
console.log(formatScores(scores));
if (process.argv.includes("--misses")) for (const m of misses) console.log(m);
