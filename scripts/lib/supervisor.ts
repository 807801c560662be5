// The demo's processes: started in process groups of their own, watched while they start, and all
// stopped at once when one of them fails (or on Ctrl-C), with the cause named: the service, its
// exit code and the last lines it logged, or the port that was taken and the setting that moves it.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

/** A port the demo listens on, the setting that chooses it, and what listens there. */
export interface DemoPort {
  setting: string;
  port: number;
  /** "the gateway's API", "trace-sync's ops listener", … */
  use: string;
}

/** The port a setting names, or its default; stops the demo on anything but a port number. */
export function portSetting(setting: string, fallback: number): number {
  const raw = process.env[setting]?.trim();
  if (!raw) return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) throw new DemoFailure(`${setting} must be a port number (1-65535), not ${JSON.stringify(raw)}.`);
  return port;
}

/** A failure the demo reports as it is, without a stack trace. */
export class DemoFailure extends Error {}

interface Managed {
  name: string;
  child: ChildProcess;
  log: string;
  /** Where this run's lines of the log start. */
  logStart: number;
}

export class Supervisor {
  private readonly managed: Managed[] = [];
  private stopping = false;
  private failure: ((error: DemoFailure) => void) | undefined;
  /** Settles with the first failure of a process that was not asked to stop. */
  readonly failed: Promise<never>;

  constructor(
    private readonly runDir: string,
    private readonly logDir: string,
  ) {
    for (const dir of [runDir, logDir]) mkdirSync(dir, { recursive: true });
    this.failed = new Promise<never>((_, reject) => {
      this.failure = reject;
    });
    // Observed here so that a failure nobody awaits yet is not an unhandled rejection.
    this.failed.catch(() => undefined);
  }

  /**
   * Stops what a previous run of the demo left running (its process groups, by the pid files),
   * and waits for them to be gone so that their ports are free again.
   */
  async stopPrevious(names: string[]): Promise<void> {
    const pids = names.flatMap((name) => {
      const file = path.join(this.runDir, `${name}.pid`);
      if (!existsSync(file)) return [];
      const pid = Number(readFileSync(file, "utf8"));
      rmSync(file, { force: true });
      return Number.isInteger(pid) && pid > 0 ? [pid] : [];
    });
    for (const pid of pids) signalGroup(pid, "SIGTERM");
    const deadline = Date.now() + 10_000;
    while (pids.some(groupAlive) && Date.now() < deadline) await sleep(100);
    for (const pid of pids.filter(groupAlive)) signalGroup(pid, "SIGKILL");
  }

  /** Refuses to start anything while a port is taken, naming it and the setting that moves it. */
  async checkPorts(ports: DemoPort[]): Promise<void> {
    const seen = new Map<number, DemoPort>();
    for (const entry of ports) {
      const other = seen.get(entry.port);
      if (other) throw new DemoFailure(`${other.setting} and ${entry.setting} are both ${entry.port}: ${other.use} and ${entry.use} need a port each.`);
      seen.set(entry.port, entry);
    }
    for (const entry of ports) {
      if (!(await portFree(entry.port))) {
        throw new DemoFailure(
          `Port ${entry.port} is in use, so ${entry.use} cannot listen on it. Stop what uses it, or choose another port: ${entry.setting}=<port> bash scripts/demo.sh`,
        );
      }
    }
  }

  /** Starts a process in a group of its own, logging to <logDir>/<name>.log; its early exit fails the demo. */
  start(name: string, command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): ChildProcess {
    const log = path.join(this.logDir, `${name}.log`);
    const fd = openSync(log, "a");
    const logStart = statSync(log).size;
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", fd, fd], detached: true });
    closeSync(fd);
    writeFileSync(path.join(this.runDir, `${name}.pid`), String(child.pid));
    const entry = { name, child, log, logStart };
    this.managed.push(entry);
    child.on("exit", (code, signal) => {
      if (this.stopping) return;
      this.failure?.(new DemoFailure(`${name} exited (${signal ?? `code ${code}`}); the demo stops everything it started.\n${this.tail(entry)}`));
    });
    child.on("error", (error) => {
      if (!this.stopping) this.failure?.(new DemoFailure(`${name} could not be started: ${error.message}`));
    });
    return child;
  }

  /** Waits until `url` answers 2xx, or fails at once when a process of the demo exits meanwhile. */
  async waitFor(what: string, url: string, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const answered = (async () => {
      while (Date.now() < deadline) {
        if (this.stopping) return;
        if (
          await fetch(url).then(
            (r) => r.ok,
            () => false,
          )
        )
          return;
        await sleep(300);
      }
      throw new DemoFailure(`${what} did not answer at ${url} within ${timeoutMs / 1000} s; its log is in ${this.logDir}`);
    })();
    await Promise.race([answered, this.failed]);
  }

  /** Runs `work`; a failure of it or of any process stops the demo. */
  guard<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.failed]);
  }

  /** SIGTERM to every group at once; whatever is still there after `graceMs` is killed. */
  async stopAll(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    const running = this.managed.filter((m) => groupAlive(m.child.pid!));
    for (const m of running) signalGroup(m.child.pid!, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (running.some((m) => groupAlive(m.child.pid!)) && Date.now() < deadline) await sleep(100);
    for (const m of running.filter((m) => groupAlive(m.child.pid!))) signalGroup(m.child.pid!, "SIGKILL");
    for (const m of this.managed) rmSync(path.join(this.runDir, `${m.name}.pid`), { force: true });
  }

  /** The last lines a process logged in this run, for the failure message. */
  private tail(entry: Managed): string {
    const text = existsSync(entry.log) ? readFileSync(entry.log, "utf8").slice(entry.logStart) : "";
    const lines = text.trimEnd().split("\n").filter(Boolean).slice(-8);
    return lines.length ? `Its last lines (${entry.log}):\n${lines.map((l) => `  ${l}`).join("\n")}` : `It logged nothing (${entry.log}).`;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    // The demo's services listen on loopback; a listener on any address of it takes the port too.
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
