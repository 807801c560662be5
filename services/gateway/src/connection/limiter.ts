/** A counting gate that refuses instead of queueing: a caller over the cap is told to come back. */
export class Gate {
  private running = 0;
  constructor(readonly capacity: number) {}

  tryEnter(): (() => void) | null {
    if (this.running >= this.capacity) return null;
    this.running += 1;
    let left = false;
    return () => {
      if (!left) this.running -= 1;
      left = true;
    };
  }
}
