import type { BridgeErrorKind } from "./contract.ts";

/** The spec's troubleshooting advice, keyed by what went wrong. */
const HINTS: Partial<Record<BridgeErrorKind, string>> = {
  sdk_missing: "Install Python 3.11+ with the bridge's packages (pip install -r python-bridge/requirements.lock) and point PYTHON_PATH at that interpreter.",
  auth: "Verify the token has not expired and has the required permissions, and that the host URL is correct (include https://). Generate a new token if needed.",
  timeout: "Increase DATABRICKS_PYTHON_TIMEOUT (e.g. 300000), reduce the batch size, or check network latency to Databricks.",
  crashed: "Run with LOG_LEVEL=debug to see the Python bridge's output.",
  protocol: "PYTHON_PATH must run python-bridge/bridge.py unmodified; run with LOG_LEVEL=debug to see its output.",
};

const RETRYABLE = new Set<BridgeErrorKind>(["rate_limited", "timeout", "unavailable", "server_error", "internal", "crashed"]);

export interface BridgeErrorDetails {
  hint?: string | null;
  retryable?: boolean;
  exitCode?: number;
  /** Upstream HTTP status, when the failure was an HTTP answer. */
  status?: number;
  /** How long the source asked us to wait before trying again. */
  retryAfterMs?: number;
}

export class BridgeError extends Error {
  readonly kind: BridgeErrorKind;
  readonly hint: string | undefined;
  readonly retryable: boolean;
  readonly exitCode: number | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(kind: BridgeErrorKind, message: string, details: BridgeErrorDetails = {}) {
    super(message);
    this.name = "BridgeError";
    this.kind = kind;
    this.hint = details.hint ?? HINTS[kind];
    this.retryable = details.retryable ?? RETRYABLE.has(kind);
    this.exitCode = details.exitCode;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }

  /** The error a bridge `error` message describes, with everything it said. */
  static fromMessage(message: { kind: BridgeErrorKind; message: string; hint?: string | null; retryable?: boolean; status?: number; retryAfterMs?: number }) {
    const { hint, retryable, status, retryAfterMs } = message;
    return new BridgeError(message.kind, message.message, { hint, retryable, status, retryAfterMs });
  }

  /** One line a user can act on: what happened, then how to fix it. */
  get userMessage(): string {
    return this.hint ? `${this.message}. ${this.hint}` : this.message;
  }
}
