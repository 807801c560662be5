import { describe, expect, it } from "vitest";
import { LineScrubber, secretScrubber } from "../src/scrubber.ts";

describe("the bridge's stderr scrubber", () => {
  it("never lets out part of a URL-encoded secret split across chunks of a line without end", () => {
    const secret = "p@ss wörd/€+ä";
    const encoded = encodeURIComponent(secret);
    expect(encoded.length).toBeGreaterThan(2 * secret.length);
    const scrub = secretScrubber([secret]);
    expect(scrub.longest).toBe(encoded.length);
    const out: string[] = [];
    const lines = new LineScrubber(scrub, scrub.longest, (line) => out.push(line));
    // A runaway line (over the 16 KB kept pending) ends with all but the last character of the encoded form…
    lines.write(`${"x".repeat(17_000)}${encoded.slice(0, -1)}`);
    // …and the rest arrives in the next chunk.
    lines.write(`${encoded.slice(-1)} and on\n`);
    lines.end();
    const text = out.join("");
    expect(text).not.toContain(encoded.slice(0, 6));
    expect(text).toContain("[redacted] and on");
  });
});
