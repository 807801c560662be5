import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { execa, type ResultPromise } from "execa";
import { readLines } from "./line-reader.ts";
import type { BridgeProcess, StartRequest } from "./processes.ts";

interface Job {
  onPid: (pid: number) => void;
  onExit: (exit: { exitCode: number | null; signal: string | null }) => void;
}

const CONNECT_TIMEOUT_MS = 30_000;
// Importing MLflow takes seconds; a server not ready after this is broken, not slow.
const START_TIMEOUT_MS = 120_000;

/**
 * Keeps one warm Python bridge (python-bridge's `--fork-server`) per worker process: it imports
 * MLflow once and forks a child per command. The job's environment, its token included, reaches
 * the server only over its stdin pipe and is put in the forked child's environment alone; the
 * server's own environment never holds a credential. Each child talks to us over two Unix sockets in a private
 * folder, as a cold bridge would over stdout and stderr.
 */
export class ForkServer {
  private proc: ResultPromise | undefined;
  private ready: Promise<void> | undefined;
  private dir: string | undefined;
  private nextId = 1;
  private readonly jobs = new Map<number, Job>();
  private closed = false;

  constructor(
    private readonly pythonPath: string,
    private readonly scriptPath: string,
    /** The server's own environment: nothing secret. */
    private readonly env: Record<string, string>,
    private readonly onDiagnostic: (text: string) => void = () => undefined,
  ) {}

  async start(request: StartRequest): Promise<BridgeProcess> {
    await this.ensure();
    const id = this.nextId++;
    const proto = listenOnce(path.join(this.dir!, `${id}.p`));
    const diag = listenOnce(path.join(this.dir!, `${id}.e`));
    let running = true;
    let pid: number | undefined;
    let resolveExit!: (exit: { exitCode: number | null; signal: string | null }) => void;
    const exited = new Promise<{ exitCode: number | null; signal: string | null }>((resolve) => {
      resolveExit = resolve;
    });
    const ended = (exit: { exitCode: number | null; signal: string | null }) => {
      running = false;
      this.jobs.delete(id);
      proto.abandon();
      diag.abandon();
      resolveExit(exit);
    };
    this.jobs.set(id, { onPid: (p) => (pid = p), onExit: ended });
    try {
      await Promise.all([proto.listening, diag.listening]);
      this.proc!.stdin!.write(`${JSON.stringify({ id, command: request.command, env: request.env, socket: proto.path, stderr: diag.path })}\n`);
      const [stdout, stderr] = await Promise.all([proto.connection, diag.connection]);
      stdout.end(JSON.stringify(request.params));
      const kill = (signal: NodeJS.Signals = "SIGTERM") => {
        if (!running || pid === undefined) return;
        try {
          process.kill(pid, signal);
        } catch {
          // already gone
        }
      };
      if (request.signal) {
        const onAbort = () => {
          kill("SIGTERM");
          setTimeout(() => kill("SIGKILL"), 2_000).unref();
        };
        if (request.signal.aborted) onAbort();
        else request.signal.addEventListener("abort", onAbort, { once: true });
        void exited.then(() => request.signal!.removeEventListener("abort", onAbort));
      }
      return {
        stdout,
        stderr,
        get pid() {
          return pid;
        },
        get running() {
          return running;
        },
        exited,
        kill,
      };
    } catch (error) {
      if (running && pid !== undefined) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      proto.abandon();
      diag.abandon();
      throw error;
    }
  }

  /** Starts the server ahead of the first command, so that command does not wait for the imports. */
  warmUp(): Promise<void> {
    return this.ensure();
  }

  /** Stops the server; its children die with it. */
  async close(): Promise<void> {
    this.closed = true;
    const proc = this.proc;
    this.proc = undefined;
    this.ready = undefined;
    if (proc) {
      proc.stdin?.end();
      const timer = setTimeout(() => proc.kill("SIGKILL"), 2_000);
      await proc.catch(() => undefined);
      clearTimeout(timer);
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private ensure(): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the warm bridge is closed"));
    this.ready ??= this.spawn();
    return this.ready;
  }

  private spawn(): Promise<void> {
    // Sockets live in a folder only this user can enter.
    this.dir ??= mkdtempSync(path.join(os.tmpdir(), "lg-bridge-"));
    const proc = execa(this.pythonPath, [this.scriptPath, "--fork-server"], {
      env: this.env,
      extendEnv: false,
      buffer: false,
      reject: false,
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    this.proc = proc;
    // A write to a server that just died fails here rather than as an unhandled stream error;
    // the job then ends as crashed through the server's exit below.
    proc.stdin?.on("error", () => undefined);
    proc.stderr?.setEncoding("utf8");
    proc.stderr?.on("data", (text: string) => this.onDiagnostic(text));
    return new Promise<void>((resolve, reject) => {
      let started = false;
      const startTimer = setTimeout(() => {
        if (!started) proc.kill("SIGKILL");
      }, START_TIMEOUT_MS);
      startTimer.unref();
      void (async () => {
        try {
          for await (const line of readLines(proc.stdout!, 1 << 20)) {
            let message: { ready?: boolean; id?: number; pid?: number; exit?: number | null; signal?: string | null };
            try {
              message = JSON.parse(line);
            } catch {
              this.onDiagnostic(line); // not ours: a library printed to the control channel
              continue;
            }
            if (message.ready) {
              started = true;
              clearTimeout(startTimer);
              resolve();
            } else if (message.id !== undefined && message.pid !== undefined) {
              this.jobs.get(message.id)?.onPid(message.pid);
            } else if (message.id !== undefined) {
              this.jobs.get(message.id)?.onExit({ exitCode: message.exit ?? null, signal: message.signal ?? null });
            }
          }
        } catch {
          // the server died mid-line: handled below
        }
        await proc.catch(() => undefined);
        // The server is gone (killed, crashed): its children went with it. The next command starts a new one.
        if (this.proc === proc) {
          this.proc = undefined;
          this.ready = undefined;
        }
        for (const job of [...this.jobs.values()]) job.onExit({ exitCode: null, signal: "SIGKILL" });
        if (!started) reject(new Error("the warm Python bridge exited before it was ready"));
      })();
    });
  }
}

/** A Unix socket that takes exactly one connection, then stops listening. */
function listenOnce(socketPath: string) {
  const server: Server = createServer({ allowHalfOpen: true });
  let accepted: Socket | undefined;
  let fail!: (error: Error) => void;
  const connection = new Promise<Socket>((resolve, reject) => {
    fail = reject;
    const timer = setTimeout(() => reject(new Error("the Python bridge did not connect")), CONNECT_TIMEOUT_MS);
    timer.unref();
    server.once("connection", (socket) => {
      clearTimeout(timer);
      accepted = socket;
      server.close();
      resolve(socket);
    });
  });
  connection.catch(() => undefined);
  const listening = new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    path: socketPath,
    listening,
    connection,
    /** The child ended or never came: stop waiting for it. */
    abandon() {
      if (!accepted) fail(new Error("the Python bridge ended before it connected"));
      server.close();
    },
  };
}
