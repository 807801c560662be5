/**
 * Removes a token from text that came from the child. The child's stderr arrives in arbitrary
 * chunks, so a token can be split across two of them: scrubbing is done on whole lines, and only
 * complete lines (or, for a runaway line, all but a token's length of it) ever leave.
 */
export interface Scrubber {
  (text: string): string;
  /** The longest form it replaces: how much of a runaway line must be held back (see LineScrubber). */
  readonly longest: number;
}

export function secretScrubber(secrets: string | null | undefined | ReadonlyArray<string>): Scrubber {
  const given = (typeof secrets === "string" ? [secrets] : (secrets ?? [])).filter((secret) => secret.length >= 4);
  // Longest first, so a form that contains another is replaced whole. A URL-encoded form can be
  // three times its secret's length.
  const forms = [...new Set(given.flatMap((secret) => [secret, encodeURIComponent(secret)]))].sort((a, b) => b.length - a.length);
  const scrub = (text: string) => forms.reduce((out, form) => out.split(form).join("[redacted]"), text);
  return Object.assign(scrub, { longest: forms[0]?.length ?? 0 });
}

const MAX_PENDING = 16 * 1024;

export class LineScrubber {
  private pending = "";

  constructor(
    private readonly scrub: (text: string) => string,
    private readonly holdBack: number,
    private readonly onLine: (line: string) => void,
  ) {}

  write(chunk: string): void {
    this.pending += chunk;
    let newline = this.pending.indexOf("\n");
    while (newline !== -1) {
      this.onLine(this.scrub(this.pending.slice(0, newline)));
      this.pending = this.pending.slice(newline + 1);
      newline = this.pending.indexOf("\n");
    }
    if (this.pending.length > MAX_PENDING) {
      // A line without end: release it once whole tokens are replaced, keeping back a token's
      // length less one, where the start of a token still to arrive could hide.
      const clean = this.scrub(this.pending);
      const cut = clean.length - this.holdBack;
      this.onLine(clean.slice(0, cut));
      this.pending = clean.slice(cut);
    }
  }

  end(): void {
    if (this.pending) this.onLine(this.scrub(this.pending));
    this.pending = "";
  }
}
