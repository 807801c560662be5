import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type { paths };

export type Schemas = components["schemas"];
export type Integration = Schemas["Integration"];
export type SyncRun = Schemas["SyncRun"];
export type ConnectionReport = Schemas["ConnectionReport"];
export type ConnectionStep = Schemas["ConnectionStep"];
export type Session = Schemas["Session"];
export type User = Schemas["User"];
export type FieldIssue = Schemas["FieldIssue"];

type Method = "get" | "post" | "patch" | "delete";
/** The JSON a route answers on success (its 200 or 201), from the document: `Ok<"/api/users", "get">`. */
export type Ok<P extends keyof paths, M extends Method & keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends { 200: { content: { "application/json": infer T } } }
    ? T
    : R extends { 201: { content: { "application/json": infer T } } }
      ? T
      : never
  : never;

export type OverviewItem = Ok<"/api/integrations/sync-overview", "get">["items"][number];
export type KindOverview = OverviewItem["traces"];
export type Sources = Ok<"/api/integrations/sources", "get">;

/**
 * The one way the console talks to the gateway: same origin, the session cookie (HttpOnly, never
 * readable here), and every request shape typed from the OpenAPI document. Writes carry the
 * session's CSRF token, kept in memory only.
 */
export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });

let csrfToken: string | null = null;
const sessionEndedListeners = new Set<() => void>();

export function setCsrfToken(token: string | null) {
  csrfToken = token;
}

/** Called when a request was refused because the session ended (idle, expired, signed out elsewhere). */
export function onSessionEnded(listener: () => void): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);
const SIGN_IN_PATHS = ["/api/auth/login", "/api/auth/password", "/api/auth/session"];

const session: Middleware = {
  onRequest({ request }) {
    if (!SAFE.has(request.method) && csrfToken) request.headers.set("x-csrf-token", csrfToken);
    return request;
  },
  onResponse({ request, response }) {
    const path = new URL(request.url).pathname;
    if (response.status === 401 && !SIGN_IN_PATHS.includes(path)) for (const listener of sessionEndedListeners) listener();
    return response;
  },
};
api.use(session);
