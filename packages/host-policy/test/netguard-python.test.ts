import { execFile } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkResolvedAddress, checkSourceUrl, defaultHostPolicy, type HostPolicy, hostPolicyFromEnv, serializeHostPolicy } from "@langguard/host-policy";
import { HOSTILE_URLS, RESOLVED_ADDRESSES, VALID_URLS } from "./corpus.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const python = path.join(root, ".venv/bin/python");
const bridgeDir = path.join(root, "python-bridge");

// Loads the guard as the bridge does, or straight from its file while the package around it is
// still being written: this test must not depend on anyone else's files.
const PRELUDE = `
import importlib.util, json, os, sys
try:
    import langguard_bridge.netguard as ng
except ImportError:
    spec = importlib.util.spec_from_file_location("langguard_netguard", os.path.join(os.environ["BRIDGE_DIR"], "langguard_bridge", "netguard.py"))
    ng = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = ng
    spec.loader.exec_module(ng)
case = json.loads(os.environ["NG_CASE"])
`;

const REQUEST = `${PRELUDE}
ng.install(ng.parse_policy(case["policy"]))
ng.install(ng.parse_policy(case["policy"]))  # a second install must change nothing
import requests
verdict = ng.check_url(case["url"], ng.parse_policy(case["policy"]))
try:
    r = requests.get(case["url"], timeout=5)
    out = {"status": r.status_code, "body": r.text, "history": [h.status_code for h in r.history]}
except Exception as e:
    out = {"error": type(e).__name__, "message": str(e), "blocked": ng.blocked_cause(e) is not None}
out["urlOk"] = verdict.ok
print(json.dumps(out))
`;

type RequestOutcome = { status?: number; body?: string; history?: number[]; error?: string; message?: string; blocked?: boolean; urlOk: boolean };

async function runPython<T>(script: string, data: unknown, extraEnv: Record<string, string> = {}): Promise<T> {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: bridgeDir, BRIDGE_DIR: bridgeDir, NG_CASE: JSON.stringify(data), ...extraEnv };
  // A proxy in the test's own environment would take every request away from our local servers.
  for (const name of ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"]) {
    if (!(name in extraEnv)) {
      delete env[name];
      delete env[name.toLowerCase()];
    }
  }
  const { stdout } = await promisify(execFile)(python, ["-c", script], { env, timeout: 30_000 });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "null") as T;
}

type Server = { server: http.Server; port: number; connections: number; requests: string[] };

async function listen(host: string, handler: (req: http.IncomingMessage, res: http.ServerResponse, self: Server) => void): Promise<Server> {
  const self: Server = {
    server: http.createServer((req, res) => {
      self.requests.push(req.url ?? "");
      handler(req, res, self);
    }),
    port: 0,
    connections: 0,
    requests: [],
  };
  self.server.on("connection", () => {
    self.connections += 1;
  });
  await new Promise<void>((resolve) => self.server.listen(0, host, resolve));
  self.port = (self.server.address() as AddressInfo).port;
  return self;
}

function policyJson(overrides: Partial<HostPolicy>): string {
  return serializeHostPolicy({ ...defaultHostPolicy(), ...overrides });
}

describe("the Python bridge's guard (netguard.py)", () => {
  let target: Server;
  let elsewhere: Server;
  let proxy: Server;

  beforeAll(async () => {
    elsewhere = await listen("127.0.0.2", (_req, res) => res.end("elsewhere"));
    target = await listen("127.0.0.1", (req, res) => {
      if (req.url === "/away") res.writeHead(302, { location: `http://127.0.0.2:${elsewhere.port}/` }).end();
      else if (req.url === "/home") res.writeHead(302, { location: "/final" }).end();
      else res.end(req.url === "/final" ? "final" : "hello");
    });
    proxy = await listen("127.0.0.1", (req, res) => res.end(`proxied ${req.url}`));
  });

  afterAll(async () => {
    for (const s of [target, elsewhere, proxy]) await new Promise((resolve) => s.server.close(resolve));
  });

  it("refuses localhost under the default policy before any byte reaches the server", async () => {
    const before = target.connections;
    const out = await runPython<RequestOutcome>(REQUEST, { policy: policyJson({}), url: `http://localhost:${target.port}/` });
    expect(out).toMatchObject({ error: "BlockedHostError", blocked: true, urlOk: false });
    expect(out.message).toBe("connection to localhost refused: resolves to a private, internal or reserved address, which is not allowed");
    expect(target.connections).toBe(before);
  });

  it("refuses at connect time a host allowed by name whose address is internal (DNS rebinding)", async () => {
    const before = target.connections;
    const policy = policyJson({ extraHosts: ["localhost"], allowHttp: true, allowedPorts: [443, target.port] });
    const out = await runPython<RequestOutcome>(REQUEST, { policy, url: `http://localhost:${target.port}/` });
    // The URL itself passes: the name is allowed. Only the address it resolves to now is not.
    expect(out).toMatchObject({ urlOk: true, error: "BlockedHostError", blocked: true });
    expect(out.message).not.toMatch(/127\.0\.0\.1|::1/);
    expect(target.connections).toBe(before);
  });

  it("connects when the operator allows the network, http and the host", async () => {
    const policy = policyJson({ extraHosts: ["127.0.0.1"], allowedNetworks: ["127.0.0.0/8"], allowHttp: true, allowedPorts: [443, target.port] });
    const out = await runPython<RequestOutcome>(REQUEST, { policy, url: `http://127.0.0.1:${target.port}/` });
    expect(out).toEqual({ status: 200, body: "hello", history: [], urlOk: true });
  });

  it("does not follow a redirect to another origin, and follows one to the same origin", async () => {
    const policy = policyJson({ extraHosts: ["127.0.0.1"], allowedNetworks: ["127.0.0.0/8"], allowHttp: true, allowedPorts: [443, target.port] });
    const away = await runPython<RequestOutcome>(REQUEST, { policy, url: `http://127.0.0.1:${target.port}/away` });
    expect(away).toMatchObject({ status: 302, history: [] });
    expect(elsewhere.connections).toBe(0);
    const home = await runPython<RequestOutcome>(REQUEST, { policy, url: `http://127.0.0.1:${target.port}/home` });
    expect(home).toMatchObject({ status: 200, body: "final", history: [302] });
  });

  it("leaves connections to the operator's proxy alone: the proxy resolves and must enforce egress", async () => {
    const out = await runPython<RequestOutcome>(
      REQUEST,
      { policy: policyJson({}), url: "http://dbc-1.cloud.databricks.com/api/2.0/ping" },
      { HTTP_PROXY: `http://127.0.0.1:${proxy.port}` },
    );
    expect(out).toMatchObject({ status: 200, body: "proxied http://dbc-1.cloud.databricks.com/api/2.0/ping" });
  });

  it("gives the same verdicts as checkSourceUrl on the whole corpus", async () => {
    const policies: HostPolicy[] = [
      defaultHostPolicy(),
      hostPolicyFromEnv({
        SOURCE_ALLOW_HTTP: "true",
        SOURCE_ALLOWED_HOSTS: "127.0.0.1,localhost,*.corp.example,::1",
        SOURCE_ALLOWED_NETWORKS: "127.0.0.0/8,10.0.0.0/8",
        SOURCE_ALLOWED_PORTS: "5000,6379",
      }),
    ];
    const urls = [
      ...HOSTILE_URLS.map(([url]) => url),
      ...VALID_URLS.map(([url]) => url),
      "http://127.0.0.1:5000",
      "http://2130706433:5000",
      "http://localhost:5000/",
      "https://mlflow.corp.example",
      "https://corp.example",
      "http://[::1]:5000",
      "http://[::ffff:127.0.0.1]:6379",
      "http://10.1.2.3",
      "https://ＤＢＣ.cloud.databricks.com",
    ];
    const script = `${PRELUDE}
out = []
for policy in case["policies"]:
    p = ng.parse_policy(policy)
    out.append([{"ok": v.ok, "reason": v.reason} for v in (ng.check_url(u, p) for u in case["urls"])])
print(json.dumps(out))
`;
    const python = await runPython<{ ok: boolean; reason: string | null }[][]>(script, { policies: policies.map(serializeHostPolicy), urls });
    policies.forEach((policy, i) => {
      const ts = urls.map((url) => {
        const result = checkSourceUrl(url, policy);
        return { url, ok: result.ok };
      });
      expect(python[i]?.map((verdict, j) => ({ url: urls[j], ok: verdict.ok }))).toEqual(ts);
    });
  });

  it("gives the same verdicts as checkResolvedAddress", async () => {
    const policies = [defaultHostPolicy(), { ...defaultHostPolicy(), allowedNetworks: ["127.0.0.0/8", "fd00::/8"] }];
    const addresses = RESOLVED_ADDRESSES.map(([address]) => address);
    const script = `${PRELUDE}
print(json.dumps([[not ng.is_blocked_address(a, ng.parse_policy(p)) for a in case["addresses"]] for p in case["policies"]]))
`;
    const python = await runPython<boolean[][]>(script, { policies: policies.map(serializeHostPolicy), addresses });
    policies.forEach((policy, i) => {
      expect(python[i]?.map((ok, j) => ({ address: addresses[j], ok }))).toEqual(
        addresses.map((address) => ({ address, ok: checkResolvedAddress(address, policy).ok })),
      );
    });
  });

  it("has the same default policy and reads the Node side's JSON", async () => {
    const script = `${PRELUDE}
print(json.dumps({"default": json.loads(ng.serialize_policy(ng.default_policy())), "absent": ng.load_policy({}) == ng.default_policy(),
                  "roundTrip": json.loads(ng.serialize_policy(ng.load_policy({"LANGGUARD_HOST_POLICY": case["policy"]})))}))
`;
    const policy = hostPolicyFromEnv({
      SOURCE_ALLOWED_HOSTS: "localhost",
      SOURCE_ALLOWED_NETWORKS: "127.0.0.0/8,fd00::/8",
      SOURCE_ALLOW_HTTP: "true",
      SOURCE_ALLOWED_PORTS: "5000",
    });
    const out = await runPython<{ default: unknown; absent: boolean; roundTrip: unknown }>(script, { policy: serializeHostPolicy(policy) });
    expect(out.default).toEqual(JSON.parse(serializeHostPolicy(defaultHostPolicy())));
    expect(out.absent).toBe(true);
    expect(out.roundTrip).toEqual(JSON.parse(serializeHostPolicy(policy)));
  });
});
