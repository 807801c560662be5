import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { ApiError, type CannedResponse } from "./errors.ts";
import { applyFault, FaultSet, type FaultHandle, type FaultRule } from "./faults.ts";
import { closeServer, listenOnFreePort, logRequest, readBody, type RequestLogEntry, sleep } from "./http.ts";
import { layouts, type SqlBehaviour, type StatementFailure, type WarehouseStateName, type WorkspaceState } from "./layout.ts";
import { isUnityCatalogSpecPath, UNITY_CATALOG_PREFIX, validateUnityCatalogResponse } from "./openapi.ts";
import type { PagingConfig } from "./pagination.ts";
import { StatementEngine, type StatementRequest, warehouseInfo } from "./sql.ts";
import { handleUnityCatalog } from "./unity-catalog.ts";
import { handleServingGenie } from "./serving-genie.ts";
import { isMlflowPath, serveMlflow } from "./mlflow.ts";
import { type ServicePrincipal, TokenIssuer, workspaceOidcMetadata, workspaceToken } from "./oauth.ts";

export interface FakeWorkspaceOptions {
  /** The PAT clients must send; generated per workspace when omitted. */
  token?: string;
  /** The workspace's contents; `layouts.multiCatalog()` when omitted. Mutable while running. */
  state?: WorkspaceState;
  /** Server-configured page size for every UC listing (the spec's "server configured value"). */
  pageSize?: number;
  whenMaxResultsOmitted?: PagingConfig["whenMaxResultsOmitted"];
  lastPageToken?: PagingConfig["lastPageToken"];
  /** Fixed delay added to every request, to behave like a remote workspace. */
  latencyMs?: number;
  /** Check every UC response against the OpenAPI spec (default true); a mismatch answers 500. */
  validate?: boolean;
  /**
   * How a wrong token is refused: 401 UNAUTHENTICATED (default), or the legacy 403 with a
   * numeric error_code and "Invalid access token." that older workspaces still send.
   */
  invalidToken?: "unauthenticated" | "legacy-403";
  /** State of the default warehouse (`warehouseId`). */
  warehouseState?: WarehouseStateName;
  /** Whether a STOPPED warehouse starts for a statement (default false: the statement FAILS). */
  warehouseAutoStart?: boolean;
  sql?: Partial<Omit<SqlBehaviour, "failTables">> & { failTables?: Record<string, string | StatementFailure> };
  /**
   * A real MLflow tracking server whose REST API this workspace serves at its MLflow paths (behind
   * the workspace's own authentication), so the workspace has experiments and traces too.
   */
  mlflow?: string;
  /** Service principals that may get OAuth tokens from this workspace's OIDC server (OAuth M2M). */
  oauth?: { principals: ServicePrincipal[]; lifetimeSeconds: number };
  /** When the PAT expires (ms since the epoch), as the token API lists it; after it, the PAT is refused as expired. */
  tokenExpiresAt?: number;
  /** The experiments' traces live in Unity Catalog tables: reading them needs a SQL warehouse id. */
  tracesInUnityCatalog?: boolean;
  /** Other issuers whose tokens the workspace accepts (Microsoft Entra ID, on Azure). */
  trustedIssuers?: TokenIssuer[];
}

export interface FakeWorkspace {
  url: string;
  token: string;
  /** Id of the warehouse every workspace starts with. */
  warehouseId: string;
  state: WorkspaceState;
  paging: PagingConfig;
  requests: RequestLogEntry[];
  /** The SQL of every statement submitted to the Statement Execution API, in order. */
  statements: string[];
  /** Spec mismatches found in the fake's own UC responses; a test should expect none. */
  contractViolations: string[];
  latencyMs: number;
  /** The workspace's own OIDC token issuer, when `oauth` was given. */
  oauth: TokenIssuer | null;
  setFault(rule: FaultRule): FaultHandle;
  clearFaults(): void;
  stop(): Promise<void>;
}

/** A `dapi`-style personal access token, made fresh so no token-shaped literal sits in the repo. */
export function generateToken(): string {
  return `dapi${randomBytes(16).toString("hex")}`;
}

export async function startFakeWorkspace(options: FakeWorkspaceOptions = {}): Promise<FakeWorkspace> {
  const state = options.state ?? layouts.multiCatalog();
  const token = options.token ?? generateToken();
  const warehouseId = [...state.warehouses.keys()][0]!;
  const warehouse = state.warehouses.get(warehouseId)!;
  if (options.warehouseState) warehouse.state = options.warehouseState;
  if (options.warehouseAutoStart !== undefined) warehouse.autoStart = options.warehouseAutoStart;
  else if (options.warehouseState === "STOPPED") warehouse.autoStart = false;
  if (options.sql) {
    const { failTables, ...rest } = options.sql;
    Object.assign(state.sql, rest);
    for (const [name, failure] of Object.entries(failTables ?? {}))
      state.sql.failTables.set(name, typeof failure === "string" ? { message: failure } : failure);
  }

  const validate = options.validate ?? true;
  const faults = new FaultSet();
  const stopping = new AbortController();
  let url = "";
  const sql = new StatementEngine(state, () => url, stopping.signal);

  const handle: FakeWorkspace = {
    url: "",
    token,
    warehouseId,
    state,
    paging: {
      pageSize: options.pageSize ?? 50,
      whenMaxResultsOmitted: options.whenMaxResultsOmitted ?? "paginate",
      lastPageToken: options.lastPageToken ?? "absent",
    },
    requests: [],
    statements: sql.executed,
    contractViolations: [],
    latencyMs: options.latencyMs ?? 0,
    oauth: options.oauth ? new TokenIssuer(options.oauth.principals, options.oauth.lifetimeSeconds) : null,
    setFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    stop: async () => {
      stopping.abort();
      await closeServer(server);
    },
  };

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      console.error("[fake-workspace] handler crashed", error);
      if (!res.headersSent) send(res, new ApiError(500, "INTERNAL_ERROR", String(error)).toResponse());
      else res.destroy();
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reqUrl = new URL(req.url ?? "/", "http://fake");
    const method = req.method ?? "GET";
    const path = reqUrl.pathname;
    logRequest(handle.requests, req, res, reqUrl);
    await sleep(handle.latencyMs, stopping.signal);

    const fault = faults.take(method, path);
    if (fault && (await applyFault(fault, req, res, path, stopping.signal))) return;

    if (path === "/.well-known/databricks-config") {
      // databricks-sdk probes this (unauthenticated) while building its config.
      return send(res, json(200, { oidc_endpoint: `${url}/oidc`, workspace_id: state.workspaceId, cloud: "aws" }));
    }
    if (handle.oauth && method === "GET" && path === "/oidc/.well-known/oauth-authorization-server") return send(res, workspaceOidcMetadata(url));
    if (handle.oauth && method === "POST" && path === "/oidc/v1/token") return send(res, await workspaceToken(req, handle.oauth));
    if (path.startsWith("/_fake_cloud_storage/statements/")) return send(res, cloudStorage(req, path));
    if (!path.startsWith("/api/")) return send(res, htmlNotFound(path));

    const auth = req.headers.authorization;
    const bearer = auth?.startsWith("Bearer ") ? auth.slice(7) : "";
    const principal = bearer ? [handle.oauth, ...(options.trustedIssuers ?? [])].map((issuer) => issuer?.check(bearer) ?? null).find((p) => p !== null) : null;
    if (principal === "expired") return send(res, new ApiError(401, "UNAUTHENTICATED", "Token is expired.").toResponse());
    if (principal && principal.inWorkspace === false)
      // Databricks' words for a principal with a valid token that the workspace has no identity for.
      return send(res, new ApiError(401, "UNAUTHENTICATED", `Service principal ${principal.clientId} is not part of this workspace.`).toResponse());
    if (auth === `Bearer ${token}` && options.tokenExpiresAt !== undefined && Date.now() >= options.tokenExpiresAt)
      return send(res, new ApiError(401, "UNAUTHENTICATED", "Token is expired.").toResponse());
    if (auth !== `Bearer ${token}` && !principal) {
      if (auth?.startsWith("Bearer ") && options.invalidToken === "legacy-403") {
        return send(res, {
          ...json(403, { error_code: 403, message: "Invalid access token." }),
          headers: { "content-type": "application/json; charset=utf-8", "x-databricks-reason-phrase": "Invalid access token." },
        });
      }
      return send(
        res,
        new ApiError(
          401,
          "UNAUTHENTICATED",
          auth ? "Invalid access token." : "Credential was not sent or was of an unsupported type for this API.",
        ).toResponse(),
      );
    }
    const denial = state.denials.find(
      (d) =>
        (!d.method || d.method === method) &&
        (typeof d.path === "string" ? d.path === path : d.path.test(path)) &&
        Object.entries(d.query ?? {}).every(([k, v]) => reqUrl.searchParams.get(k) === v),
    );
    if (denial)
      return send(
        res,
        new ApiError(403, "PERMISSION_DENIED", denial.message ?? `User ${state.user.userName} does not have permission to access ${path}.`).toResponse(),
      );

    // Service principal secrets proxy: the calling principal's secrets (SecretInfo), never their values.
    if (method === "GET" && /^\/api\/2\.0\/accounts\/servicePrincipals\/[^/]+\/credentials\/secrets$/.test(path) && principal) {
      const secrets = [
        {
          id: "secret-1",
          status: "ACTIVE",
          secret_hash: "fake",
          create_time: new Date(Date.now() - 30 * 86_400_000).toISOString(),
          ...(principal.secretExpiresAt ? { expire_time: new Date(principal.secretExpiresAt).toISOString() } : {}),
        },
      ];
      return send(res, { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ secrets }) });
    }
    let answer: CannedResponse;
    try {
      answer =
        options.mlflow && isMlflowPath(path)
          ? await serveMlflow(options.mlflow, req, reqUrl, { tracesInUnityCatalog: options.tracesInUnityCatalog })
          : json(200, await route(method, path, reqUrl.searchParams, req));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      answer = error.toResponse();
    }
    if (validate && path.startsWith(`${UNITY_CATALOG_PREFIX}/`) && isUnityCatalogSpecPath(method, path)) answer = checkContract(method, path, answer);
    send(res, answer);
  }

  async function route(method: string, path: string, query: URLSearchParams, req: IncomingMessage): Promise<unknown> {
    if (path.startsWith(`${UNITY_CATALOG_PREFIX}/`)) {
      if (method !== "GET")
        throw new ApiError(501, "NOT_IMPLEMENTED", `The fake workspace serves Unity Catalog read-only; ${method} ${path} is not implemented.`);
      return handleUnityCatalog(state, path.slice(UNITY_CATALOG_PREFIX.length), query, handle.paging);
    }
    if (method === "GET" && path === "/api/2.0/preview/scim/v2/Me") return scimMe(state);
    // Token API 2.0 `GET /token/list`: the caller's own tokens (PublicTokenInfo), never their values.
    if (method === "GET" && path === "/api/2.0/token/list")
      return {
        token_infos: [{ token_id: "7f0c1e", creation_time: Date.now() - 80 * 86_400_000, expiry_time: options.tokenExpiresAt ?? -1, comment: "langguard" }],
      };
    const servingOrGenie = handleServingGenie(state, method, path, query, url);
    if (servingOrGenie !== undefined) return servingOrGenie;
    if (method === "GET" && path === "/api/2.0/sql/warehouses")
      return { warehouses: [...state.warehouses.values()].map((w) => warehouseInfo(w, new URL(url).host)) };
    const warehouseMatch = /^\/api\/2\.0\/sql\/warehouses\/([^/]+)$/.exec(path);
    if (method === "GET" && warehouseMatch) return warehouseInfo(sql.warehouse(decodeURIComponent(warehouseMatch[1]!)), new URL(url).host);
    if (method === "POST" && path === "/api/2.0/sql/statements") return sql.execute(await jsonBody<StatementRequest>(req));
    const statement = /^\/api\/2\.0\/sql\/statements\/([^/]+)(\/cancel|\/result\/chunks\/(\d+))?$/.exec(path);
    if (statement) {
      const id = decodeURIComponent(statement[1]!);
      if (method === "GET" && !statement[2]) return sql.get(id);
      if (method === "POST" && statement[2] === "/cancel") return sql.cancel(id);
      if (method === "GET" && statement[3] !== undefined) return sql.chunk(id, Number(statement[3]));
    }
    throw new ApiError(404, "ENDPOINT_NOT_FOUND", `No API found for '${method} ${path}'`);
  }

  function checkContract(method: string, path: string, answer: CannedResponse): CannedResponse {
    const errors = validateUnityCatalogResponse(method, path, answer.status, JSON.parse(answer.body));
    if (!errors.length) return answer;
    handle.contractViolations.push(...errors);
    console.error(`[fake-workspace] CONTRACT VIOLATION: the fake's own response breaks the Unity Catalog spec:\n  ${errors.join("\n  ")}`);
    return new ApiError(500, "FAKE_CONTRACT_VIOLATION", `Fake workspace response failed OpenAPI validation: ${errors.join("; ")}`).toResponse();
  }

  function cloudStorage(req: IncomingMessage, path: string): CannedResponse {
    // Presigned URLs reject a second auth mechanism; clients must drop the Databricks token.
    if (req.headers.authorization) {
      return {
        status: 400,
        headers: { "content-type": "application/xml" },
        body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified</Message></Error>',
      };
    }
    const id = path.split("/")[3] ?? "";
    const chunk = sql.externalChunk(decodeURIComponent(id));
    if (!chunk)
      return {
        status: 404,
        headers: { "content-type": "application/xml" },
        body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>',
      };
    return { status: 200, headers: { "content-type": chunk.contentType }, body: chunk.body };
  }

  function send(res: ServerResponse, answer: CannedResponse): void {
    res.writeHead(answer.status, {
      ...answer.headers,
      "content-length": String(Buffer.byteLength(answer.body)),
      "x-databricks-org-id": state.workspaceId,
      "x-request-id": randomUUID(),
    });
    res.end(answer.body);
  }

  url = await listenOnFreePort(server);
  handle.url = url;
  return handle;
}

function json(status: number, body: unknown): CannedResponse {
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

async function jsonBody<T>(req: IncomingMessage): Promise<T> {
  const raw = (await readBody(req)).toString("utf8");
  try {
    return (raw ? JSON.parse(raw) : {}) as T;
  } catch {
    throw new ApiError(400, "MALFORMED_REQUEST", `Invalid JSON given in the body of the request - failed to parse: ${raw.slice(0, 100)}`);
  }
}

function htmlNotFound(path: string): CannedResponse {
  return {
    status: 404,
    headers: { "content-type": "text/html;charset=utf-8" },
    body: `<html><head><title>Error 404 Not Found</title></head><body><h2>HTTP ERROR 404</h2><p>Problem accessing ${path.replace(/[<>&]/g, "")}. Reason:<pre>    Not Found</pre></p></body></html>`,
  };
}

/** SCIM 2.0 User as `GET /api/2.0/preview/scim/v2/Me` returns it. */
function scimMe(state: WorkspaceState) {
  const u = state.user;
  const [givenName, ...family] = u.displayName.split(" ");
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:workspace:2.0:User"],
    id: u.id,
    userName: u.userName,
    displayName: u.displayName,
    name: { givenName, familyName: family.join(" ") },
    emails: [{ type: "work", value: u.userName, primary: true }],
    active: u.active,
    groups: u.groups.map((g, i) => ({ display: g, type: "direct", value: String(900000000000 + i), $ref: `Groups/${900000000000 + i}` })),
    entitlements: [{ value: "workspace-access" }, { value: "databricks-sql-access" }],
  };
}
