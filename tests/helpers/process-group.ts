import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export interface GroupProcess {
  pid: number;
  name: string;
  /** /proc/<pid>/stat from the state field on (field 3 of proc(5) is index 0). */
  stat: string[];
  command: string;
}

/** The processes of a process group (a detached child's pid is its group's id), from /proc. */
export function groupProcesses(pgid: number): GroupProcess[] {
  const found: GroupProcess[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const raw = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name may hold spaces and parentheses: fields resume after the last ')'.
      const stat = raw.slice(raw.lastIndexOf(")") + 2).split(" ");
      if (Number(stat[2]) !== pgid) continue;
      const name = raw.slice(raw.indexOf("(") + 1, raw.lastIndexOf(")"));
      const command = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ").trim();
      found.push({ pid: Number(entry), name, stat, command });
    } catch {
      // exited while we looked
    }
  }
  return found;
}

/** Processes still in a process group, with their command lines. */
export function groupMembers(pgid: number): string[] {
  return groupProcesses(pgid).map((p) => `pid ${p.pid} (${p.stat[0]}): ${p.command}`);
}

/**
 * The group's members once it has emptied, or what is still there after `timeoutMs`. A forked
 * bridge child dies with its server (PR_SET_PDEATHSIG) a moment after it, so "left behind" means
 * still there after that moment, not at the instant the worker exited.
 */
export async function groupMembersAfter(pgid: number, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const members = groupMembers(pgid);
    if (members.length === 0 || Date.now() > deadline) return members;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Processes whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  const out = execFileSync("ps", ["-eo", "pid=,ppid="], { encoding: "utf8" });
  return out
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([, ppid]) => ppid === pid)
    .map(([child]) => child!);
}

/** The warm Python bridge (`bridge.py --fork-server`) a process started, if it runs. */
export function forkServerOf(pid: number): number | undefined {
  return childrenOf(pid).find((child) => {
    try {
      return readFileSync(`/proc/${child}/cmdline`, "utf8").includes("--fork-server");
    } catch {
      return false;
    }
  });
}
