import { performance } from "node:perf_hooks";
import pg from "pg";
import { runScript } from "./python.ts";

export interface NaiveResult {
  batches: number;
  traces: number;
  spans: number;
  seconds: number;
  tracesPerSecond: number;
}

interface FetchedSpan {
  span_id: string;
  parent_span_id: string | null;
  name: string;
  start_time_unix_nano: number;
  end_time_unix_nano: number | null;
  status?: { code?: string };
  attributes?: Record<string, unknown>;
}

interface FetchedTrace {
  info: { trace_id: string; request_time: string; state: string; trace_location?: { mlflow_experiment?: { experiment_id?: string } } };
  data: { spans: FetchedSpan[] };
}

interface FetchedPage {
  nextPageToken: string | null;
  traces: FetchedTrace[];
}

const nsToDate = (ns: number) => new Date(Math.floor(ns / 1e6));

/**
 * The design the trace-sync worker replaces: a fresh Python process per page, run one after
 * another, and every trace and span written as its own INSERT (each its own transaction).
 * Scratch tables keep it apart from the real data; the writes are still real Postgres writes.
 */
export async function runNaive(options: {
  databaseUrl: string;
  trackingUri: string;
  experimentId: string;
  batches: number;
  pageSize?: number;
}): Promise<NaiveResult> {
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    await client.query(`
      DROP TABLE IF EXISTS naive_span, naive_trace;
      CREATE TABLE naive_trace (trace_id text PRIMARY KEY, experiment_id text, request_time timestamptz, state text, info jsonb);
      CREATE TABLE naive_span (trace_id text REFERENCES naive_trace, span_id text, parent_span_id text, name text,
        start_time timestamptz, end_time timestamptz, status text, attributes jsonb, PRIMARY KEY (trace_id, span_id));`);

    let traces = 0;
    let spans = 0;
    let batches = 0;
    let token: string | null = null;
    const started = performance.now();
    while (batches < options.batches) {
      const args = ["--tracking-uri", options.trackingUri, "--experiment-id", options.experimentId, "--page-size", String(options.pageSize ?? 100)];
      if (token) args.push("--page-token", token);
      const page = await runScript<FetchedPage>("naive_fetch.py", args);
      batches += 1;
      for (const trace of page.traces) {
        const { info } = trace;
        await client.query("INSERT INTO naive_trace VALUES ($1, $2, $3, $4, $5)", [
          info.trace_id,
          info.trace_location?.mlflow_experiment?.experiment_id ?? null,
          info.request_time,
          info.state,
          JSON.stringify(info),
        ]);
        traces += 1;
        for (const span of trace.data.spans) {
          await client.query("INSERT INTO naive_span VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", [
            info.trace_id,
            span.span_id,
            span.parent_span_id,
            span.name,
            nsToDate(span.start_time_unix_nano),
            span.end_time_unix_nano === null ? null : nsToDate(span.end_time_unix_nano),
            span.status?.code ?? null,
            JSON.stringify(span.attributes ?? {}),
          ]);
          spans += 1;
        }
      }
      token = page.nextPageToken;
      if (!token) break;
    }
    const seconds = (performance.now() - started) / 1000;
    return { batches, traces, spans, seconds, tracesPerSecond: traces / seconds };
  } finally {
    await client.end();
  }
}
