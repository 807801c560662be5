import { createHash } from "node:crypto";
import path from "node:path";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseJson } from "@langguard/exact-json";
import { BridgeError } from "./errors.ts";
import { ForkServer } from "./fork-server.ts";
import { spawnCold, type BridgeProcess } from "./processes.ts";
import { readLines, LineTooLongError } from "./line-reader.ts";
import { type BridgeCommand, type MessageOf, messageSchema, type ParamsOf, type RecordDataOf, type ResultOf, type StepMessage } from "./contract.ts";
import { LineScrubber, secretScrubber } from "./scrubber.ts";
import { authEnv, type BridgeAuth, defaultAuth, secretForms } from "./auth-env.ts";

/**
 * python-bridge/bridge.py of the checkout or image this code runs from: found by walking up, since
 * this file runs both from packages/bridge-client/src and bundled into dist/.
 */
export const defaultScriptPath = findUp(path.dirname(fileURLToPath(import.meta.url)), path.join("python-bridge", "bridge.py"));

function findUp(from: string, relative: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, relative))) return path.join(dir, relative);
    if (path.dirname(dir) === dir) return path.resolve(relative);
  }
}

/** Where the bridge reads from. The secret travels to the child only through its environment. */
export interface BridgeSource {
  kind: "databricks" | "mlflow";
  host: string;
  /** The method's one secret: a token, a client secret or a password. */
  token?: string | null;
  /** How to authenticate; without it, a PAT (Databricks) or the token as a bearer token (MLflow). */
  auth?: BridgeAuth;
  /**
   * The integration's SQL warehouse: MLflow reads an experiment's traces stored in Unity Catalog
   * tables through it (MLFLOW_TRACING_SQL_WAREHOUSE_ID). Not secret.
   */
  warehouseId?: string | null;
}

export interface BridgeLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface BridgeClientOptions {
  pythonPath: string;
  /** DATABRICKS_PYTHON_TIMEOUT: a request's total time, or a stream's longest silence. */
  timeoutMs: number;
  /** DATABRICKS_VALIDATION_TIMEOUT: the environment/connection check. */
  validationTimeoutMs: number;
  scriptPath?: string;
  maxLineBytes?: number;
  logger?: BridgeLogger;
  /** Non-secret knobs for the child (e.g. MLFLOW_HTTP_REQUEST_MAX_RETRIES). */
  extraEnv?: Record<string, string>;
  /** The SSRF host policy the child enforces on every connection (serialised @langguard/host-policy). */
  hostPolicy?: string;
  /**
   * Fork each command from one warm bridge that has MLflow imported already, instead of starting
   * a new interpreter (PYTHON_BRIDGE_MODE=warm). Only for the real bridge script.
   */
  warm?: boolean;
  observer?: BridgeObserver;
}

/** The bridge settings every service reads (PYTHON_PATH, the two timeouts, PYTHON_BRIDGE_MODE). */
export interface BridgeSettings {
  PYTHON_PATH: string;
  DATABRICKS_PYTHON_TIMEOUT: number;
  DATABRICKS_VALIDATION_TIMEOUT: number;
  PYTHON_BRIDGE_MODE: "warm" | "cold";
}

/** One way for every service to build its bridge from its settings. */
export function bridgeFromSettings(env: BridgeSettings, hostPolicy: string, logger?: BridgeLogger, observer?: BridgeObserver): BridgeClient {
  return new BridgeClient({
    observer,
    pythonPath: env.PYTHON_PATH,
    timeoutMs: env.DATABRICKS_PYTHON_TIMEOUT,
    validationTimeoutMs: env.DATABRICKS_VALIDATION_TIMEOUT,
    hostPolicy,
    logger,
    warm: env.PYTHON_BRIDGE_MODE === "warm",
  });
}

/** Sees every bridge call, for metrics: its length and outcome, and each error by kind. */
export interface BridgeObserver {
  callEnded(command: string, seconds: number, errorKind: string | null): void;
  /** An error that ended the call, or one about one experiment or container. */
  error(command: string, kind: string): void;
}

type StreamOptions = RunOptions & { totalTimeout?: boolean; onStep?: (step: StepMessage) => void };

export interface RunOptions {
  signal?: AbortSignal;
  /** Overrides the timeout for this call. */
  timeoutMs?: number;
  /** Name of the setting the timeout came from, for the error message. */
  timeoutSetting?: string;
  /** Non-secret environment for this call only. */
  env?: Record<string, string>;
}

/**
 * MLflow 3's usage telemetry, off in every Python process the product and its tests start: it
 * would send usage data from customer environments, and its thread edits os.environ while other
 * threads read it (a KeyError inside mlflow.set_experiment). The bridge package sets it too.
 */
export const PYTHON_TELEMETRY_OFF: Readonly<Record<string, string>> = Object.freeze({ MLFLOW_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "true" });

const INHERITED = ["PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"];
const STDERR_LINE_CHARS = 4_096;

/**
 * Spawns the Python bridge and speaks its line protocol. Every failure mode (missing
 * interpreter, crash, garbage output, oversized line, silence past the timeout) surfaces as
 * a BridgeError with a kind and the spec's advice.
 */
export class BridgeClient {
  private readonly scriptPath: string;
  private readonly maxLineBytes: number;
  private forkServer: ForkServer | undefined;

  constructor(private readonly options: BridgeClientOptions) {
    this.scriptPath = options.scriptPath ?? defaultScriptPath;
    this.maxLineBytes = options.maxLineBytes ?? 64 * 1024 * 1024;
  }

  /** In warm mode, starts the warm bridge now (at service start) rather than at the first command. */
  warmUp(logger?: BridgeLogger): void {
    if (!this.options.warm) return;
    this.forkServer ??= this.newForkServer();
    this.forkServer
      .warmUp()
      .catch((error: unknown) =>
        logger?.warn({ err: { message: (error as Error).message } }, "warm Python bridge did not start; the first job will try again"),
      );
  }

  /** Stops the warm bridge, if one was started. */
  async close(): Promise<void> {
    await this.forkServer?.close();
    this.forkServer = undefined;
  }

  private newForkServer(): ForkServer {
    return new ForkServer(path.resolve(this.options.pythonPath), this.scriptPath, this.baseEnv(), (text) => {
      if (text.trim()) this.options.logger?.debug({ stderr: text.slice(0, STDERR_LINE_CHARS) }, "warm python bridge stderr");
    });
  }

  private async start(command: BridgeCommand, params: object, env: Record<string, string>, signal?: AbortSignal): Promise<BridgeProcess> {
    const pythonPath = path.resolve(this.options.pythonPath);
    if (!this.options.warm) return spawnCold(pythonPath, this.scriptPath, { command, params, env, signal });
    this.forkServer ??= this.newForkServer();
    try {
      return await this.forkServer.start({ command, params, env, signal });
    } catch (error) {
      throw new BridgeError("crashed", `Python bridge could not start '${command}': ${(error as Error).message}`, { retryable: true });
    }
  }

  /** A call a person waits for: bounded by DATABRICKS_VALIDATION_TIMEOUT, answering fast rather than backing off and retrying. */
  private interactive(options: RunOptions): RunOptions {
    return {
      timeoutMs: this.options.validationTimeoutMs,
      timeoutSetting: "DATABRICKS_VALIDATION_TIMEOUT",
      env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: "0", MLFLOW_HTTP_REQUEST_TIMEOUT: "10" },
      ...options,
    };
  }

  /** Validates Python, the MLflow SDK and the credentials, within DATABRICKS_VALIDATION_TIMEOUT. */
  async check(source: BridgeSource, params: ParamsOf<"check"> = {}, options: RunOptions = {}) {
    const { result, steps } = await this.request("check", params, source, this.interactive(options));
    return { details: result.data, steps };
  }

  /** One page of the workspace's active experiments in name order, whose name contains `search`. */
  async experimentPage(source: BridgeSource, page: { size: number; search?: string; token?: string | null }, options: RunOptions = {}) {
    const params = { pageSize: page.size, search: page.search ?? "", pageToken: page.token ?? null };
    const { result, records } = await this.request("list-experiments", params, source, this.interactive(options));
    return { experiments: records.map((r) => ({ id: String(r.id), name: String(r.name) })), nextPageToken: result.data.nextPageToken ?? null };
  }

  /** Runs a command to completion, collecting its records. For small answers only. */
  async request<C extends BridgeCommand>(command: C, params: ParamsOf<C>, source: BridgeSource, options: RunOptions = {}) {
    const records: Array<RecordDataOf<C>> = [];
    const errors: Array<Extract<MessageOf<C>, { type: "error" }>> = [];
    const steps: StepMessage[] = [];
    let result: ResultOf<C> | undefined;
    for await (const message of this.stream(command, params, source, { ...options, totalTimeout: true, onStep: (step) => steps.push(step) })) {
      if (message.type === "record") records.push((message as unknown as { data: RecordDataOf<C> }).data);
      else if (message.type === "error") errors.push(message as Extract<MessageOf<C>, { type: "error" }>);
      else if (message.type === "result") result = message as ResultOf<C>;
    }
    if (!result) throw new BridgeError("protocol", `Python bridge ended '${command}' without a result`);
    return { result, records, errors, steps };
  }

  /**
   * Streams the command's messages. Errors about one experiment are yielded; an error that ends
   * the command is thrown. Leaving the loop early kills the child.
   */
  async *stream<C extends BridgeCommand>(command: C, params: ParamsOf<C>, source: BridgeSource, options: StreamOptions = {}): AsyncGenerator<MessageOf<C>> {
    const observer = this.options.observer;
    if (!observer) return yield* this.run(command, params, source, options);
    const started = performance.now();
    let failure: string | null = null;
    try {
      for await (const message of this.run(command, params, source, options)) {
        if (message.type === "error") observer.error(command, message.kind);
        yield message;
      }
    } catch (error) {
      failure = error instanceof BridgeError ? error.kind : "internal";
      observer.error(command, failure);
      throw error;
    } finally {
      observer.callEnded(command, (performance.now() - started) / 1000, failure);
    }
  }

  private async *run<C extends BridgeCommand>(command: C, params: ParamsOf<C>, source: BridgeSource, options: StreamOptions): AsyncGenerator<MessageOf<C>> {
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    const timeoutSetting = options.timeoutSetting ?? "DATABRICKS_PYTHON_TIMEOUT";
    const pythonPath = path.resolve(this.options.pythonPath);
    if (!existsSync(pythonPath)) {
      throw new BridgeError("sdk_missing", `MLflow SDK not available: no Python executable at PYTHON_PATH=${this.options.pythonPath}`);
    }
    const scrub = secretScrubber(secretForms(authOf(source), source.token));
    // Sent as given: the bridge checks them against the contract's JSON Schema and fills in its defaults.
    const child = await this.start(command, params as object, { ...this.childEnv(source), ...options.env }, options.signal);

    // Upstream detail and tracebacks arrive here: only ever logged at debug, line by line, scrubbed.
    const stderr = new LineScrubber(scrub, scrub.longest, (text) => {
      if (text.trim()) this.options.logger?.debug({ bridge: command, stderr: text.slice(0, STDERR_LINE_CHARS) }, "python bridge stderr");
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text: string) => stderr.write(text));
    child.stderr.on("end", () => stderr.end());

    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        child.kill("SIGTERM");
      }, timeoutMs);
    };
    arm();
    const timeoutError = () =>
      new BridgeError("timeout", `${timeoutSetting} exceeded: the Python bridge did not answer '${command}' within ${timeoutMs} ms and was stopped`, {
        hint: `Increase ${timeoutSetting} (e.g. ${timeoutMs * 2}), reduce the batch size, or check network latency to the workspace.`,
      });

    let fatal: BridgeError | undefined;
    let sawResult = false;
    try {
      try {
        for await (const line of readLines(child.stdout, this.maxLineBytes)) {
          if (!options.totalTimeout) arm();
          if (!line.trim()) continue;
          const message = parseMessage(command, line, scrub);
          if (message.type === "log") {
            this.log(message.level, { bridge: command, ...message }, message.message);
            continue;
          }
          if (message.type === "error" && message.experimentId === undefined && message.container === undefined) {
            fatal = BridgeError.fromMessage(message);
            continue;
          }
          if (message.type === "step") {
            options.onStep?.(message);
            continue;
          }
          if (message.type === "result") sawResult = true;
          yield message;
        }
      } catch (error) {
        if (timedOut) throw timeoutError();
        if (error instanceof LineTooLongError) {
          throw new BridgeError("protocol", `Python bridge wrote a line longer than ${this.maxLineBytes} bytes; lower the batch size or the payload limit`);
        }
        throw error;
      }
      const exit = await child.exited;
      if (timedOut) throw timeoutError();
      if (fatal) throw fatal;
      if (options.signal?.aborted) throw new BridgeError("crashed", `Python bridge '${command}' was cancelled`, { retryable: true });
      if (exit.exitCode !== 0 || exit.signal) {
        const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
        throw new BridgeError("crashed", `Python bridge ${how} during '${command}'`, { exitCode: exit.exitCode ?? undefined });
      }
      if (!sawResult) throw new BridgeError("protocol", `Python bridge ended '${command}' without a result`);
    } finally {
      clearTimeout(timer);
      if (child.running) {
        child.kill("SIGTERM");
        const force = setTimeout(() => child.kill("SIGKILL"), 2_000);
        await child.exited;
        clearTimeout(force);
      }
    }
  }

  /** What every bridge process gets: nothing secret, so the warm server may hold it too. */
  private baseEnv(): Record<string, string> {
    const env: Record<string, string> = {
      PYTHONUNBUFFERED: "1",
      PYTHONIOENCODING: "utf-8",
      MLFLOW_HTTP_REQUEST_MAX_RETRIES: "3",
      MLFLOW_HTTP_REQUEST_TIMEOUT: "120",
      ...PYTHON_TELEMETRY_OFF,
    };
    for (const name of INHERITED) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    Object.assign(env, this.options.extraEnv);
    if (this.options.hostPolicy) env.LANGGUARD_HOST_POLICY = this.options.hostPolicy;
    return env;
  }

  private childEnv(source: BridgeSource): Record<string, string> {
    const env: Record<string, string> = {
      ...this.baseEnv(),
      LANGGUARD_SOURCE: source.kind,
      ...authEnv(source.kind, source.host, authOf(source), source.token),
    };
    if (source.kind === "databricks" && source.warehouseId) {
      env.MLFLOW_TRACING_SQL_WAREHOUSE_ID = source.warehouseId;
      // A reader never starts a customer's warehouse (it bills); the warehouse's own auto-start decides.
      env.MLFLOW_SQL_WAREHOUSE_AUTO_START = "false";
    }
    return env;
  }

  private log(level: string, fields: object, message: string) {
    const logger = this.options.logger;
    if (!logger) return;
    if (level === "error") logger.error(fields, message);
    else if (level === "warn" || level === "warning") logger.warn(fields, message);
    else if (level === "info") logger.info(fields, message);
    else logger.debug(fields, message);
  }
}

function authOf(source: BridgeSource): BridgeAuth {
  return source.auth ?? defaultAuth(source.kind, Boolean(source.token));
}

// The bridge writes ASCII JSON, so a NUL or a lone surrogate anywhere in a record (nested JSON text
// included) shows in its line as an escape; only those records pay for a cleaning walk.
const UNCLEAN = /\\u0000|\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}/;

function parseMessage<C extends BridgeCommand>(command: C, line: string, scrub: (text: string) => string): MessageOf<C> {
  let value: unknown;
  try {
    value = parseJson(line);
  } catch {
    throw new BridgeError("protocol", `Python bridge wrote something that is not a protocol message: ${JSON.stringify(scrub(line.slice(0, 200)))}`);
  }
  const parsed = messageSchema(command).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BridgeError(
      "protocol",
      `Python bridge wrote an invalid message (${issue?.path.join(".") || "message"}: ${issue?.message}): ${JSON.stringify(scrub(line.slice(0, 200)))}`,
    );
  }
  const message = parsed.data;
  if (message.type === "error" || message.type === "log") message.message = scrub(message.message);
  if (message.type === "record") {
    message.digest = createHash("sha256").update(line).digest("hex").slice(0, 32);
    if (UNCLEAN.test(line)) message.unclean = true;
  }
  return message;
}
