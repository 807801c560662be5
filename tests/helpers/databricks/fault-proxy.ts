import { Agent, createServer, type IncomingHttpHeaders, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { errorBody } from "./errors.ts";
import { applyFault, FaultSet, type FaultHandle, type FaultRule } from "./faults.ts";
import { closeServer, listenOnFreePort, logRequest, type RequestLogEntry, sleep } from "./http.ts";

export interface FaultProxyOptions {
  /** Base URL of the real server, e.g. an MLflow tracking server's `http://127.0.0.1:5000`. */
  target: string;
  /** Fixed delay added before each request is forwarded. */
  latencyMs?: number;
  /**
   * Answers 401 to any request without `Authorization: Bearer <this token>`, as a gateway in
   * front of a self-hosted MLflow server does; the header is not forwarded.
   */
  requireBearer?: string;
}

export interface FaultProxy {
  url: string;
  requests: RequestLogEntry[];
  latencyMs: number;
  setFault(rule: FaultRule): FaultHandle;
  clearFaults(): void;
  stop(): Promise<void>;
}

// Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection and must not be forwarded.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

function forwardable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
  return out;
}

/**
 * A streaming reverse proxy that can misbehave on demand. It sits in benchmark paths, so bodies
 * are piped (never buffered) over a keep-alive pool with Nagle off.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true, maxSockets: 256, scheduling: "lifo" });
  const faults = new FaultSet();
  const stopping = new AbortController();

  const handle: FaultProxy = {
    url: "",
    requests: [],
    latencyMs: options.latencyMs ?? 0,
    setFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    stop: async () => {
      stopping.abort();
      await closeServer(server);
      agent.destroy();
    },
  };

  const server = createServer({ noDelay: true, keepAlive: true }, (req, res) => {
    proxy(req, res).catch(() => res.destroy());
  });

  async function proxy(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://proxy");
    const method = req.method ?? "GET";
    logRequest(handle.requests, req, res, url);
    if (handle.latencyMs) await sleep(handle.latencyMs, stopping.signal);
    if (options.requireBearer !== undefined) {
      if (req.headers.authorization !== `Bearer ${options.requireBearer}`) {
        const body = JSON.stringify(errorBody("UNAUTHENTICATED", "A valid bearer token is required"));
        res.writeHead(401, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "www-authenticate": "Bearer" });
        return void res.end(body);
      }
      delete req.headers.authorization;
    }
    const fault = faults.take(method, url.pathname);
    if (fault && fault.truncateAfterBytes === undefined && (await applyFault(fault, req, res, url.pathname, stopping.signal))) return;
    if (fault?.truncateAfterBytes !== undefined && fault.delayMs) await sleep(fault.delayMs, stopping.signal);
    if (stopping.signal.aborted) return void res.destroy();

    const upstream = httpRequest({
      agent,
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method,
      path: `${target.pathname.replace(/\/$/, "")}${req.url ?? "/"}`,
      headers: { ...forwardable(req.headers), host: target.host },
    });
    upstream.once("socket", (socket) => socket.setNoDelay(true));
    upstream.once("response", (up) => {
      res.writeHead(up.statusCode ?? 502, up.statusMessage, forwardable(up.headers));
      const cut = fault?.truncateAfterBytes;
      if (cut === undefined) {
        up.pipe(res);
        return;
      }
      let sent = 0;
      up.on("data", (chunk: Buffer) => {
        if (sent >= cut) return;
        const part = chunk.subarray(0, cut - sent);
        sent += part.length;
        if (sent < cut) return void res.write(part);
        // A connection lost mid-body: the client gets the headers and a short read, not a clean end.
        up.destroy();
        res.write(part, () => res.socket?.destroy());
      });
      up.on("end", () => res.end());
    });
    upstream.once("error", (error) => {
      if (res.headersSent) return void res.destroy();
      const body = JSON.stringify(errorBody("BAD_GATEWAY", `fault proxy could not reach ${target.origin}: ${error.message}`));
      res.writeHead(502, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
    // A client that gives up must not leave the upstream request running.
    res.once("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  handle.url = await listenOnFreePort(server);
  return handle;
}
