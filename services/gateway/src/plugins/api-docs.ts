import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";
import { ErrorBody } from "../schemas/common.ts";

/** Where Swagger UI is served; the document itself is at `${DOCS_PREFIX}/json`. */
export const DOCS_PREFIX = "/docs";

/**
 * The OpenAPI 3 document, generated from the zod schemas every route declares (bodies, params,
 * queries and responses), so the document and what the API accepts and returns cannot drift.
 * The docs describe routes and hold no data, so they are served without a key.
 */
export async function registerApiDocs(app: FastifyInstance) {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "LangGuard Databricks sync API",
        version: "1.0.0",
        description: "Integrations with Databricks workspaces and MLflow servers, their syncs, the imported traces and catalog, and governance policies.",
      },
      components: { securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "An API key: `Authorization: Bearer lgk_...`" } } },
      security: [{ apiKey: [] }],
    },
    transform: documentRoute,
    transformObject: jsonSchemaTransformObject,
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

/**
 * One route's entry in the document: what its zod schemas say, plus the answers the gateway's
 * plugins give on its behalf: 413 and 415 where a body is read (the body limit and the content
 * type), no security requirement where no key is needed, and other media types a response may take.
 */
function documentRoute(input: TransformInput) {
  const { schema, route } = input as TransformInput & { route?: { config?: { scope?: string; alsoProduces?: Record<number, string[]> } } };
  const withBodyErrors = schema?.body ? { ...schema, response: { ...(schema.response as object), 413: ErrorBody, 415: ErrorBody } } : schema;
  const result = jsonSchemaTransform({ ...input, schema: withBodyErrors } as TransformInput) as { schema: TransformedSchema; url: string };
  if (!result.schema || result.schema.hide) return result;
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
