import type { FastifyError, FastifyInstance } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";

/** An error a route raises on purpose, with the status and the words the caller should see. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string) => new HttpError(404, `${what} ${id} was not found`);

interface FieldIssue {
  field: string;
  reason: string;
}

/** One error handler for the whole API: every error leaves as `{ statusCode, error, message, ... }`. */
export function registerErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const context = error.validationContext ?? "request";
      const issues: FieldIssue[] = error.validation.flatMap((issue) => {
        const base = [context, ...issue.instancePath.split("/").filter(Boolean)].join(".");
        const keys = (issue.params as { keys?: string[] }).keys;
        if (issue.keyword === "unrecognized_keys" && keys?.length) {
          return keys.map((key) => ({ field: `${base}.${key}`, reason: "unknown field" }));
        }
        return [{ field: base, reason: issue.message }];
      });
      return reply.status(400).send({
        statusCode: 400,
        error: "Bad Request",
        message: issues.map((i) => `${i.field}: ${i.reason}`).join("; "),
        issues,
      });
    }
    if (error instanceof HttpError) {
      return reply
        .status(error.statusCode)
        .send({ statusCode: error.statusCode, error: statusText(error.statusCode), message: error.message, ...error.details });
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    const headers = (error as { headers?: Record<string, string> }).headers;
    if (status === 429 && headers) reply.headers(headers);
    if (status === 500) request.log.error({ err: error }, "unhandled error");
    return reply.status(status).send({
      statusCode: status,
      error: statusText(status),
      // Internal errors can carry connection strings or SQL; never echo them.
      message: status === 500 ? "Internal server error; see the gateway logs" : error.message,
    });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ statusCode: 404, error: "Not Found", message: `No route for ${request.method} ${request.url.split("?")[0]}` });
  });
}

function statusText(status: number): string {
  const names: Record<number, string> = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
  };
  return names[status] ?? "Error";
}
