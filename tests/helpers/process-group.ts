import { readdirSync, readFileSync } from "node:fs";

/** Processes still in a process group (a detached child's pid is its group's id), with their command lines. */
export function groupMembers(pgid: number): string[] {
  const found: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name may hold spaces and parentheses: fields resume after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ").trim();
      found.push(`pid ${entry} (${fields[0]}): ${command}`);
    } catch {
      // exited while we looked
    }
  }
  return found;
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
