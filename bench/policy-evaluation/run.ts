/**
 * Policy-evaluation benchmark: `pnpm bench:policy-evaluation`.
 *
 * Stores BENCH_TRACES realistic traces in a fresh database, enables every built-in policy plus
 * five custom expressions, then measures in this one process: loading the traces the way the
 * worker does (the baseline), evaluating them end to end (load, evaluate, store violations), the
 * detectors' scan speed on 1 MB of text, and the p95 evaluation time of a 100 KB trace.
 * The last stdout line is one JSON object with the figures.
 */
import { performance } from "node:perf_hooks";
import { createPrismaClient, DEFAULT_ORGANIZATION_ID, type Prisma } from "@langguard/database";
import { documentOf, ensureBuiltinPolicies, loadTraces, specOf } from "@langguard/governance";
import { evaluateAll, scanText } from "@langguard/policy-engine";
import { evaluateTraces } from "../../services/policy-evaluation/src/evaluation/evaluate-traces.ts";
import { resetDatabase } from "../../tests/helpers/database.ts";
import { CUSTOM_EXPRESSIONS, prose, traceText } from "./workload.ts";

const TRACES = Number(process.env.BENCH_TRACES ?? 2_000);
const BATCH = 200;
const databaseUrl = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/langguard_bench_policy";
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const say = (line: string) => process.stdout.write(`${line}\n`);

async function seed(db: ReturnType<typeof createPrismaClient>) {
  const integration = await db.integration.create({
    data: { organizationId: DEFAULT_ORGANIZATION_ID, name: "bench", source: "mlflow", host: "http://127.0.0.1:1" },
  });
  const now = Date.now();
  for (let start = 0; start < TRACES; start += 500) {
    const traces: Prisma.TraceCreateManyInput[] = [];
    const spans: Prisma.SpanCreateManyInput[] = [];
    for (let i = start; i < Math.min(TRACES, start + 500); i += 1) {
      const id = crypto.randomUUID();
      const at = new Date(now - i * 1000);
      traces.push({
        id,
        organizationId: DEFAULT_ORGANIZATION_ID,
        integrationId: integration.id,
        externalId: `tr-${i}`,
        name: "support-agent",
        timestamp: at,
        durationMs: 1200,
        status: "OK",
        input: { question: traceText(i, 2048) },
        output: { answer: prose(2048, i + 7) },
        metadata: { "mlflow.trace.user": "user-1", ai_app_id: "support" },
        tags: { department: "support" },
        spanCount: 8,
        contentHash: String(i),
      });
      for (let s = 0; s < 8; s += 1) {
        const type = ["AGENT", "CHAIN", "RETRIEVER", "TOOL", "CHAT_MODEL", "CHAT_MODEL", "TOOL", "PARSER"][s]!;
        spans.push({
          traceId: id,
          spanId: `s${s}`,
          parentSpanId: s === 0 ? null : "s0",
          name: type === "TOOL" ? `lookup_${s}` : type.toLowerCase(),
          type,
          startTime: at,
          endTime: at,
          durationMs: 100,
          status: "OK",
          inputs: { text: traceText(i * 8 + s, 2048) },
          outputs: { text: prose(2048, i * 8 + s + 3) },
          attributes: { "agent.name": "SupportBot" },
          model: type === "CHAT_MODEL" ? "gpt-4o" : null,
          inputTokens: 500,
          outputTokens: 200,
          totalTokens: 700,
        });
      }
    }
    await db.trace.createMany({ data: traces });
    await db.span.createMany({ data: spans });
  }
}

async function main() {
  say(`policy-evaluation benchmark: ${TRACES} traces of 8 spans, 2 KB per input and output`);
  await resetDatabase(databaseUrl);
  const db = createPrismaClient({ url: databaseUrl, maxConnections: 4 });
  try {
    let t = performance.now();
    await seed(db);
    say(`seeded in ${round((performance.now() - t) / 1000, 1)} s`);
    await ensureBuiltinPolicies(db, DEFAULT_ORGANIZATION_ID);
    await db.policy.updateMany({ where: { organizationId: DEFAULT_ORGANIZATION_ID }, data: { enabled: true } });
    for (const [i, expression] of CUSTOM_EXPRESSIONS.entries()) {
      await db.policy.create({
        data: { organizationId: DEFAULT_ORGANIZATION_ID, kind: "custom", name: `custom ${i}`, category: "custom", severity: "medium", expression },
      });
    }
    const policies = await db.policy.findMany({ where: { organizationId: DEFAULT_ORGANIZATION_ID, enabled: true } });
    const ids = (await db.trace.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((r) => r.id);
    const batches = Array.from({ length: Math.ceil(ids.length / BATCH) }, (_, i) => ids.slice(i * BATCH, (i + 1) * BATCH));

    // Baseline: what evaluation cannot avoid, loading the same traces into documents.
    t = performance.now();
    for (const batch of batches) (await loadTraces(db, DEFAULT_ORGANIZATION_ID, batch)).map(documentOf);
    const loadSeconds = (performance.now() - t) / 1000;

    t = performance.now();
    let violations = 0;
    for (const batch of batches) violations += (await evaluateTraces(db, DEFAULT_ORGANIZATION_ID, batch)).violations;
    const evalSeconds = (performance.now() - t) / 1000;

    // The detectors alone on 1 MB of mixed text.
    const mb = Array.from({ length: 512 }, (_, i) => traceText(i * 33, 2048)).join("\n");
    scanText(mb);
    t = performance.now();
    for (let i = 0; i < 5; i += 1) scanText(mb);
    const scanMbPerS = (5 * Buffer.byteLength(mb)) / 2 ** 20 / ((performance.now() - t) / 1000);

    // p95 for a 100 KB trace with every policy.
    const sample = (await loadTraces(db, DEFAULT_ORGANIZATION_ID, [ids[0]!])).map(documentOf)[0]!;
    const big = {
      ...sample,
      observations: sample.observations.map((o) => ({ ...o, input: { text: prose(6_000, 1) }, output: { text: traceText(33, 6_000) } })),
      entities: { agents: {}, models: {}, tools: {}, data: {} },
      agentStats: {},
    };
    const bytes = Buffer.byteLength(JSON.stringify(big));
    const specs = policies.map(specOf);
    const times: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      // A fresh document each time: the detectors memoise their scan per document object.
      const doc = structuredClone(big);
      const start = performance.now();
      evaluateAll(doc, specs);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const p95 = times[Math.floor(times.length * 0.95)]!;

    const result = {
      traces: TRACES,
      policies: policies.length,
      eval_traces_per_s: round(TRACES / evalSeconds, 1),
      load_only_traces_per_s: round(TRACES / loadSeconds, 1),
      ratio_vs_load_only: round(loadSeconds / evalSeconds, 3),
      violations,
      scan_mb_per_s: round(scanMbPerS, 1),
      p95_trace_eval_ms: round(p95, 2),
      p95_trace_bytes: bytes,
    };
    say(
      `evaluation ${result.eval_traces_per_s} traces/s vs loading alone ${result.load_only_traces_per_s} traces/s (ratio ${result.ratio_vs_load_only}); scan ${result.scan_mb_per_s} MB/s; p95 ${result.p95_trace_eval_ms} ms for a ${Math.round(bytes / 1024)} KB trace`,
    );
    say(JSON.stringify(result));
  } finally {
    await db.$disconnect();
  }
}

await main();
process.exit(0);
