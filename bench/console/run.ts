/**
 * Console benchmark: `pnpm bench:console`.
 *
 * Stores BENCH_TRACES traces (default 1,000,000) and one trace of BENCH_SPANS spans (default
 * 10,000) in a fresh database, serves the console from a real gateway, and times in Debian's
 * Chromium, with the browser's performance API, from the start of a page load:
 *   - the trace list's first page shown (its first row in the page), against the same page for an
 *     organization with no traces (the baseline, same process: what the shell and the code cost);
 *   - the big trace's page shown (the first span row) and interactive (End has moved focus to the
 *     last span), with the rows in the page and the answer's size.
 * Each is the median of BENCH_RUNS loads. The last stdout line is one JSON object with the figures.
 */
import pg from "pg";
import { resetDatabase } from "../../tests/helpers/database.ts";
import { seedTrace, spanForest } from "../../tests/helpers/traces.ts";
import { type Person, signIn, startConsole } from "../../tests/browser/harness.ts";
import { intSetting } from "../common/settings.ts";

const TRACES = intSetting("BENCH_TRACES", 1_000_000, 1);
const SPANS = intSetting("BENCH_SPANS", 10_000, 1);
const RUNS = intSetting("BENCH_RUNS", 5, 1);
const databaseUrl = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/langguard_bench_console";
const say = (line: string) => process.stdout.write(`${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Traces written in one statement per 100,000 (generate_series): a million in about a minute, indexes included. */
async function seedTraces(organizationId: string, integrationId: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (let from = 0; from < TRACES; from += 100_000) {
      const to = Math.min(TRACES, from + 100_000) - 1;
      await client.query(
        `INSERT INTO "Trace" ("organizationId", "integrationId", "externalId", name, timestamp, "durationMs", status, "inputTokens", "outputTokens", "totalTokens", "spanCount", tags, "contentHash")
         SELECT $1::uuid, $2::uuid, 'tr-' || i, 'agent run ' || (i % 1000), now() - (i || ' seconds')::interval, 1200, CASE WHEN i % 17 = 0 THEN 'ERROR' ELSE 'OK' END,
                800, 200, 1000, 8, '{"team":"support"}'::jsonb, md5(i::text)
         FROM generate_series($3::int, $4::int) AS i`,
        [organizationId, integrationId, from, to],
      );
    }
    await client.query(`ANALYZE "Trace"`);
  } finally {
    await client.end();
  }
}

async function main() {
  await resetDatabase(databaseUrl);
  const harness = await startConsole({ databaseUrl });
  try {
    const { db, organizationId } = harness.fleet;
    const integrationId = (await db.integration.create({ data: { organizationId, name: "bench", source: "mlflow", host: "http://127.0.0.1:1" } })).id;
    let started = performance.now();
    await seedTraces(organizationId, integrationId);
    const big = await seedTrace(
      db,
      { organizationId, integrationId },
      { name: "the big one", timestamp: new Date(Date.now() + 60_000), spans: spanForest(SPANS) },
    );
    say(`seeded ${TRACES.toLocaleString()} traces and one of ${SPANS.toLocaleString()} spans in ${Math.round((performance.now() - started) / 1000)} s`);
    const person = await harness.person("viewer");
    const empty = await harness.fleet.newOrganization();
    const lonely = await harness.person("viewer", empty.organizationId);

    const { page } = await harness.open();
    const listShown = async (who: Person, label: string) => {
      await signIn(page, who, "/settings/integrations");
      const times: number[] = [];
      for (let run = 0; run < RUNS; run += 1) {
        await page.goto("/traces");
        // The first row, or the empty state when the organization has none.
        await page.locator("tbody tr, .empty").first().waitFor();
        times.push((await page.evaluate("performance.now()")) as number);
      }
      say(`${label}: first page shown ${times.map(Math.round).join(", ")} ms after navigation start (median ${Math.round(median(times))})`);
      await page.context().clearCookies();
      return median(times);
    };
    const baseline = await listShown(lonely, "trace list, no traces (baseline)");
    const list = await listShown(person, `trace list, ${TRACES.toLocaleString()} traces`);

    await signIn(page, person, "/settings/integrations");
    const shown: number[] = [];
    const interactive: number[] = [];
    let rows = 0;
    let bytes = 0;
    for (let run = 0; run < RUNS; run += 1) {
      await page.goto(`/traces/${big.id}`);
      const tree = page.getByRole("tree");
      await tree.getByRole("treeitem").first().waitFor();
      shown.push((await page.evaluate("performance.now()")) as number);
      await tree.getByRole("treeitem").first().focus();
      await page.keyboard.press("End");
      await page.waitForFunction(
        `document.activeElement?.getAttribute("aria-posinset") === document.activeElement?.getAttribute("aria-setsize") && document.activeElement?.getAttribute("aria-level") === "3"`,
      );
      interactive.push((await page.evaluate("performance.now()")) as number);
      rows = await tree.getByRole("treeitem").count();
      bytes = (await page.evaluate(
        `performance.getEntriesByType("resource").filter((e) => e.name.includes("/api/traces/${big.id}?")).pop()?.encodedBodySize ?? 0`,
      )) as number;
    }
    say(
      `trace of ${SPANS.toLocaleString()} spans: shown ${shown.map(Math.round).join(", ")} ms, interactive ${interactive.map(Math.round).join(", ")} ms; ${rows} rows in the page; ${Math.round(bytes / 1024)} KB`,
    );
    say(
      JSON.stringify({
        traces: TRACES,
        spans: SPANS,
        runs: RUNS,
        traceListFirstPageMs: Math.round(list),
        traceListBaselineMs: Math.round(baseline),
        traceListRatio: Math.round((list / baseline) * 100) / 100,
        bigTraceShownMs: Math.round(median(shown)),
        bigTraceInteractiveMs: Math.round(median(interactive)),
        bigTraceRowsInPage: rows,
        bigTraceBytes: bytes,
      }),
    );
  } finally {
    await harness.close();
  }
}

await main();
