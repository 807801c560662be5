import type { IncomingMessage } from "node:http";
import { ApiError, type CannedResponse } from "./errors.ts";
import { readBody } from "./http.ts";

/**
 * A workspace's MLflow REST API, served by a real MLflow tracking server. Databricks hosts MLflow at
 * the same `/api/2.0/mlflow` and `/api/3.0/mlflow` paths as the open-source server; what only
 * Databricks has is the v4 trace API, answered here as MLflow's own Databricks client expects:
 * - `POST /api/4.0/mlflow/traces/search-long-running`: ENDPOINT_NOT_FOUND, as a workspace without
 *   it answers; the client then searches through the v3 API (databricks_rest_store.search_traces).
 * - `GET /api/4.0/mlflow/traces/{location}/batchGet`: the traces with their spans, from the
 *   server's own v3 batchGet. The v4 TraceInfo lacks v3's `request` and `response`, so they are
 *   dropped (the previews stay), as a workspace's answer would not carry them.
 */
export function isMlflowPath(path: string): boolean {
  return /^\/api\/[234]\.0\/mlflow\//.test(path);
}

export async function serveMlflow(server: string, req: IncomingMessage, url: URL, options: { tracesInUnityCatalog?: boolean } = {}): Promise<CannedResponse> {
  const path = url.pathname;
  // Traces stored in Unity Catalog tables are read through a SQL warehouse: without one named, the
  // workspace refuses as MLflow's Databricks store expects (databricks_rest_store._call_endpoint).
  if (options.tracesInUnityCatalog && /^\/api\/4\.0\/mlflow\/traces\/[^/]+\/batchGet$/.test(path) && !url.searchParams.get("sql_warehouse_id"))
    throw new ApiError(400, "INVALID_PARAMETER_VALUE", "Could not resolve a SQL warehouse ID for the trace location. Specify sql_warehouse_id.");
  if (path === "/api/4.0/mlflow/traces/search-long-running") throw new ApiError(404, "ENDPOINT_NOT_FOUND", `No API found for '${req.method} ${path}'`);
  const batchGet = /^\/api\/4\.0\/mlflow\/traces\/[^/]+\/batchGet$/.test(path);
  if (path.startsWith("/api/4.0/") && !batchGet) throw new ApiError(404, "ENDPOINT_NOT_FOUND", `No API found for '${req.method} ${path}'`);
  const target = batchGet ? "/api/3.0/mlflow/traces/batchGet" : path;
  const body = req.method === "GET" || req.method === "HEAD" ? undefined : await readBody(req);
  const answer = await fetch(`${server}${target}${url.search}`, {
    method: req.method,
    headers: { "content-type": req.headers["content-type"] ?? "application/json" },
    body,
  });
  let text = await answer.text();
  if (batchGet && answer.ok) {
    const parsed = JSON.parse(text) as { traces?: Array<{ trace_info: Record<string, unknown> }> };
    for (const trace of parsed.traces ?? []) {
      delete trace.trace_info.request;
      delete trace.trace_info.response;
    }
    text = JSON.stringify(parsed);
  }
  return { status: answer.status, headers: { "content-type": answer.headers.get("content-type") ?? "application/json" }, body: text };
}
