import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

interface Stat {
  pid: number;
  ppid: number;
  /** utime + stime, and the same for reaped children, in ticks. */
  own: number;
  reaped: number;
}

function stat(pid: number | "self"): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: fields resume after the last ')'.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return {
      pid: pid === "self" ? process.pid : pid,
      ppid: Number(fields[1]),
      own: Number(fields[11]) + Number(fields[12]),
      reaped: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return undefined; // exited while we looked
  }
}

function isBridge(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("python-bridge/bridge.py");
  } catch {
    return false;
  }
}

/**
 * This process's bridges: `servers` are its direct children (a cold bridge, or the warm fork
 * server), `jobs` the children a warm server forked for one job each.
 */
export function bridgeProcesses(): { servers: number[]; jobs: number[] } {
  const all = readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .map((pid) => stat(pid))
    .filter((s): s is Stat => s !== undefined);
  const servers = all.filter((s) => s.ppid === process.pid && isBridge(s.pid)).map((s) => s.pid);
  const jobs = all.filter((s) => servers.includes(s.ppid) && isBridge(s.pid)).map((s) => s.pid);
  return { servers, jobs };
}

/**
 * CPU seconds spent so far by every Python bridge this process started: those it already reaped
 * (counted in its own children's time), the live ones, and what a warm server's children used.
 */
export function bridgeCpuSeconds(): number {
  let ticks = stat("self")?.reaped ?? 0;
  const { servers, jobs } = bridgeProcesses();
  for (const pid of servers) {
    const s = stat(pid);
    if (s) ticks += s.own + s.reaped;
  }
  for (const pid of jobs) ticks += stat(pid)?.own ?? 0;
  return ticks / TICKS_PER_SECOND;
}

/** This process's own CPU seconds (the gateway and worker in the benchmark). */
export function nodeCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}
