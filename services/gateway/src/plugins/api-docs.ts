import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";
import { ErrorBody } from "../schemas/common.ts";
import { nameSchemas } from "../schemas/named.ts";
import { operationOf } from "./operations.ts";

/** Where Swagger UI is served; the document itself is at `${DOCS_PREFIX}/json`. */
export const DOCS_PREFIX = "/docs";

/**
 * The OpenAPI 3 document, generated from the zod schemas every route declares (bodies, params,
 * queries and responses), so the document and what the API accepts and returns cannot drift.
 * The docs describe routes and hold no data, so they are served without a key.
 */
export async function registerApiDocs(app: FastifyInstance) {
  nameSchemas();
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "LangGuard Databricks sync API",
        version: "1.0.0",
        description: "Integrations with Databricks workspaces and MLflow servers, their syncs, the imported traces and catalog, and governance policies.",
      },
      components: {
        securitySchemes: {
          apiKey: { type: "http", scheme: "bearer", description: "An API key: `Authorization: Bearer lgk_...`" },
          session: {
            type: "apiKey",
            in: "cookie",
            name: "lg_session",
            description: "A console session (POST /api/auth/login). Requests that change something also need its CSRF token in X-CSRF-Token.",
          },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: documentRoute,
    transformObject: (input) => withoutUnusedSchemas(jsonSchemaTransformObject(input)),
  });
  await app.register(fastifySwaggerUi, { routePrefix: DOCS_PREFIX });
}

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];
type TransformedSchema = Record<string, unknown> & { response?: Record<string, unknown> };

declare module "fastify" {
  interface FastifyContextConfig {
    /** Media types a response may also be served as, by status (e.g. `{ 200: ["text/csv"] }`), for the document. */
    alsoProduces?: Record<number, string[]>;
  }
}

const HeadersTooLarge = ErrorBody.describe("The URL and headers together exceed the server's 16 KB limit");

/**
 * One route's entry in the document: what its zod schemas say, plus the answers the gateway's
 * plugins give on its behalf: 413 and 415 where a body is read (the body limit and the content
 * type), 431 for a request too large to parse, no security requirement where no key is needed, and other media types a response may take.
 */
function documentRoute(input: TransformInput) {
  const { schema, route } = input as TransformInput & { route?: { config?: { scope?: string; alsoProduces?: Record<number, string[]> } } };
  // Node's HTTP parser refuses a request line and headers over its 16 KB limit before any route
  // runs (a query string of long cursors or searches can get there): every operation may answer it.
  const response = { ...(schema?.response as object), 431: HeadersTooLarge, ...(schema?.body ? { 413: ErrorBody, 415: ErrorBody } : {}) };
  const withGatewayErrors = schema ? { ...schema, response } : schema;
  const result = jsonSchemaTransform({ ...input, schema: withGatewayErrors } as TransformInput) as { schema: TransformedSchema; url: string };
  if (!result.schema || result.schema.hide) return result;
  // Each operation is named and tagged, so generated clients and the docs' sections are stable.
  const { operationId, tag } = operationOf([input.route.method].flat()[0] ?? "GET", input.url);
  Object.assign(result.schema, { operationId, tags: [tag] });
  // Liveness and signing in need no credentials: say so instead of the document-wide default.
  if (route?.config?.scope === "public") result.schema.security = [];
  for (const [status, mediaTypes] of Object.entries(route?.config?.alsoProduces ?? {})) {
    const json = result.schema.response?.[status];
    if (!json) continue;
    const content: Record<string, { schema: unknown }> = { "application/json": { schema: json } };
    for (const mediaType of mediaTypes) content[mediaType] = { schema: { type: "string" } };
    result.schema.response![status] = { description: (json as { description?: string }).description ?? "Default Response", content };
  }
  return result;
}

/**
 * Every named schema is emitted twice, as read and as written (`IntegrationInput`); only the ones
 * some operation refers to are kept, so the document lists what clients actually meet.
 */
function withoutUnusedSchemas<T>(document: T): T {
  const doc = document as { components?: { schemas?: Record<string, unknown> } };
  const schemas = doc.components?.schemas;
  if (!schemas) return document;
  const { components, ...rest } = doc;
  const text = JSON.stringify(rest);
  const used = new Set(Object.keys(schemas).filter((name) => text.includes(`"#/components/schemas/${name}"`)));
  // Named schemas may refer to each other: keep what the kept ones refer to, until nothing changes.
  for (let grew = true; grew; ) {
    grew = false;
    for (const name of Object.keys(schemas)) {
      if (used.has(name)) continue;
      if ([...used].some((kept) => JSON.stringify(schemas[kept]).includes(`"#/components/schemas/${name}"`))) {
        used.add(name);
        grew = true;
      }
    }
  }
  return { ...rest, components: { ...components, schemas: Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name))) } } as T;
}
