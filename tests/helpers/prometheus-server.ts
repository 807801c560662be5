import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { freePort } from "./mlflow-server.ts";

/** `promtool` (Debian's prometheus package, installed by scripts/ensure-test-tools.sh). */
export function promtool(args: string[], input?: string) {
  return execa("promtool", args, { input, reject: false, all: true });
}

export interface QueryResult {
  status: "success" | "error";
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

export interface PrometheusServer {
  url: string;
  query(expr: string): Promise<QueryResult>;
  /** The scrape targets' health, by job. */
  targets(): Promise<Array<{ job: string; health: string; lastError: string }>>;
  rules(): Promise<Array<{ name: string; health: string; lastError?: string; query: string }>>;
  stop(): Promise<void>;
}

/**
 * A real Prometheus (Debian's package) on a free loopback port with its own storage, scraping
 * `targets` (job name → host:port list) every second and evaluating `ruleFiles`.
 */
export async function startPrometheus(targets: Record<string, string[]>, ruleFiles: string[] = []): Promise<PrometheusServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "langguard-prometheus-"));
  const port = await freePort();
  const config = [
    "global:",
    "  scrape_interval: 1s",
    "  evaluation_interval: 1s",
    `rule_files: ${JSON.stringify(ruleFiles)}`,
    "scrape_configs:",
    ...Object.entries(targets).flatMap(([job, hosts]) => [
      `  - job_name: ${JSON.stringify(job)}`,
      `    static_configs: [{ targets: ${JSON.stringify(hosts)} }]`,
    ]),
  ].join("\n");
  writeFileSync(path.join(dir, "prometheus.yml"), config);
  const logPath = path.join(dir, "prometheus.log");
  const child: ChildProcess = spawn(
    "prometheus",
    [`--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr!.on("data", (chunk) => (log += chunk));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    writeFileSync(logPath, log);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}):\n${log.slice(-3000)}`);
    if (
      await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready in 60 s:\n${log.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const get = async <T>(route: string): Promise<T> => (await fetch(`${url}${route}`)).json() as Promise<T>;
  return {
    url,
    query: (expr) => get<QueryResult>(`/api/v1/query?query=${encodeURIComponent(expr)}`),
    async targets() {
      const body = await get<{ data: { activeTargets: Array<{ labels: { job: string }; health: string; lastError: string }> } }>("/api/v1/targets");
      return body.data.activeTargets.map((t) => ({ job: t.labels.job, health: t.health, lastError: t.lastError }));
    },
    async rules() {
      const body = await get<{ data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string; query: string }> }> } }>(
        "/api/v1/rules",
      );
      return body.data.groups.flatMap((g) => g.rules);
    },
    stop,
  };
}

/** The metric selectors of a PromQL expression (name and label matchers), each as it is written. */
export function selectorsOf(expr: string): string[] {
  const found = new Set<string>();
  for (const match of expr.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?/g)) {
    const [whole, name] = match;
    const after = expr.slice(match.index! + whole.length).trimStart();
    // Functions, aggregations, keywords and label names are followed by "(" or are known words.
    if (after.startsWith("(") || !/^(langguard|nodejs|process)_/.test(name!)) continue;
    found.add(whole);
  }
  return [...found];
}
