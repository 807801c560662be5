import { randomUUID } from "node:crypto";

/**
 * Databricks' error envelope: a string `error_code`, a `message`, and `details` carrying the
 * request id (docs.databricks.com/api/workspace/errors). Clients should branch on `error_code`.
 */
export interface DatabricksErrorBody {
  error_code: string | number;
  message: string;
  details?: Array<Record<string, unknown>>;
}

export function errorBody(errorCode: string | number, message: string): DatabricksErrorBody {
  return {
    error_code: errorCode,
    message,
    details: [{ "@type": "type.googleapis.com/google.rpc.RequestInfo", request_id: randomUUID(), serving_data: "" }],
  };
}

export interface CannedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const DEFAULT_CODES: Record<number, [string, string]> = {
  400: ["INVALID_PARAMETER_VALUE", "Invalid request."],
  401: ["UNAUTHENTICATED", "Credential was not sent or was of an unsupported type for this API."],
  403: ["PERMISSION_DENIED", "User does not have permission to perform this operation."],
  409: ["RESOURCE_CONFLICT", "The request conflicts with the current state of the resource."],
  429: ["REQUEST_LIMIT_EXCEEDED", "Too many requests. Please wait and retry."],
  500: ["INTERNAL_ERROR", "Internal error occurred."],
  501: ["NOT_IMPLEMENTED", "This API is not implemented."],
  503: ["TEMPORARILY_UNAVAILABLE", "The service is temporarily unavailable. Please retry."],
};

/**
 * What a fault answers when the rule gives no body: the JSON envelope for API-level errors, and
 * the HTML page the front door serves for 404/502/504 (no JSON there in real life, so clients
 * must cope with a non-JSON error body).
 */
export function defaultErrorResponse(status: number, path: string): CannedResponse {
  if (status === 404 || status === 502 || status === 504) {
    const reason = status === 404 ? "Not Found" : status === 502 ? "Bad Gateway" : "Gateway Timeout";
    const body = `<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>\n<title>Error ${status} ${reason}</title>\n</head>\n<body><h2>HTTP ERROR ${status}</h2>\n<p>Problem accessing ${escapeHtml(path)}. Reason:\n<pre>    ${reason}</pre></p>\n</body>\n</html>\n`;
    return { status, headers: { "content-type": "text/html;charset=utf-8" }, body };
  }
  const [code, message] = DEFAULT_CODES[status] ?? [status >= 500 ? "INTERNAL_ERROR" : "BAD_REQUEST", `HTTP ${status}`];
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(errorBody(code, message)) };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

/** Thrown by route handlers; the server turns it into the Databricks envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string | number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toResponse(): CannedResponse {
    return {
      status: this.status,
      headers: { "content-type": "application/json", ...this.headers },
      body: JSON.stringify(errorBody(this.errorCode, this.message)),
    };
  }
}

export const invalidParameter = (message: string) => new ApiError(400, "INVALID_PARAMETER_VALUE", message);
export const notFound = (errorCode: string, message: string) => new ApiError(404, errorCode, message);
