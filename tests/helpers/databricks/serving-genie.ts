import { createHash } from "node:crypto";
import { ApiError, invalidParameter, notFound } from "./errors.ts";

/**
 * Model Serving endpoints and Genie spaces as the workspace serves them, following Databricks' REST
 * reference field for field:
 * - `GET /api/2.0/serving-endpoints` → `{ endpoints: ServingEndpoint[] }` (every endpoint, no pages);
 *   `GET /api/2.0/serving-endpoints/{name}` → `ServingEndpointDetailed` (adds `pending_config`,
 *   `config.auto_capture_config`, `config.traffic_config`, `endpoint_url`, `permission_level`,
 *   `route_optimized`).
 * - `GET /api/2.0/genie/spaces?page_size&page_token` → `{ spaces: GenieSpace[], next_page_token? }`
 *   (page_size defaults to 20, at most 100; the list leaves out `serialized_space`);
 *   `GET /api/2.0/genie/spaces/{space_id}?include_serialized_space=true` → `GenieSpace` with its
 *   export, which needs CAN EDIT on the space (a space the user only views answers 403).
 */

export interface ServedEntityState {
  name: string;
  /** A Unity Catalog model (`catalog.schema.model`), a foundation model (`system.ai.…`) or the external model's name. */
  entity_name?: string;
  entity_version?: string;
  foundation_model?: { name: string; display_name?: string; description?: string; docs?: string };
  /** As the API answers it: the provider's config block, with its key reference, is part of it. */
  external_model?: { provider: string; name: string; task: string } & Record<string, unknown>;
  workload_size?: string;
  scale_to_zero_enabled?: boolean;
}

export interface ServingEndpointState {
  name: string;
  id: string;
  creator: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description?: string;
  task?: string;
  state: { ready: "READY" | "NOT_READY"; config_update: "NOT_UPDATING" | "IN_PROGRESS" | "UPDATE_FAILED" | "UPDATE_CANCELED" };
  served_entities: ServedEntityState[];
  ai_gateway?: {
    usage_tracking_config?: { enabled: boolean };
    inference_table_config?: { catalog_name?: string; schema_name?: string; table_name_prefix?: string; enabled?: boolean };
    guardrails?: Record<
      "input" | "output",
      { safety?: boolean; pii?: { behavior: "NONE" | "BLOCK" | "MASK" }; invalid_keywords?: string[]; valid_topics?: string[] }
    >;
    rate_limits?: Array<{
      calls?: number;
      tokens?: number;
      key?: "user" | "endpoint" | "user_group" | "service_principal";
      principal?: string;
      renewal_period: "minute";
    }>;
  };
  auto_capture_config?: { catalog_name: string; schema_name: string; table_name_prefix: string; enabled: boolean };
  tags?: Array<{ key: string; value?: string }>;
}

export interface GenieSpaceState {
  space_id: string;
  title: string;
  description?: string;
  warehouse_id: string;
  parent_path?: string;
  /** Full names of the Unity Catalog tables the space's data sources name. */
  tables: string[];
  metric_views?: string[];
  create_time: string;
  update_time: string;
  /** The user only views the space: its export (and so its tables) answers 403. */
  viewOnly?: boolean;
}

const AT = Date.UTC(2024, 1, 1, 12, 0, 0);

/** A 32-hex id derived from a name, as Databricks' endpoint and space ids look, stable across rebuilds. (layout.ts imports this module's types, so its stableId is not imported here.) */
function stableId(...parts: string[]): string {
  return createHash("sha1").update(parts.join("\u0000")).digest("hex").slice(0, 32);
}

export function makeServingEndpoint(name: string, init: Partial<ServingEndpointState> = {}): ServingEndpointState {
  return {
    name,
    id: stableId("serving-endpoint", name),
    creator: "fake.user@example.com",
    creation_timestamp: AT,
    last_updated_timestamp: AT + 60_000,
    state: { ready: "READY", config_update: "NOT_UPDATING" },
    served_entities: [],
    ...init,
  };
}

export function makeGenieSpace(title: string, tables: string[], init: Partial<GenieSpaceState> = {}): GenieSpaceState {
  return {
    space_id: stableId("genie-space", title),
    title,
    warehouse_id: "fake0123456789ab",
    tables,
    // RFC 3339 without fractional seconds, as the API writes it.
    create_time: new Date(AT).toISOString().replace(".000Z", "Z"),
    update_time: new Date(AT + 120_000).toISOString().replace(".000Z", "Z"),
    ...init,
  };
}

/** An agent deployed with `databricks.agents.deploy` (a custom model with a chat agent task), with an inference table. */
export const sampleEndpoints = {
  agent: (name = "support-agent") =>
    makeServingEndpoint(name, {
      task: "agent/v1/chat",
      served_entities: [
        { name: "support_agent-3", entity_name: "main.agents.support_agent", entity_version: "3", workload_size: "Small", scale_to_zero_enabled: true },
      ],
      ai_gateway: { inference_table_config: { catalog_name: "main", schema_name: "agents", table_name_prefix: "support_agent", enabled: true } },
    }),
  foundation: (name = "databricks-meta-llama-3-3-70b-instruct") =>
    makeServingEndpoint(name, {
      task: "llm/v1/chat",
      served_entities: [
        {
          name: "databricks-meta-llama-3-3-70b-instruct",
          entity_name: "system.ai.meta_llama_v3_3_70b_instruct",
          entity_version: "1",
          foundation_model: { name: "databricks-meta-llama-3-3-70b-instruct", display_name: "Meta Llama 3.3 70B Instruct" },
        },
      ],
      ai_gateway: {
        usage_tracking_config: { enabled: true },
        guardrails: { input: { safety: true, pii: { behavior: "BLOCK" }, invalid_keywords: ["secret"] }, output: { pii: { behavior: "MASK" } } },
        rate_limits: [{ calls: 100, key: "user", renewal_period: "minute" }],
      },
      tags: [
        { key: "team", value: "platform" },
        { key: "cost-center", value: "cc-42" },
      ],
    }),
  external: (name = "openai-gpt") =>
    makeServingEndpoint(name, {
      task: "llm/v1/chat",
      served_entities: [
        {
          name: "gpt-4o",
          external_model: {
            provider: "openai",
            name: "gpt-4o",
            task: "llm/v1/chat",
            // What the API answers: a secret reference (never to be stored by the sync).
            openai_config: { openai_api_key: "{{secrets/llm/openai_key}}" },
          },
        },
      ],
    }),
};

function page<T>(items: T[], query: URLSearchParams, defaultSize: number, maxSize: number): { items: T[]; next?: string } {
  const rawSize = query.get("page_size");
  const size = rawSize === null ? defaultSize : Number(rawSize);
  if (!Number.isInteger(size) || size < 0) throw invalidParameter(`page_size must be a non-negative integer, got '${rawSize}'`);
  if (size > maxSize) throw invalidParameter(`page_size must be at most ${maxSize}`);
  const token = query.get("page_token");
  const offset = token ? Number(Buffer.from(token, "base64url").toString("utf8")) : 0;
  if (!Number.isInteger(offset) || offset < 0) throw invalidParameter(`Invalid page token: ${token}`);
  const take = size === 0 ? defaultSize : size;
  const slice = items.slice(offset, offset + take);
  const nextOffset = offset + slice.length;
  return { items: slice, ...(nextOffset < items.length ? { next: Buffer.from(String(nextOffset)).toString("base64url") } : {}) };
}

function endpointSummary(e: ServingEndpointState) {
  return {
    name: e.name,
    id: e.id,
    creator: e.creator,
    creation_timestamp: e.creation_timestamp,
    last_updated_timestamp: e.last_updated_timestamp,
    ...(e.description !== undefined ? { description: e.description } : {}),
    ...(e.task !== undefined ? { task: e.task } : {}),
    state: e.state,
    // The list's summary: each served entity's name, entity and model, without its scaling.
    config: {
      served_entities: e.served_entities.map(({ workload_size: _w, scale_to_zero_enabled: _s, ...entity }) => entity),
    },
    ...(e.ai_gateway ? { ai_gateway: e.ai_gateway } : {}),
    ...(e.tags ? { tags: e.tags } : {}),
  };
}

function endpointDetailed(e: ServingEndpointState, base: string) {
  const summary = endpointSummary(e);
  return {
    ...summary,
    config: {
      served_entities: e.served_entities.map((entity) => ({
        ...entity,
        state: { deployment: "DEPLOYMENT_READY" },
        creator: e.creator,
        creation_timestamp: e.creation_timestamp,
      })),
      traffic_config: {
        routes: e.served_entities.map((entity) => ({ served_model_name: entity.name, traffic_percentage: Math.floor(100 / e.served_entities.length) })),
      },
      ...(e.auto_capture_config
        ? { auto_capture_config: { ...e.auto_capture_config, state: { payload_table: { name: `${e.auto_capture_config.table_name_prefix}_payload` } } } }
        : {}),
      config_version: 1,
    },
    permission_level: "CAN_VIEW",
    route_optimized: false,
    endpoint_url: `${base}/serving-endpoints/${encodeURIComponent(e.name)}/invocations`,
  };
}

function spaceView(s: GenieSpaceState, withExport: boolean) {
  const view = {
    space_id: s.space_id,
    title: s.title,
    ...(s.description !== undefined ? { description: s.description } : {}),
    warehouse_id: s.warehouse_id,
    ...(s.parent_path !== undefined ? { parent_path: s.parent_path } : {}),
    create_time: s.create_time,
    update_time: s.update_time,
  };
  if (!withExport) return view;
  const serialized = {
    version: 2,
    config: { sample_questions: [{ id: stableId("q", s.space_id), question: [`What is in ${s.title}?`] }] },
    data_sources: {
      tables: s.tables.map((identifier) => ({ identifier })),
      ...(s.metric_views?.length ? { metric_views: s.metric_views.map((identifier) => ({ identifier })) } : {}),
    },
  };
  return { ...view, serialized_space: JSON.stringify(serialized) };
}

/** Serves the serving-endpoints and Genie spaces paths; undefined for any other path. */
export function handleServingGenie(
  state: { servingEndpoints: Map<string, ServingEndpointState>; genieSpaces: Map<string, GenieSpaceState>; user: { userName: string } },
  method: string,
  path: string,
  query: URLSearchParams,
  base: string,
): unknown {
  if (method !== "GET") return undefined;
  if (path === "/api/2.0/serving-endpoints") return { endpoints: [...state.servingEndpoints.values()].map(endpointSummary) };
  const endpoint = /^\/api\/2\.0\/serving-endpoints\/([^/]+)$/.exec(path);
  if (endpoint) {
    const name = decodeURIComponent(endpoint[1]!);
    const e = state.servingEndpoints.get(name);
    if (!e) throw notFound("RESOURCE_DOES_NOT_EXIST", `Endpoint with name '${name}' does not exist.`);
    return endpointDetailed(e, base);
  }
  if (path === "/api/2.0/genie/spaces") {
    const p = page([...state.genieSpaces.values()], query, 20, 100);
    return { spaces: p.items.map((s) => spaceView(s, false)), ...(p.next ? { next_page_token: p.next } : {}) };
  }
  const space = /^\/api\/2\.0\/genie\/spaces\/([^/]+)$/.exec(path);
  if (space) {
    const id = decodeURIComponent(space[1]!);
    const s = state.genieSpaces.get(id);
    if (!s) throw notFound("RESOURCE_DOES_NOT_EXIST", `Genie space ${id} does not exist.`);
    const withExport = query.get("include_serialized_space") === "true";
    if (withExport && s.viewOnly)
      throw new ApiError(403, "PERMISSION_DENIED", `User ${state.user.userName} does not have Can Edit permissions on the space ${id}.`);
    return spaceView(s, withExport);
  }
  return undefined;
}
