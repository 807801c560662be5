import type { Readable } from "node:stream";
import { execa } from "execa";

/** One running bridge command, however it was started. */
export interface BridgeProcess {
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Settles when the process has ended; never rejects. */
  readonly exited: Promise<{ exitCode: number | null; signal: string | null }>;
  kill(signal?: NodeJS.Signals): void;
}

export interface StartRequest {
  command: string;
  params: object;
  /** The command's whole environment, credentials included. */
  env: Record<string, string>;
  signal?: AbortSignal;
}

/** A fresh interpreter per command: imports MLflow every time, but needs nothing running. */
export function spawnCold(pythonPath: string, scriptPath: string, request: StartRequest): BridgeProcess {
  const child = execa(pythonPath, [scriptPath, request.command], {
    input: JSON.stringify(request.params),
    env: request.env,
    extendEnv: false,
    buffer: false,
    reject: false,
    stdout: "pipe",
    stderr: "pipe",
    cancelSignal: request.signal,
    forceKillAfterDelay: 2_000,
  });
  let running = true;
  const exited = child.then(
    (result) => ({ exitCode: result.exitCode ?? null, signal: result.signal ?? null }),
    () => ({ exitCode: null, signal: "SIGKILL" }),
  );
  void exited.then(() => {
    running = false;
  });
  return {
    stdout: child.stdout!,
    stderr: child.stderr!,
    pid: child.pid,
    get running() {
      return running;
    },
    exited,
    kill: (signal = "SIGTERM") => {
      child.kill(signal);
    },
  };
}
