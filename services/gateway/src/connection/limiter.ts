import { HttpError } from "../plugins/error-handler.ts";

export type Refusal = { reason: "full" | "share"; share: number };

/**
 * A counting gate that refuses instead of queueing, with a fair share per organization. The
 * process-wide cap bounds the Python processes one gateway starts; within it an organization
 * may hold at most an equal share among the organizations testing at that moment (itself
 * included), and while alone one slot less than the cap, so one tenant's slow tests cannot make
 * every other tenant's answer 429.
 */
export class FairGate {
  private running = 0;
  private readonly held = new Map<string, number>();
  constructor(readonly capacity: number) {}

  /** The organization's share if it asked now: the cap split among the organizations testing, itself included. */
  shareOf(organizationId: string): number {
    const others = [...this.held.keys()].filter((id) => id !== organizationId).length;
    const share = Math.max(1, Math.floor(this.capacity / (others + 1)));
    // Alone, an organization still leaves one slot for the next one to arrive.
    return others === 0 && this.capacity > 1 ? Math.min(share, this.capacity - 1) : share;
  }

  /** A release function, or why not: the process is full, or the organization holds its share. */
  tryEnter(organizationId: string): (() => void) | Refusal {
    const share = this.shareOf(organizationId);
    if (this.running >= this.capacity) return { reason: "full", share };
    const mine = this.held.get(organizationId) ?? 0;
    if (mine >= share) return { reason: "share", share };
    this.running += 1;
    this.held.set(organizationId, mine + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.running -= 1;
      const now = (this.held.get(organizationId) ?? 1) - 1;
      if (now > 0) this.held.set(organizationId, now);
      else this.held.delete(organizationId);
    };
  }
}

/**
 * Enters the gate for work that starts a Python process (a connection test, an experiment page),
 * or refuses with 429 saying whether the gateway or the caller's organization is at its limit.
 */
export function enterOrRefuse(gate: FairGate, organizationId: string, what: string): () => void {
  const leave = gate.tryEnter(organizationId);
  if (typeof leave === "function") return leave;
  throw new HttpError(
    429,
    leave.reason === "full"
      ? `${gate.capacity} ${what} are already running in this gateway; retry in a few seconds`
      : `Your organization already runs ${leave.share} ${what} here, its share while others do too; retry when one finishes`,
  );
}
