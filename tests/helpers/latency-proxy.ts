import http from "node:http";
import type { AddressInfo } from "node:net";

export interface LatencyProxy {
  url: string;
  /** Requests forwarded so far, and the most that were in flight at once (from arrival to the answer's head). */
  stats(): { requests: number; maxInFlight: number };
  close(): Promise<void>;
}

/**
 * A reverse proxy in front of a local MLflow server that holds every request for `delayMs` before
 * forwarding it: a remote workspace's round trip, so that reading one stream is bound by latency,
 * as it is against Databricks, and not by the local server's CPU. It also counts what a workspace
 * would see: requests, and the most in flight at once.
 */
export interface LatencyProxyOptions {
  /**
   * A broken upstream: every trace search answered with a next-page token gets the first such
   * token instead, so a client that follows tokens blindly would read for ever.
   */
  repeatPageTokens?: boolean;
}

export async function startLatencyProxy(target: string, delayMs: number, options: LatencyProxyOptions = {}): Promise<LatencyProxy> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let requests = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let firstToken: string | undefined;
  const rewrite = (path: string | undefined, body: Buffer): Buffer => {
    if (!options.repeatPageTokens || !path?.includes("/traces/search")) return body;
    const answer = JSON.parse(body.toString("utf8")) as { next_page_token?: string };
    if (!answer.next_page_token) return body;
    firstToken ??= answer.next_page_token;
    return Buffer.from(JSON.stringify({ ...answer, next_page_token: firstToken }));
  };
  const server = http.createServer((req, res) => {
    requests += 1;
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let answered = false;
    const done = () => {
      if (answered) return;
      answered = true;
      inFlight -= 1;
    };
    res.on("close", done);
    // The request body is buffered while the delay runs, as it would be in transit.
    const body: Buffer[] = [];
    req.on("data", (chunk: Buffer) => body.push(chunk));
    req.on("end", () => {
      setTimeout(() => {
        const forwarded = http.request(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: upstream.host, "accept-encoding": "identity" },
            agent,
          },
          (answer) => {
            // Counted until the head is sent: a client's request is in flight until it has the head.
            done();
            if (!options.repeatPageTokens) {
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              answer.pipe(res);
              return;
            }
            const chunks: Buffer[] = [];
            answer.on("data", (chunk: Buffer) => chunks.push(chunk));
            answer.on("end", () => {
              const out = answer.statusCode === 200 ? rewrite(req.url, Buffer.concat(chunks)) : Buffer.concat(chunks);
              const { "transfer-encoding": _chunked, ...headers } = answer.headers;
              res.writeHead(answer.statusCode ?? 502, { ...headers, "content-length": String(out.length) });
              res.end(out);
            });
          },
        );
        forwarded.on("error", (error) => {
          if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
          res.end(`latency proxy: ${error.message}`);
        });
        forwarded.end(Buffer.concat(body));
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => ({ requests, maxInFlight }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
