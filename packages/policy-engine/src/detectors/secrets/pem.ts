import { occurrences } from "../chars.ts";
import type { TextDetector } from "../types.ts";

// secretlint's private-key rule requires the body to start with `MI` (ASN.1 with a two-byte
// length), which misses P-256 EC keys (`MHcC…`) and encrypted PKCS#8 keys. This rule accepts any
// DER body (`M…`) or OpenSSH body; where both rules hit, the overlap merges into one finding.

const BODY_CHARS = /^[A-Za-z0-9+/=\s\\n]*$/;
const HEADER = /^-----BEGIN ((?:RSA |DSA |EC |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?)-----/;

export const detectPemPrivateKey: TextDetector = (text, out) => {
  // Next footer position per label, remembered: a text of headers without footers must not
  // search to its end once per header.
  const nextFooter = new Map<string, number>();
  for (const at of occurrences(text, "-----BEGIN ")) {
    const header = HEADER.exec(text.slice(at, at + 60));
    if (!header) continue;
    const label = header[1] ?? "PRIVATE KEY";
    const footer = `-----END ${label}-----`;
    const bodyStart = at + header[0].length;
    let footerAt = nextFooter.get(label);
    if (footerAt === undefined || (footerAt !== -1 && footerAt < bodyStart)) {
      footerAt = text.indexOf(footer, bodyStart);
      nextFooter.set(label, footerAt);
    }
    if (footerAt === -1 || footerAt - bodyStart > 16000) continue;
    const body = text.slice(bodyStart, footerAt);
    if (!BODY_CHARS.test(body)) continue;
    // JSON-escaped newlines arrive as the two characters `\n`.
    const base64 = body.replace(/\\n|\s/g, "");
    if (base64.length < 64 || !(base64.startsWith("M") || base64.startsWith("b3BlbnNzaC1rZXktdjE"))) continue;
    const end = footerAt + footer.length;
    out.push({ detector: "private_key", kind: "secret", start: at, end, confidence: 0.97, masked: `PEM ${label} …(${end - at} chars)` });
  }
};
