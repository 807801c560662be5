import type { RawMatch } from "./types.ts";

// Several rules can hit the same text (secretlint's and this engine's OpenAI rule; a PEM inside a
// service-account key; a card number that also parses as a phone number). One hit per span of text
// is kept: secrets over PII, then the longer match, then the more confident one.

function outranks(a: RawMatch, b: RawMatch): boolean {
  if (a.kind !== b.kind) return a.kind === "secret";
  const la = a.end - a.start;
  const lb = b.end - b.start;
  if (la !== lb) return la > lb;
  return a.confidence > b.confidence;
}

export function resolveOverlaps(matches: RawMatch[]): RawMatch[] {
  matches.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: RawMatch[] = [];
  for (const m of matches) {
    const last = kept[kept.length - 1];
    if (!last || m.start >= last.end) kept.push(m);
    else if (outranks(m, last)) kept[kept.length - 1] = m;
  }
  return kept;
}
