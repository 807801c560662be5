import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  /** 0 while in flight, and for requests that were hung or dropped. */
  status: number;
  /** Epoch ms at arrival. */
  at: number;
  durationMs?: number;
}

export async function listenOnFreePort(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export async function closeServer(server: Server): Promise<void> {
  // Keep-alive sockets from clients (and hung requests) would otherwise hold close() open.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}

/** Logs a request at arrival and fills in its status when the response completes. */
export function logRequest(log: RequestLogEntry[], req: IncomingMessage, res: ServerResponse, url: URL): RequestLogEntry {
  const entry: RequestLogEntry = { method: req.method ?? "GET", path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0, at: Date.now() };
  log.push(entry);
  res.once("finish", () => {
    entry.status = res.statusCode;
    entry.durationMs = Date.now() - entry.at;
  });
  return entry;
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A sleep that `abort()` ends early, so stop() never waits on a long simulated delay. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
