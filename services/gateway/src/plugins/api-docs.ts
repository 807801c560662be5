import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";
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
          apiKey: { type: "http", scheme: "bearer", description: "An API key: `Authorization: Bearer lg_...`" },
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
    // Each operation is named and tagged, so generated clients and the docs' sections are stable.
    transform: (input) => {
      const transformed = jsonSchemaTransform(input);
      if (!transformed.schema || (transformed.schema as { hide?: boolean }).hide) return transformed;
      const method = [input.route.method].flat()[0] ?? "GET";
      const { operationId, tag } = operationOf(method, input.url);
      // Liveness and signing in need no credentials: say so instead of the document-wide default.
      const open = (input.route.config as { scope?: string } | undefined)?.scope === "public" ? { security: [] } : {};
      return { ...transformed, schema: { ...transformed.schema, operationId, tags: [tag], ...open } };
    },
    transformObject: (input) => withoutUnusedSchemas(jsonSchemaTransformObject(input)),
  });
  await app.register(fastifySwaggerUi, { routePrefix: DOCS_PREFIX });
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
