// Orchestrates the embedded demo. Every step is idempotent: a second run reuses the MLflow
// data, the integration and the cursors, so it imports nothing new.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
// Where the demo keeps its MLflow data, keys, logs and pids (a test points it at a folder of its own).
const dataDir = process.env.DEMO_DATA_DIR ? path.resolve(process.env.DEMO_DATA_DIR) : path.join(root, ".data");
const runDir = path.join(dataDir, "run");
const logDir = path.join(dataDir, "logs");
const python = path.join(root, ".venv/bin/python");
const mlflowPort = Number(process.env.MLFLOW_PORT ?? 5500);
const gatewayPort = Number(process.env.PORT ?? 3000);
const mlflowUrl = `http://127.0.0.1:${mlflowPort}`;
const api = `http://127.0.0.1:${gatewayPort}`;
const INTEGRATION_NAME = "Local MLflow (demo)";
for (const dir of [runDir, logDir, path.join(dataDir, "mlflow")]) mkdirSync(dir, { recursive: true });

const children: ChildProcess[] = [];

function stopPrevious(name: string) {
  const pidFile = path.join(runDir, `${name}.pid`);
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8"));
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    // already gone
  }
}

function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  stopPrevious(name);
  const log = openSync(path.join(logDir, `${name}.log`), "a");
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", log, log], detached: true });
  writeFileSync(path.join(runDir, `${name}.pid`), String(child.pid));
  children.push(child);
  child.on("exit", (code) => {
    if (!stopping) console.error(`${name} exited with code ${code}; see .data/logs/${name}.log`);
  });
  return child;
}

async function waitFor(what: string, url: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} did not answer at ${url} within ${timeoutMs / 1000}s; see .data/logs`);
}

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
  const { createApiKey } = await import("../services/gateway/src/auth/api-keys.ts");
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
  const { hashPassword, verifyPassword } = await import("../services/gateway/src/auth/passwords.ts");
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

let stopping = false;
function stopAll() {
  stopping = true;
  for (const child of children) {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // already gone
    }
  }
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    stopAll();
    process.exit(0);
  });
}

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
    String(mlflowPort),
    "--workers",
    "1",
  ],
  { MLFLOW_SERVER_ENABLE_JOB_EXECUTION: "false" },
);
await waitFor("MLflow", `${mlflowUrl}/health`, 120_000);

console.log("==> Seeding sample agent traces through the MLflow SDK");
const seed = spawn(python, [path.join(root, "demo/seed_mlflow.py"), "--tracking-uri", mlflowUrl, "--experiment", "langguard-demo-agents"], {
  cwd: root,
  stdio: ["ignore", "pipe", "inherit"],
});
let seedOut = "";
seed.stdout.on("data", (d) => (seedOut += d));
await new Promise((resolve, reject) => seed.on("exit", (code) => (code === 0 ? resolve(null) : reject(new Error(`seeding failed (${code})`)))));
const seeded = JSON.parse(seedOut.trim().split("\n").at(-1)!) as { traces: number; seeded: boolean };
console.log(seeded.seeded ? `    wrote ${seeded.traces} traces` : "    already seeded; nothing written");

// The demo's workspace is a local MLflow server over http: an operator's explicit allowance,
// which a real deployment does not need for Databricks' own https domains.
const localSource = {
  SOURCE_ALLOW_HTTP: "true",
  SOURCE_ALLOWED_HOSTS: "127.0.0.1",
  SOURCE_ALLOWED_NETWORKS: "127.0.0.0/8",
  SOURCE_ALLOWED_PORTS: String(mlflowPort),
};
console.log("==> Starting the gateway, the trace-sync worker and the policy-evaluation worker");
// node runs the services itself (tsx only as its loader), so they receive signals directly.
start("gateway", process.execPath, ["--import", "tsx", "services/gateway/src/main.ts"], { PORT: String(gatewayPort), ...localSource });
start("trace-sync", process.execPath, ["--import", "tsx", "services/trace-sync/src/main.ts"], localSource);
start("policy-evaluation", process.execPath, ["--import", "tsx", "services/policy-evaluation/src/main.ts"], localSource);
await waitFor("The gateway", `${api}/health/live`);
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
const traces = await call<{ total: number }>("GET", `/api/traces?integrationId=${integration.id}&limit=1`);
const agents = await call<{ items: Array<{ name: string; versions: string[]; type: string; traceCount: number }> }>(
  "GET",
  `/api/agents?integrationId=${integration.id}`,
);
const spanTotal = await countSpans(integration.id);
// Policy evaluation runs right behind the sync; give it a moment to catch up with the last batch.
type Violations = { total: number; items: Array<{ severity: string; policyName: string }> };
let violations = await call<Violations>("GET", `/api/policies/violations?integrationId=${integration.id}&limit=200`);
for (let i = 0; i < 20 && violations.total === 0; i += 1) {
  await new Promise((r) => setTimeout(r, 500));
  violations = await call<Violations>("GET", `/api/policies/violations?integrationId=${integration.id}&limit=200`);
}
const byPolicy = new Map<string, number>();
for (const v of violations.items) byPolicy.set(`${v.policyName} (${v.severity})`, (byPolicy.get(`${v.policyName} (${v.severity})`) ?? 0) + 1);

console.log(`
Sync ${run.status} in ${run.durationMs} ms: fetched ${run.itemsFetched}, imported ${run.itemsIngested} new traces, updated ${run.itemsUpdated}, ${run.spansIngested} spans written.${run.errorMessage ? `\n${run.errorMessage}` : ""}
Now stored for this integration: ${traces.total} traces, ${spanTotal} spans, ${agents.items.length} agents:
${agents.items.map((a) => `  - ${a.name} ${a.versions.join(", ")} (${a.type}), ${a.traceCount} traces`).join("\n")}
Policy violations so far: ${violations.total}
${[...byPolicy].map(([policy, n]) => `  - ${policy}: ${n}`).join("\n")}

The console is running at ${api}/ : sign in as
  e-mail:   ${person.email}
  password: ${person.password}
(kept in .data/demo-user.json; add people there under Settings › Users, or with
\`pnpm admin create-user default <email> <viewer|editor|admin>\`).

The API is under ${api}/api; machines use an API key. The demo made an admin key for you
(kept in .data/demo-api-key):
  export LANGGUARD_API_KEY=${apiKey}
  curl -H "Authorization: Bearer $LANGGUARD_API_KEY" ${api}/api/traces?limit=5
  curl -H "Authorization: Bearer $LANGGUARD_API_KEY" ${api}/api/agents
  curl -H "Authorization: Bearer $LANGGUARD_API_KEY" "${api}/api/policies/violations?severity=critical"
  curl -H "Authorization: Bearer $LANGGUARD_API_KEY" ${api}/api/integrations/${integration.id}/sync/status
MLflow UI: ${mlflowUrl}   Logs: .data/logs/   Stop with Ctrl-C.`);

if (run.status === "failed") process.exitCode = 1;
if (process.env.DEMO_EXIT_AFTER_SYNC === "1") {
  stopAll();
  process.exit(process.exitCode ?? 0);
}

async function countSpans(integrationId: string): Promise<number> {
  let total = 0;
  for (let offset = 0; ; offset += 200) {
    const page = await call<{ items: Array<{ spanCount: number }>; hasMore: boolean }>(
      "GET",
      `/api/traces?integrationId=${integrationId}&limit=200&offset=${offset}`,
    );
    total += page.items.reduce((sum, t) => sum + t.spanCount, 0);
    if (!page.hasMore) return total;
  }
}
