import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { CannedResponse } from "./errors.ts";
import { closeServer, listenOnFreePort, readBody } from "./http.ts";

/**
 * Token issuers for service principals, as the published contracts describe them:
 * - a Databricks workspace's OIDC server: `GET /oidc/.well-known/oauth-authorization-server`
 *   (RFC 8414 metadata) and `POST /oidc/v1/token` (RFC 6749 client credentials, the client
 *   authenticating with HTTP Basic, `scope=all-apis`);
 * - Microsoft Entra ID's v1 token endpoint `POST /{tenant}/oauth2/token` (client id and secret
 *   in the form, `resource=`), with its AADSTS error codes.
 * Tokens are short-lived on purpose, so a sync outlives one and must refresh it.
 */
export interface ServicePrincipal {
  clientId: string;
  clientSecret: string;
  /** The secret's expiry has passed: the issuer refuses it with its "expired" error. */
  secretExpired?: boolean;
  /** Whether the workspace knows the principal (default true); a stranger gets tokens but no API. */
  inWorkspace?: boolean;
  /** When the OAuth secret expires (ms since the epoch), as the secrets API lists it; never when unset. */
  secretExpiresAt?: number;
}

export interface IssuedToken {
  token: string;
  clientId: string;
  expiresAt: number;
}

export class TokenIssuer {
  readonly issued: IssuedToken[] = [];
  /** Requests that presented a token after its expiry. */
  readonly expiredUses: string[] = [];

  constructor(
    readonly principals: ServicePrincipal[],
    readonly lifetimeSeconds: number,
  ) {}

  issue(clientId: string): IssuedToken {
    const issued = { token: `fake-oauth-${randomBytes(16).toString("hex")}`, clientId, expiresAt: Date.now() + this.lifetimeSeconds * 1000 };
    this.issued.push(issued);
    return issued;
  }

  /** The principal a bearer token stands for; "expired" for a token past its life; null for none of ours. */
  check(bearer: string): ServicePrincipal | "expired" | null {
    const found = this.issued.find((t) => t.token === bearer);
    if (!found) return null;
    if (Date.now() > found.expiresAt) {
      this.expiredUses.push(found.token);
      return "expired";
    }
    return this.principals.find((p) => p.clientId === found.clientId) ?? null;
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): CannedResponse {
  return { status, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

/** RFC 8414 metadata of a workspace's OIDC server. */
export function workspaceOidcMetadata(workspaceUrl: string): CannedResponse {
  const issuer = `${workspaceUrl}/oidc`;
  return json(200, {
    issuer,
    authorization_endpoint: `${issuer}/v1/authorize`,
    token_endpoint: `${issuer}/v1/token`,
    jwks_uri: `${issuer}/jwks.json`,
    grant_types_supported: ["client_credentials", "authorization_code", "refresh_token"],
    response_types_supported: ["code", "id_token"],
    scopes_supported: ["all-apis", "offline_access", "openid", "profile", "email"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
  });
}

/** `POST /oidc/v1/token`: client credentials in an HTTP Basic header (RFC 6749 §2.3.1). */
export async function workspaceToken(req: IncomingMessage, issuer: TokenIssuer): Promise<CannedResponse> {
  const form = new URLSearchParams((await readBody(req)).toString("utf8"));
  const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "");
  const [clientId, ...rest] = basic
    ? Buffer.from(basic[1]!, "base64").toString("utf8").split(":")
    : [form.get("client_id") ?? "", form.get("client_secret") ?? ""];
  const secret = rest.join(":");
  if (form.get("grant_type") !== "client_credentials")
    return json(400, { error: "unsupported_grant_type", error_description: "grant_type must be client_credentials" });
  const principal = issuer.principals.find((p) => p.clientId === clientId && p.clientSecret === secret);
  const refuse = (description: string) => json(401, { error: "invalid_client", error_description: description }, { "www-authenticate": 'Basic realm="oidc"' });
  if (!principal) return refuse("Client authentication failed");
  if (principal.secretExpired) return refuse("Client authentication failed: the client secret has expired");
  const token = issuer.issue(clientId!);
  return json(200, { access_token: token.token, token_type: "Bearer", expires_in: issuer.lifetimeSeconds, scope: form.get("scope") ?? "all-apis" });
}

export interface FakeEntraId {
  /** Where the SDK's active directory endpoint points, e.g. http://127.0.0.1:PORT/ */
  loginUrl: string;
  issuer: TokenIssuer;
  /** Every token request: tenant and resource asked for. */
  requests: Array<{ tenant: string; resource: string | null; clientId: string | null }>;
  stop(): Promise<void>;
}

/** Microsoft Entra ID's v1 token endpoint for one tenant. */
export async function startFakeEntraId(options: { tenantId: string; principals: ServicePrincipal[]; lifetimeSeconds: number }): Promise<FakeEntraId> {
  const issuer = new TokenIssuer(options.principals, options.lifetimeSeconds);
  const requests: FakeEntraId["requests"] = [];
  const aadError = (status: number, error: string, code: number, description: string) =>
    json(status, { error, error_description: `AADSTS${code}: ${description}`, error_codes: [code], timestamp: new Date().toISOString() });
  const server = createServer((req, res) => {
    void (async () => {
      const match = /^\/([^/]+)\/oauth2\/token$/.exec(new URL(req.url ?? "/", "http://fake").pathname);
      let answer: CannedResponse;
      if (req.method !== "POST" || !match) answer = json(404, { error: "not_found" });
      else {
        const form = new URLSearchParams((await readBody(req)).toString("utf8"));
        const clientId = form.get("client_id");
        requests.push({ tenant: decodeURIComponent(match[1]!), resource: form.get("resource"), clientId });
        const known = issuer.principals.find((p) => p.clientId === clientId);
        if (decodeURIComponent(match[1]!) !== options.tenantId)
          answer = aadError(400, "invalid_request", 90002, `Tenant '${match[1]}' not found. Check to make sure you have the correct tenant ID.`);
        else if (!known)
          answer = aadError(
            400,
            "unauthorized_client",
            700016,
            `Application with identifier '${clientId}' was not found in the directory '${options.tenantId}'.`,
          );
        else if (known.clientSecret !== form.get("client_secret"))
          answer = aadError(
            401,
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
          );
        else if (known.secretExpired) answer = aadError(401, "invalid_client", 7000222, `The provided client secret keys for app '${clientId}' are expired.`);
        else {
          const token = issuer.issue(known.clientId);
          const now = Math.floor(Date.now() / 1000);
          answer = json(200, {
            token_type: "Bearer",
            expires_in: String(options.lifetimeSeconds),
            ext_expires_in: String(options.lifetimeSeconds),
            expires_on: String(now + options.lifetimeSeconds),
            not_before: String(now),
            resource: form.get("resource"),
            access_token: token.token,
          });
        }
      }
      res.writeHead(answer.status, { ...answer.headers, "content-length": String(Buffer.byteLength(answer.body)) });
      res.end(answer.body);
    })();
  });
  const url = await listenOnFreePort(server);
  return { loginUrl: `${url}/`, issuer, requests, stop: () => closeServer(server) };
}
