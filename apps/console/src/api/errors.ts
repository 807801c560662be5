import type { FieldIssue } from "./client";

/** A refused or failed request, with what the gateway said: its message and, for bad input, the fields. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
    this.name = "ApiFailure";
  }

  get notFound() {
    return this.status === 404;
  }

  /** Issues by field name without its `body.` prefix: `host`, `catalogFilters.include.catalogs.0`. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const issue of this.issues) {
      const field = issue.field.replace(/^(body|query|params)\./, "");
      out[field] ??= issue.reason;
    }
    return out;
  }
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/**
 * The data of an openapi-fetch result, or an ApiFailure. A network failure (gateway down) becomes
 * one too, with words a person can act on.
 */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiFailure(0, "The gateway did not answer. Check your connection and try again.");
  }
  if (result.response.ok) return result.data as T;
  const body = (result.error ?? {}) as { message?: string; issues?: FieldIssue[] };
  const message = body.message ?? `The gateway answered ${result.response.status} ${result.response.statusText}`;
  throw new ApiFailure(result.response.status, message, body.issues ?? []);
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
