import type { TextDetector } from "../types.ts";

// gitleaks' rule: a `-----BEGIN … PRIVATE KEY-----` header (any label, any case) is a private key
// with whatever body runs up to its END line. The body is not required to look like a real key:
// a key cut, re-wrapped, escaped or redacted by hand is still a key someone pasted into a trace
// (secretlint's own rule wants a body starting `MI`, which misses P-256 EC keys, encrypted PKCS#8
// and OpenSSH keys). A body that does look like one only raises the confidence. Where both rules
// hit, the overlap merges into one finding.

const HEADER = /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/gi;
const FOOTER = /-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/gi;
/** The longest body looked at: an 8192-bit RSA key is about 6.5 KB, a PGP key block more. */
const MAX_BODY = 32_000;
const KEY_LIKE = /^(?:M|b3BlbnNzaC1rZXktdjE)[A-Za-z0-9+/=]{60,}$/;

function firstAtOrAfter(sorted: readonly number[], position: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < position) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export const detectPemPrivateKey: TextDetector = (text, out) => {
  if (!text.includes("-----") || !/-----BEGIN/i.test(text)) return;
  // Every END line once, so a text of headers without footers costs one pass, not one per header.
  const footers: Array<{ at: number; end: number }> = [];
  for (const m of text.matchAll(FOOTER)) footers.push({ at: m.index, end: m.index + m[0].length });
  const footerStarts = footers.map((f) => f.at);
  let coveredTo = 0;
  for (const header of text.matchAll(HEADER)) {
    const at = header.index;
    if (at < coveredTo) continue; // inside the previous key
    const bodyStart = at + header[0].length;
    const footer = footers[firstAtOrAfter(footerStarts, bodyStart)];
    if (!footer || footer.at - bodyStart > MAX_BODY) continue;
    // The next header before this END line starts a key of its own: this one has no END.
    const nextHeader = text.slice(bodyStart, footer.at).search(/-----BEGIN/i);
    if (nextHeader !== -1) continue;
    // JSON-escaped newlines arrive as the two characters `\n`.
    const body = text.slice(bodyStart, footer.at).replace(/\\[nr]|\s/g, "");
    const label = header[0].slice(11, -5).trim().toUpperCase() || "PRIVATE KEY";
    out.push({
      detector: "private_key",
      kind: "secret",
      start: at,
      end: footer.end,
      confidence: KEY_LIKE.test(body) ? 0.97 : 0.8,
      masked: `PEM ${label} …(${footer.end - at} chars)`,
    });
    coveredTo = footer.end;
  }
};
