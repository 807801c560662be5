import { readFileSync } from "node:fs";
import { groupProcesses } from "../../tests/helpers/process-group.ts";
import os from "node:os";

const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

/** The whole machine's CPU time so far, in ticks: busy (everything but idle and iowait) and total. */
export function machineCpu(): { busy: number; total: number } {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - fields[3]! - fields[4]!, total };
}

/** Share of every core's time spent busy between two readings (1 = all cores saturated). */
export function busyShare(from: { busy: number; total: number }, to: { busy: number; total: number }): number {
  return (to.busy - from.busy) / Math.max(1, to.total - from.total);
}

export const cores = os.availableParallelism();

interface GroupStat {
  command: string;
  seconds: number;
}

function groupStats(pgid: number): GroupStat[] {
  // Each process's own time and its reaped children's: a warm bridge's forked jobs are reaped by it.
  return groupProcesses(pgid).map(({ stat, command }) => ({
    command,
    seconds: (Number(stat[11]) + Number(stat[12]) + Number(stat[13]) + Number(stat[14])) / TICKS_PER_SECOND,
  }));
}

/** CPU seconds a worker's process group has used: node, its warm bridge and the jobs it forked. */
export function groupCpuSeconds(pgid: number): number {
  return groupStats(pgid).reduce((sum, s) => sum + s.seconds, 0);
}

/**
 * Waits until a freshly started worker has its warm Python bridge and has gone quiet (its imports
 * done), so a timed phase measures syncing rather than start-up.
 */
export async function untilSettled(pgid: number, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = groupCpuSeconds(pgid);
  for (;;) {
    await new Promise((r) => setTimeout(r, 1_000));
    const now = groupCpuSeconds(pgid);
    const bridge = groupStats(pgid).some((s) => s.command.includes("python-bridge/bridge.py"));
    if (bridge && now - last < 0.05) return;
    if (Date.now() > deadline) throw new Error(`worker ${pgid} did not settle within ${timeoutMs} ms (bridge ${bridge ? "up" : "absent"})`);
    last = now;
  }
}
