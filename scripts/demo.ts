// Orchestrates the embedded demo. Every step is idempotent: a second run reuses the MLflow
// data, the integration and the cursors, so it imports nothing new. A process that fails while the
// demo runs stops every process the demo started, at once, and the demo says which and why.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PYTHON_TELEMETRY_OFF } from "@langguard/bridge-client";
import { DemoFailure, portSetting, Supervisor, type DemoPort } from "./lib/supervisor.ts";

const root = path.resolve(import.meta.dirname, "..");
// Every Python process the demo starts (the MLflow server, the seeding script, the bridges) sends no telemetry.
Object.assign(process.env, PYTHON_TELEMETRY_OFF);
// DEMO_DATA_DIR: where the demo keeps its MLflow workspace, logs, key and pid files.
const dataDir = path.resolve(root, process.env.DEMO_DATA_DIR ?? ".data");
const runDir = path.join(dataDir, "run");
const logDir = path.join(dataDir, "logs");
// The local MLflow workspace's environment (demo/requirements.txt), not the bridge's.
const python = path.join(root, ".venv-mlflow/bin/python");
// Every port the demo listens on is a setting of it (README, "The demo's settings").
const ports = {
  mlflow: { setting: "MLFLOW_PORT", port: portSetting("MLFLOW_PORT", 5500), use: "the MLflow server" },
  api: { setting: "PORT", port: portSetting("PORT", 3000), use: "the gateway's API" },
  gatewayOps: { setting: "OPS_PORT", port: portSetting("OPS_PORT", 9464), use: "the gateway's ops listener (/metrics)" },
  traceSyncOps: { setting: "TRACE_SYNC_METRICS_PORT", port: portSetting("TRACE_SYNC_METRICS_PORT", 9465), use: "trace-sync's ops listener (/metrics)" },
  policyOps: {
    setting: "POLICY_EVALUATION_METRICS_PORT",
    port: portSetting("POLICY_EVALUATION_METRICS_PORT", 9466),
    use: "policy-evaluation's ops listener (/metrics)",
  },
} satisfies Record<string, DemoPort>;
const mlflowUrl = `http://127.0.0.1:${ports.mlflow.port}`;
const api = `http://127.0.0.1:${ports.api.port}`;
const INTEGRATION_NAME = "Local MLflow (demo)";
/** A path as the user should read it: relative inside the checkout, absolute outside. */
const shown = (file: string) => (file.startsWith(`${root}${path.sep}`) ? path.relative(root, file) : file);
mkdirSync(path.join(dataDir, "mlflow"), { recursive: true });

const supervisor = new Supervisor(runDir, logDir);
const PROCESSES = ["mlflow", "gateway", "trace-sync", "policy-evaluation"];
function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return supervisor.start(name, command, args, { cwd: root, env: { ...process.env, ...env } });
}

/** Stops everything the demo started, says why, and exits 1. */
async function fail(error: unknown): Promise<never> {
  console.error(
    `\nThe demo stopped: ${error instanceof DemoFailure ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  await supervisor.stopAll();
  process.exit(1);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void supervisor.stopAll().then(() => process.exit(0));
  });
}
// A process that dies at any point, during start-up or later, stops the demo.
supervisor.failed.catch(fail);
// Whatever else goes wrong (a step of the flow below throws) stops it the same way.
process.on("unhandledRejection", (error) => void fail(error));
process.on("uncaughtException", (error) => void fail(error));

let apiKey = "";

/** The demo's own admin key for the default organization: made once, kept in .data (mode 600). */
async function demoApiKey(): Promise<string> {
  const file = path.join(dataDir, "demo-api-key");
  if (existsSync(file)) {
    const saved = readFileSync(file, "utf8").trim();
    const res = await fetch(`${api}/health`, { headers: { authorization: `Bearer ${saved}` } });
    if (res.ok) return saved;
  }
  const { createPrismaClient, DEFAULT_ORGANIZATION_ID } = await import("@langguard/database");
  const { createApiKey } = await import("@langguard/accounts");
  const db = createPrismaClient({ url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/langguard", maxConnections: 1 });
  const { key } = await createApiKey(db, DEFAULT_ORGANIZATION_ID, "embedded demo", ["admin"]);
  await db.$disconnect();
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

/**
 * The demo's console user: an admin of the default organization with a generated password, made
 * once and kept in .data (mode 600) with its e-mail, so every run prints the same sign-in.
 */
async function demoUser(): Promise<{ email: string; password: string }> {
  const file = path.join(dataDir, "demo-user.json");
  const { createPrismaClient, DEFAULT_ORGANIZATION_ID } = await import("@langguard/database");
  const { hashPassword, verifyPassword } = await import("@langguard/accounts");
  const db = createPrismaClient({ url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/langguard", maxConnections: 1 });
  try {
    const saved = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { email: string; password: string }) : null;
    const email = saved?.email ?? "admin@demo.langguard.local";
    const user = await db.user.findUnique({ where: { email } });
    if (saved && user && !user.disabledAt && (await verifyPassword(user.passwordHash, saved.password))) return saved;
    const password = randomBytes(18).toString("base64").replace(/[+/=]/g, "").slice(0, 20);
    const passwordHash = await hashPassword(password);
    await db.user.upsert({
      where: { email },
      create: { email, organizationId: DEFAULT_ORGANIZATION_ID, role: "admin", passwordHash },
      update: { passwordHash, disabledAt: null, role: "admin" },
    });
    writeFileSync(file, JSON.stringify({ email, password }), { mode: 0o600 });
    return { email, password };
  } finally {
    await db.$disconnect();
  }
}

async function call<T>(method: string, route: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${apiKey}`, ...(body ? { "content-type": "application/json" } : {}) };
  const res = await fetch(`${api}${route}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${route} → ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

await supervisor.stopPrevious(PROCESSES);
await supervisor.checkPorts(Object.values(ports)).catch(fail);

console.log(`\n==> Starting a local MLflow tracking server on ${mlflowUrl}`);
start(
  "mlflow",
  python,
  [
    "-m",
    "mlflow",
    "server",
    "--backend-store-uri",
    `sqlite:///${path.join(dataDir, "mlflow/mlflow.db")}`,
    "--artifacts-destination",
    path.join(dataDir, "mlflow/artifacts"),
    "--host",
    "127.0.0.1",
    "--port",
    String(ports.mlflow.port),
    "--workers",
    "1",
  ],
  { MLFLOW_SERVER_ENABLE_JOB_EXECUTION: "false" },
);
await supervisor.waitFor("MLflow", `${mlflowUrl}/health`, 120_000);

console.log("==> Seeding sample agent traces through the MLflow SDK");
const seed = spawn(python, [path.join(root, "demo/seed_mlflow.py"), "--tracking-uri", mlflowUrl, "--experiment", "langguard-demo-agents"], {
  cwd: root,
  stdio: ["ignore", "pipe", "inherit"],
});
let seedOut = "";
seed.stdout.on("data", (d) => (seedOut += d));
await supervisor.guard(
  new Promise((resolve, reject) =>
    seed.on("exit", (code) => (code === 0 ? resolve(null) : reject(new DemoFailure(`seeding the sample traces failed (exit ${code})`)))),
  ),
);
const seeded = JSON.parse(seedOut.trim().split("\n").at(-1)!) as { traces: number; seeded: boolean };
console.log(seeded.seeded ? `    wrote ${seeded.traces} traces` : "    already seeded; nothing written");

// The demo's workspace is a local MLflow server over http: an operator's explicit allowance,
// which a real deployment does not need for Databricks' own https domains.
const localSource = {
  SOURCE_ALLOW_HTTP: "true",
  SOURCE_ALLOWED_HOSTS: "127.0.0.1",
  SOURCE_ALLOWED_NETWORKS: "127.0.0.0/8",
  SOURCE_ALLOWED_PORTS: String(ports.mlflow.port),
};
console.log("==> Starting the gateway, the trace-sync worker and the policy-evaluation worker");
// node runs the services itself (tsx only as its loader), so they receive signals directly.
start("gateway", process.execPath, ["--import", "tsx", "services/gateway/src/main.ts"], {
  PORT: String(ports.api.port),
  OPS_PORT: String(ports.gatewayOps.port),
  ...localSource,
});
start("trace-sync", process.execPath, ["--import", "tsx", "services/trace-sync/src/main.ts"], {
  METRICS_PORT: String(ports.traceSyncOps.port),
  ...localSource,
});
start("policy-evaluation", process.execPath, ["--import", "tsx", "services/policy-evaluation/src/main.ts"], {
  METRICS_PORT: String(ports.policyOps.port),
  ...localSource,
});
await supervisor.waitFor("The gateway", `${api}/health/live`);
for (const [what, port] of [
  ["trace-sync", ports.traceSyncOps.port],
  ["policy-evaluation", ports.policyOps.port],
] as const)
  await supervisor.waitFor(what, `http://127.0.0.1:${port}/livez`);
apiKey = await demoApiKey();
const person = await demoUser();

type Integration = { id: string; name: string };
const { items } = await call<{ items: Integration[] }>("GET", "/api/integrations?limit=200");
const integration =
  items.find((i) => i.name === INTEGRATION_NAME) ??
  (await call<Integration>("POST", "/api/integrations", { name: INTEGRATION_NAME, source: "mlflow", host: mlflowUrl }));
console.log(`==> Syncing integration ${integration.id}`);
const { syncRunId } = await call<{ syncRunId: string }>("POST", `/api/integrations/${integration.id}/sync`, {});

type Run = {
  status: string;
  itemsFetched: number;
  itemsIngested: number;
  itemsUpdated: number;
  spansIngested: number;
  durationMs: number;
  errorMessage: string | null;
};
let run: Run;
for (;;) {
  const history = await call<{ items: Array<Run & { id: string }> }>("GET", `/api/integrations/${integration.id}/sync/history?limit=5`);
  run = history.items.find((r) => r.id === syncRunId)!;
  if (!["queued", "running"].includes(run.status)) break;
  await new Promise((r) => setTimeout(r, 1000));
}
// `total` is counted only when asked for (count=true): over millions of traces a count costs seconds.
const traces = await call<{ total: number }>("GET", `/api/traces?integrationId=${integration.id}&limit=1&count=true`);
const agents = await call<{ items: Array<{ name: string; versions: string[]; type: string; traceCount: number }> }>(
  "GET",
  `/api/agents?integrationId=${integration.id}`,
);
const spanTotal = await countSpans(integration.id);
// Policy evaluation runs right behind the sync; give it a moment to catch up with the last batch.
type Violation = { severity: string; policyName: string };
let violations = await allViolations(integration.id);
for (let i = 0; i < 20 && violations.length === 0; i += 1) {
  await new Promise((r) => setTimeout(r, 500));
  violations = await allViolations(integration.id);
}
const byPolicy = new Map<string, number>();
for (const v of violations) byPolicy.set(`${v.policyName} (${v.severity})`, (byPolicy.get(`${v.policyName} (${v.severity})`) ?? 0) + 1);

console.log(`
Sync ${run.status} in ${run.durationMs} ms: fetched ${run.itemsFetched}, imported ${run.itemsIngested} new traces, updated ${run.itemsUpdated}, ${run.spansIngested} spans written.${run.errorMessage ? `\n${run.errorMessage}` : ""}
Now stored for this integration: ${traces.total} traces, ${spanTotal} spans, ${agents.items.length} agents:
${agents.items.map((a) => `  - ${a.name} ${a.versions.join(", ")} (${a.type}), ${a.traceCount} traces`).join("\n")}
Policy violations so far: ${violations.length}
${[...byPolicy].map(([policy, n]) => `  - ${policy}: ${n}`).join("\n")}

The console is running at ${api}/ : sign in as
  e-mail:   ${person.email}
  password: ${person.password}
(kept in ${shown(path.join(dataDir, "demo-user.json"))}; add people there under Settings › Users, or with
\`pnpm admin create-user default <email> <viewer|editor|admin>\`).

The API is under ${api}/api; machines use an API key. The demo made an admin key for you
(kept in ${shown(path.join(dataDir, "demo-api-key"))}):
  export LANGGUARD_API_KEY=${apiKey}
  curl -H "Authorization: Bearer $LANGGUARD_API_KEY" ${api}/api/traces?limit=5
  curl -H "Authorization: Bearer $LANGGUARD_API_KEY" ${api}/api/agents
  curl -H "Authorization: Bearer $LANGGUARD_API_KEY" "${api}/api/policies/violations?severity=critical"
  curl -H "Authorization: Bearer $LANGGUARD_API_KEY" ${api}/api/integrations/${integration.id}/sync/status
MLflow UI: ${mlflowUrl}   Logs: ${shown(logDir)}/   Stop with Ctrl-C.`);

if (run.status === "failed") process.exitCode = 1;
if (process.env.DEMO_EXIT_AFTER_SYNC === "1") {
  await supervisor.stopAll();
  process.exit(process.exitCode ?? 0);
}

/** Every violation of the integration, page after page by cursor (each page's nextCursor). */
async function allViolations(integrationId: string): Promise<Violation[]> {
  const all: Violation[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Violation[]; nextCursor: string | null } = await call(
      "GET",
      `/api/policies/violations?integrationId=${integrationId}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

async function countSpans(integrationId: string): Promise<number> {
  let total = 0;
  let cursor: string | null = null;
  do {
    const page: { items: Array<{ spanCount: number }>; nextCursor: string | null } = await call(
      "GET",
      `/api/traces?integrationId=${integrationId}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    total += page.items.reduce((sum, t) => sum + t.spanCount, 0);
    cursor = page.nextCursor;
  } while (cursor);
  return total;
}
