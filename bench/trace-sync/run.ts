import { intSetting } from "../common/settings.ts";
/**
 * Trace-sync benchmark: `pnpm bench:trace-sync`.
 *
 * Seeds a local MLflow server with BENCH_TRACES traces of 8 spans, then measures
 *   (a) the real gateway + trace-sync worker importing them into a fresh Postgres database,
 *   (b) the source's read limit: one warm MLflow client paging through the same traces,
 *   (c) the naive design: a Python process per page of 100 and one INSERT per row,
 * plus an incremental sync with nothing new and the peak RSS of the worker and the bridge
 * (also for twice the traces, to show it does not grow with the data), and
 *   (d) a latency profile: single-stream reads and our sync through a proxy that adds
 *       BENCH_LATENCY_MS to every request, as a remote workspace does.
 *
 * Environment: BENCH_TRACES (10000), BENCH_NAIVE_BATCHES (20), BENCH_DOUBLE (1),
 * BENCH_DATABASE_URL (postgresql://postgres@127.0.0.1:5432/langguard_bench), REDIS_URL,
 * BENCH_LOG_LEVEL (warn), BENCH_LATENCY_MS (1000; 0 skips (d)), BENCH_LATENCY_TRACES (10000, over
 * BENCH_LATENCY_EXPERIMENTS experiments, 4). The last stdout line is one JSON object with the figures.
 */
import { BenchFleet, resetDatabase, type TimedSync } from "./fleet.ts";
import { startMlflowServer, type MlflowServer } from "../../tests/helpers/mlflow-server.ts";
import { runNaive, type NaiveResult } from "./naive.ts";
import { runScript } from "./python.ts";
import { bridgeCpuSeconds, nodeCpuSeconds } from "./processes.ts";
import { PeakRssSampler, type PeakRss } from "./rss.ts";
import { startLatencyProxy } from "../../tests/helpers/latency-proxy.ts";

const settings = {
  traces: intSetting("BENCH_TRACES", 10_000, 1),
  naiveBatches: intSetting("BENCH_NAIVE_BATCHES", 20, 1),
  double: intSetting("BENCH_DOUBLE", 1, 0) !== 0,
  noopIntegrations: intSetting("BENCH_NOOP_INTEGRATIONS", 50, 0),
  latencyMs: intSetting("BENCH_LATENCY_MS", 1000, 0),
  latencyTraces: intSetting("BENCH_LATENCY_TRACES", 10_000, 1),
  latencyExperiments: intSetting("BENCH_LATENCY_EXPERIMENTS", 4, 1),
  databaseUrl: process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/langguard_bench",
  logLevel: process.env.BENCH_LOG_LEVEL ?? "warn",
};

interface SeedReport {
  seedSeconds: number;
  spansPerTrace: number;
  experiments: Array<{ name: string; experimentId: string; traces: number; spans: number }>;
}

interface ReadLimit {
  traces: number;
  spans: number;
  pages: number;
  seconds: number;
  tracesPerSecond: number;
}

interface MeasuredSync extends TimedSync {
  integrationId: string;
  rss: PeakRss;
  /** Heap still in use after a full collection: peak RSS shows V8's lazy GC, this shows retention. */
  retainedHeapMb: number | null;
  stored: { traces: number; spans: number };
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const say = (line = "") => process.stdout.write(`${line}\n`);

function expectCounts(what: string, got: { traces: number; spans: number }, traces: number, spans: number) {
  if (got.traces !== traces || got.spans !== spans) {
    throw new Error(`${what}: expected ${traces} traces and ${spans} spans, got ${got.traces} and ${got.spans}`);
  }
}

/** Allows well over the slowest rate seen on a small machine, so only a hang times out. */
const syncTimeoutMs = (traces: number) => 120_000 + traces * 100;

/** A first sync of one experiment into a new integration, with peak RSS sampled throughout. */
async function measuredSync(fleet: BenchFleet, host: string, experimentId: string, traces: number, spansPerTrace: number): Promise<MeasuredSync> {
  const integrationId = await fleet.createIntegration(host, [experimentId]);
  const sampler = new PeakRssSampler();
  sampler.start();
  let timed: TimedSync;
  try {
    timed = await fleet.syncAndTime(integrationId, syncTimeoutMs(traces));
  } finally {
    sampler.stop();
  }
  const rss = sampler.peak();
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const retainedHeapMb = gc ? round(process.memoryUsage().heapUsed / 2 ** 20, 1) : null;
  const stored = await fleet.stored(integrationId);
  expectCounts(`Postgres after syncing experiment ${experimentId}`, stored, traces, traces * spansPerTrace);
  return { ...timed, integrationId, rss, retainedHeapMb, stored };
}

/** An incremental sync expected to find nothing new, with the bridge CPU it cost. */
async function noopOf(fleet: BenchFleet, integrationId: string): Promise<{ seconds: number; cpu: number; fetched: number }> {
  const from = bridgeCpuSeconds();
  const timed = await fleet.syncAndTime(integrationId, 600_000);
  if (timed.run.itemsIngested !== 0 || timed.run.itemsUpdated !== 0) throw new Error(`the incremental sync imported something: ${JSON.stringify(timed.run)}`);
  return { seconds: timed.seconds, cpu: bridgeCpuSeconds() - from, fetched: timed.run.itemsFetched };
}

async function main() {
  const n = settings.traces;
  say(
    `trace-sync benchmark: ${n} traces${settings.double ? `, and ${2 * n} for the memory check` : ""}; naive design over ${settings.naiveBatches} batches of 100`,
  );

  let server: MlflowServer | undefined;
  let fleet: BenchFleet | undefined;
  try {
    let t = performance.now();
    server = await startMlflowServer();
    say(`MLflow server ${server.url} up in ${round((performance.now() - t) / 1000, 1)} s`);

    const perLatencyExperiment = Math.ceil(settings.latencyTraces / settings.latencyExperiments);
    const latencyTargets =
      settings.latencyMs > 0 ? Array.from({ length: settings.latencyExperiments }, (_, i) => `bench-latency-${i}=${perLatencyExperiment}`) : [];
    const targets = [`bench-${n}=${n}`, ...(settings.double ? [`bench-${2 * n}=${2 * n}`] : []), "bench-noop=20", ...latencyTargets];
    const seeded = await runScript<SeedReport>("seed_bulk.py", [
      "--tracking-uri",
      server.url,
      "--store-uri",
      server.storeUri,
      ...targets.flatMap((x) => ["--target", x]),
    ]);
    const primary = seeded.experiments.find((e) => e.name === `bench-${n}`);
    const doubled = seeded.experiments.find((e) => e.name === `bench-${2 * n}`);
    const small = seeded.experiments.find((e) => e.name === "bench-noop")!;
    const latencyExperiments = seeded.experiments.filter((e) => e.name.startsWith("bench-latency-"));
    const spansPerTrace = seeded.spansPerTrace;
    say(
      `seeded ${seeded.experiments.map((e) => `${e.traces} traces (${e.spans} spans) in experiment ${e.experimentId}`).join(", ")} in ${seeded.seedSeconds} s (not measured)`,
    );

    t = performance.now();
    await resetDatabase(settings.databaseUrl);
    say(`database ${new URL(settings.databaseUrl).pathname.slice(1)} recreated and migrated in ${round((performance.now() - t) / 1000, 1)} s`);

    fleet = await BenchFleet.start({ databaseUrl: settings.databaseUrl, logLevel: settings.logLevel, lookbackDays: 3 });

    say();
    say("(a) end-to-end sync: gateway + trace-sync worker + bridge → Postgres");
    const sync = await measuredSync(fleet, server.url, primary!.experimentId, n, spansPerTrace);
    const tracesPerSecond = n / sync.seconds;
    say(
      `    ${n} traces, ${sync.stored.spans} spans in ${round(sync.seconds)} s → ${round(tracesPerSecond, 1)} traces/s (run's own duration ${sync.run.durationMs} ms)`,
    );
    say(
      `    peak RSS: worker ${sync.rss.workerMb} MB + bridge ${sync.rss.bridgeMb} MB = ${round(sync.rss.workerMb + sync.rss.bridgeMb, 1)} MB; heap retained after GC ${sync.retainedHeapMb ?? "n/a (run node with --expose-gc)"} MB`,
    );

    const noop = await noopOf(fleet, sync.integrationId);
    say(
      `    incremental sync with nothing new (warm bridge): ${round(noop.seconds)} s, bridge CPU ${round(noop.cpu)} s (re-read ${noop.fetched} traces inside the overlap window, all unchanged)`,
    );

    // Many workspaces with nothing new, synced at once by this one worker process.
    let many: { seconds: number; cpu: number; count: number } | null = null;
    const smallIds: string[] = [];
    for (let i = 0; i < Math.max(1, settings.noopIntegrations); i += 1) smallIds.push(await fleet.createIntegration(server.url, [small.experimentId]));
    await fleet.syncAllAndTime(smallIds, 600_000);
    const smallNoop = await noopOf(fleet, smallIds[0]!);
    say(`    a 20-trace experiment with nothing new (warm bridge): ${round(smallNoop.seconds)} s, bridge CPU ${round(smallNoop.cpu)} s`);
    if (settings.noopIntegrations > 0) {
      const cpuFrom = bridgeCpuSeconds() + nodeCpuSeconds();
      const timed = await fleet.syncAllAndTime(smallIds, 600_000);
      many = { seconds: timed.seconds, cpu: bridgeCpuSeconds() + nodeCpuSeconds() - cpuFrom, count: smallIds.length };
      say(`    ${many.count} integrations with nothing new, synced at once: ${round(many.seconds)} s, ${round(many.cpu)} CPU s (bridge and worker)`);
    }

    let double: MeasuredSync | undefined;
    if (doubled) {
      double = await measuredSync(fleet, server.url, doubled.experimentId, 2 * n, spansPerTrace);
      say(`    ${2 * n} traces in ${round(double.seconds)} s → ${round((2 * n) / double.seconds, 1)} traces/s`);
      say(
        `    peak RSS at ${2 * n} traces: worker ${double.rss.workerMb} MB + bridge ${double.rss.bridgeMb} MB = ${round(double.rss.workerMb + double.rss.bridgeMb, 1)} MB; heap retained after GC ${double.retainedHeapMb ?? "n/a"} MB`,
      );
    }

    // (d) Against a remote workspace every request costs a round trip. Reading one stream page
    // after page is then bound by latency; parallel slices should hide it, up to what the server
    // itself can serve (its read limit below, measured without the proxy).
    let latency: { single: ReadLimit; sync: TimedSync; traces: number; requests: number; maxInFlight: number } | null = null;
    if (settings.latencyMs > 0) {
      say();
      say(`(d) latency profile: every request to MLflow delayed ${settings.latencyMs} ms by a proxy`);
      const proxy = await startLatencyProxy(server.url, settings.latencyMs);
      try {
        const single = await runScript<ReadLimit>("read_limit.py", [
          "--tracking-uri",
          proxy.url,
          "--experiment-id",
          latencyExperiments[0]!.experimentId,
          "--page-size",
          "100",
        ]);
        say(`    single stream: ${single.traces} traces in ${single.pages} pages, ${single.seconds} s → ${single.tracesPerSecond} traces/s`);
        const integrationId = await fleet.createIntegration(
          proxy.url,
          latencyExperiments.map((e) => e.experimentId),
        );
        const before = proxy.stats().requests;
        const traces = latencyExperiments.reduce((sum, e) => sum + e.traces, 0);
        const timed = await fleet.syncAndTime(integrationId, syncTimeoutMs(traces) + traces * settings.latencyMs);
        expectCounts("Postgres after the sync through the proxy", await fleet.stored(integrationId), traces, traces * spansPerTrace);
        const { requests, maxInFlight } = proxy.stats();
        latency = { single, sync: timed, traces, requests: requests - before, maxInFlight };
        say(
          `    our sync: ${traces} traces of ${latencyExperiments.length} experiments in ${round(timed.seconds)} s → ${round(traces / timed.seconds, 1)} traces/s (${latency.requests} requests, at most ${maxInFlight} at once)`,
        );
      } finally {
        await proxy.close();
      }
    }
    await fleet.close();
    fleet = undefined;

    // The baseline: the same no-op sync with a new interpreter per job (a fleet of its own, so a
    // new organization and integration, synced once first).
    const coldFleet = await BenchFleet.start({ databaseUrl: settings.databaseUrl, logLevel: settings.logLevel, lookbackDays: 3, bridgeMode: "cold" });
    let coldNoop: { seconds: number; cpu: number };
    try {
      const coldId = await coldFleet.createIntegration(server.url, [small.experimentId]);
      await coldFleet.syncAndTime(coldId, 600_000);
      coldNoop = await noopOf(coldFleet, coldId);
    } finally {
      await coldFleet.close();
    }
    say(`    the same 20-trace no-op with a cold bridge (a new interpreter per job): ${round(coldNoop.seconds)} s, bridge CPU ${round(coldNoop.cpu)} s`);

    say();
    say("(b) read limit: one warm MLflow client paging the same traces, spans included");
    const limit = await runScript<ReadLimit>("read_limit.py", ["--tracking-uri", server.url, "--experiment-id", primary!.experimentId, "--page-size", "100"]);
    expectCounts("search_traces on the MLflow server", limit, n, n * spansPerTrace);
    say(`    ${limit.traces} traces, ${limit.spans} spans in ${limit.seconds} s → ${limit.tracesPerSecond} traces/s`);

    say();
    say("(c) naive design: a Python process per batch of 100, one INSERT per row");
    const naive: NaiveResult = await runNaive({
      databaseUrl: settings.databaseUrl,
      trackingUri: server.url,
      experimentId: primary!.experimentId,
      batches: settings.naiveBatches,
    });
    say(
      `    ${naive.batches} batches, ${naive.traces} traces, ${naive.spans} spans in ${round(naive.seconds)} s → ${round(naive.tracesPerSecond, 1)} traces/s`,
    );

    const peak = round(sync.rss.workerMb + sync.rss.bridgeMb, 1);
    const latencyTracesPerSecond = latency ? latency.traces / latency.sync.seconds : null;
    const peakDouble = double ? round(double.rss.workerMb + double.rss.bridgeMb, 1) : null;
    const summary = {
      traces: n,
      spans: sync.stored.spans,
      traces_per_s: round(tracesPerSecond, 1),
      read_limit_traces_per_s: round(limit.tracesPerSecond, 1),
      ratio_vs_read_limit: round(tracesPerSecond / limit.tracesPerSecond, 3),
      naive_traces_per_s: round(naive.tracesPerSecond, 1),
      ratio_vs_naive: round(tracesPerSecond / naive.tracesPerSecond, 2),
      noop_sync_s: round(noop.seconds, 2),
      noop_cpu_s: round(noop.cpu, 2),
      noop_small_sync_s: round(smallNoop.seconds, 2),
      noop_small_cpu_s: round(smallNoop.cpu, 2),
      noop_cold_sync_s: round(coldNoop.seconds, 2),
      noop_cold_cpu_s: round(coldNoop.cpu, 2),
      noop_cpu_ratio_vs_cold: round(smallNoop.cpu / Math.max(coldNoop.cpu, 0.01), 3),
      noop_50_integrations_s: many ? round(many.seconds, 2) : null,
      noop_50_integrations_cpu_s: many ? round(many.cpu, 2) : null,
      noop_integrations: many?.count ?? 0,
      peak_rss_mb: peak,
      peak_rss_worker_mb: sync.rss.workerMb,
      peak_rss_bridge_mb: sync.rss.bridgeMb,
      sync_s: round(sync.seconds, 2),
      naive_traces: naive.traces,
      traces_double: double ? 2 * n : null,
      peak_rss_mb_double: peakDouble,
      peak_rss_ratio_double: peakDouble === null ? null : round(peakDouble / peak, 3),
      retained_heap_mb: sync.retainedHeapMb,
      retained_heap_mb_double: double?.retainedHeapMb ?? null,
      seed_s: seeded.seedSeconds,
      latency_ms: latency ? settings.latencyMs : null,
      latency_single_stream_traces_per_s: latency?.single.tracesPerSecond ?? null,
      latency_traces_per_s: latencyTracesPerSecond === null ? null : round(latencyTracesPerSecond, 1),
      latency_ratio_vs_single_stream: latency && latencyTracesPerSecond !== null ? round(latencyTracesPerSecond / latency.single.tracesPerSecond, 2) : null,
      latency_ratio_vs_capacity: latencyTracesPerSecond === null ? null : round(latencyTracesPerSecond / limit.tracesPerSecond, 3),
      latency_requests: latency?.requests ?? null,
      latency_max_in_flight: latency?.maxInFlight ?? null,
    };

    say();
    say("summary");
    say(
      `    sync ${summary.traces_per_s} traces/s = ${summary.ratio_vs_read_limit} × the read limit (${summary.read_limit_traces_per_s}), ${summary.ratio_vs_naive} × the naive design (${summary.naive_traces_per_s})`,
    );
    say(
      `    incremental sync with nothing new: ${summary.noop_sync_s} s and ${summary.noop_cpu_s} bridge CPU s; on 20 traces ${summary.noop_small_sync_s} s and ${summary.noop_small_cpu_s} CPU s warm, ${summary.noop_cold_sync_s} s and ${summary.noop_cold_cpu_s} CPU s cold (× ${summary.noop_cpu_ratio_vs_cold})`,
    );
    if (latency)
      say(
        `    through ${settings.latencyMs} ms of latency: ${summary.latency_traces_per_s} traces/s = ${summary.latency_ratio_vs_single_stream} × one stream (${summary.latency_single_stream_traces_per_s}), ${summary.latency_ratio_vs_capacity} × the server's capacity`,
      );
    say(
      `    peak RSS ${summary.peak_rss_mb} MB at ${n} traces` +
        (peakDouble === null ? "" : `, ${peakDouble} MB at ${2 * n} (× ${summary.peak_rss_ratio_double})`),
    );
    say(JSON.stringify(summary));
  } finally {
    await fleet?.close();
    await server?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`trace-sync benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
