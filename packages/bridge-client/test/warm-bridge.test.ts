/**
 * The warm bridge: MLflow imported once, a forked child per command holding only its own job's
 * credentials, and nothing left running when its worker dies.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BridgeClient } from "@langguard/bridge-client";
import { hostPolicyFromEnv, serializeHostPolicy } from "@langguard/host-policy";
import { childrenOf, forkServerOf } from "../../../tests/helpers/process-group.ts";
import { LOCAL_SOURCES_ENV, PYTHON_PATH } from "../../../tests/helpers/test-env.ts";

const hostPolicy = serializeHostPolicy(hostPolicyFromEnv(LOCAL_SOURCES_ENV));
const warm = () => new BridgeClient({ pythonPath: PYTHON_PATH, timeoutMs: 60_000, validationTimeoutMs: 60_000, hostPolicy, warm: true });
const cold = () => new BridgeClient({ pythonPath: PYTHON_PATH, timeoutMs: 60_000, validationTimeoutMs: 60_000, hostPolicy });

describe("warm bridge", () => {
  it("answers like a cold bridge, and a second command no longer pays for importing MLflow", async () => {
    const client = warm();
    try {
      const params = {
        selected: [inject("demoExperimentId")],
        cursors: {},
        defaultSinceMs: 0,
        skip: [],
        pageSize: 50,
        maxPayloadBytes: 262_144,
        concurrency: 2,
      };
      const source = { kind: "mlflow" as const, host: inject("mlflowUrl") };
      const read = async (c: BridgeClient) => {
        const ids: string[] = [];
        for await (const m of c.stream("stream-traces", params, source))
          if (m.type === "record" && m.stream === "traces") ids.push(String((m.data.info as { trace_id: string }).trace_id));
        return ids.sort();
      };
      const coldClient = cold();
      const expected = await read(coldClient);
      expect(expected.length).toBeGreaterThan(0);
      expect(await read(client)).toEqual(expected);
      const started = Date.now();
      expect(await read(client)).toEqual(expected);
      const warmMs = Date.now() - started;
      const coldStarted = Date.now();
      await read(coldClient);
      const coldMs = Date.now() - coldStarted;
      // Importing MLflow alone takes seconds; a fork takes milliseconds.
      expect(warmMs).toBeLessThan(coldMs);
    } finally {
      await client.close();
    }
  });

  describe("credentials", () => {
    let server: Server;
    let url: string;
    const seen: Array<{ path: string; authorization: string | undefined }> = [];
    beforeAll(async () => {
      server = createServer((req: IncomingMessage, res) => {
        seen.push({ path: req.url ?? "", authorization: req.headers.authorization });
        // Slow enough that both jobs are in flight together.
        setTimeout(() => {
          res.writeHead(401, { "content-type": "application/json" }).end('{"error_code":"UNAUTHENTICATED","message":"no"}');
        }, 300);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => server.close());

    it("gives each forked child only its own job's token, and the server none", async () => {
      const client = warm();
      try {
        const tokens = ["canary-token-aaaaaaaaaaaaaaaa", "canary-token-bbbbbbbbbbbbbbbb"];
        const jobs = tokens.map((token, i) =>
          client.request("list-experiments", {}, { kind: "mlflow", host: `${url}/job${i}`, token }).then(
            () => "ok",
            (e: Error) => e.message,
          ),
        );
        await Promise.all(jobs);
        for (const [i, token] of tokens.entries()) {
          const mine = seen.filter((r) => r.path.startsWith(`/job${i}/`));
          expect(mine.length).toBeGreaterThan(0);
          for (const request of mine) expect(request.authorization).toBe(`Bearer ${token}`);
        }
        // The long-lived server process never held a token in its environment.
        const serverPid = forkServerOf(process.pid);
        expect(serverPid).toBeDefined();
        const environ = readFileSync(`/proc/${serverPid}/environ`, "utf8");
        for (const token of tokens) expect(environ).not.toContain(token);
      } finally {
        await client.close();
      }
    });
  });

  it("leaves no bridge process behind when its worker is killed outright", async () => {
    // A worker that starts a long command through the warm bridge, then is SIGKILLed alone.
    const script = `
      import { BridgeClient } from "@langguard/bridge-client";
      const client = new BridgeClient({ pythonPath: ${JSON.stringify(PYTHON_PATH)}, timeoutMs: 600000, validationTimeoutMs: 600000, hostPolicy: ${JSON.stringify(hostPolicy)}, warm: true });
      const params = { selected: [], cursors: {}, defaultSinceMs: 0, skip: [], pageSize: 1, maxPayloadBytes: 1000, concurrency: 1 };
      for await (const m of client.stream("stream-traces", params, { kind: "mlflow", host: ${JSON.stringify(inject("mlflowUrl"))} })) {
        if (m.type === "record") { console.log("streaming"); await new Promise(() => {}); }
      }`;
    const worker = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: path.resolve(import.meta.dirname, ".."),
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      worker.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("streaming") && resolve());
      worker.once("exit", () => reject(new Error("worker ended early")));
    });
    const server = forkServerOf(worker.pid!)!;
    const forked = childrenOf(server);
    expect(forked.length).toBeGreaterThan(0);
    worker.kill("SIGKILL");
    const deadline = Date.now() + 10_000;
    const alive = () =>
      [server, ...forked].filter((pid) => {
        try {
          process.kill(pid, 0);
          return !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
        } catch {
          return false;
        }
      });
    while (alive().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(alive()).toEqual([]);
  });
});
