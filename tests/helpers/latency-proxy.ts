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
export async function startLatencyProxy(target: string, delayMs: number): Promise<LatencyProxy> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let requests = 0;
  let inFlight = 0;
  let maxInFlight = 0;
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
          { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host }, agent },
          (answer) => {
            // Counted until the head is sent: a client's request is in flight until it has the head.
            done();
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
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
