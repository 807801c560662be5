import { readFileSync, writeFileSync } from "node:fs";
import { bridgeProcesses } from "./processes.ts";

export interface PeakRss {
  /** This process: the gateway and the trace-sync worker. */
  workerMb: number;
  /** The Python bridge the worker spawned for the job. */
  bridgeMb: number;
}

const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;

function statusKb(pid: number | "self", field: "VmHWM" | "VmRSS"): number | undefined {
  try {
    const match = readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined; // the process has exited
  }
}

/** The process doing the job: a warm server's forked child when there is one, else the cold bridge. */
function findBridgePid(): number | undefined {
  const { servers, jobs } = bridgeProcesses();
  return jobs[0] ?? servers[0];
}

/**
 * Samples peak RSS while a sync runs. The kernel's high-water mark (VmHWM) is read rather than
 * the current RSS, so peaks between samples are not missed; this process's mark is reset at the
 * start (clear_refs 5) so earlier phases of the benchmark do not count.
 */
export class PeakRssSampler {
  private timer: NodeJS.Timeout | undefined;
  private workerKb = 0;
  private bridgeKb = 0;
  private bridgePid: number | undefined;
  private hwmReset = false;

  start(intervalMs = 100): void {
    try {
      writeFileSync("/proc/self/clear_refs", "5");
      this.hwmReset = true;
    } catch {
      this.hwmReset = false; // fall back to sampling the current RSS
    }
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.sample();
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  peak(): PeakRss {
    return { workerMb: mb(this.workerKb), bridgeMb: mb(this.bridgeKb) };
  }

  private sample(): void {
    const own = this.hwmReset ? statusKb("self", "VmHWM") : process.memoryUsage.rss() / 1024;
    this.workerKb = Math.max(this.workerKb, own ?? 0);
    let bridge = this.bridgePid === undefined ? undefined : statusKb(this.bridgePid, "VmHWM");
    if (bridge === undefined) {
      this.bridgePid = findBridgePid();
      bridge = this.bridgePid === undefined ? undefined : statusKb(this.bridgePid, "VmHWM");
    }
    this.bridgeKb = Math.max(this.bridgeKb, bridge ?? 0);
  }
}
