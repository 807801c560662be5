import { isIPv6 } from "node:net";
import { maskIp } from "../../mask.ts";
import { textBefore } from "../context.ts";
import type { TextDetector } from "../types.ts";

// IP addresses identify a person's network, but most in agent traces are infrastructure: private
// ranges score low, and a dotted quad right after "version"/"build"/… is almost always a version.

// Not preceded by a word character or a dot: checked in code, since a leading lookbehind makes
// the regex engine try every position of the text (it was the costliest pattern of the scan).
const IPV4 = /(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)/g;
const WORD_OR_DOT = /[\w.]/;
const HEX_COLON = new Uint8Array(128);
for (const c of "0123456789abcdefABCDEF:.") HEX_COLON[c.charCodeAt(0)] = 1;
const WORD = /[\w:.]/;
const isHexColon = (code: number) => code < 128 && HEX_COLON[code] === 1;

/**
 * IPv6 candidates grown around each `:` (JSON and prose have many; almost all are a lone colon
 * between non-hex characters and cost two comparisons). A regex with a leading lookbehind was
 * 3× slower here because it is tried at every position.
 */
function* ipv6Candidates(text: string): Generator<{ start: number; end: number }> {
  let from = 0;
  for (;;) {
    const colon = text.indexOf(":", from);
    if (colon === -1) return;
    let start = colon;
    while (start > 0 && colon - start < 40 && isHexColon(text.charCodeAt(start - 1))) start--;
    let end = colon + 1;
    while (end < text.length && end - start < 46 && isHexColon(text.charCodeAt(end))) end++;
    from = end;
    while (text[start] === ".") start++;
    while (end > start && text[end - 1] === ".") end--;
    if (end - start < 3 || WORD.test(text[start - 1] ?? " ") || WORD.test(text[end] ?? " ")) continue;
    yield { start, end };
  }
}
const VERSION_CONTEXT = /\b(v|ver|version|release|build|firmware|rev|revision|sdk|driver|patch|tag|update)\s*[:=#@-]?\s*$/;

function ipv4Confidence(octets: number[]): number {
  const [a = 0, b = 0] = octets;
  if (a === 0 || a === 127 || a >= 224 || octets.every((o) => o === 255)) return 0.1;
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127)) {
    return 0.3;
  }
  return 0.75;
}

function ipv6Confidence(value: string): number {
  const v = value.toLowerCase();
  if (v === "::1" || /^fe[89ab]/.test(v) || /^f[cd]/.test(v) || /^0*:/.test(v)) return 0.3;
  return 0.6;
}

export const detectIps: TextDetector = (text, out) => {
  for (const m of text.matchAll(IPV4)) {
    if (m.index > 0 && WORD_OR_DOT.test(text[m.index - 1] as string)) continue;
    const parts = m[0].split(".");
    if (parts.some((p) => p.length > 1 && p.startsWith("0"))) continue; // zero-padded: a version or date
    const octets = parts.map(Number);
    if (octets.some((o) => o > 255)) continue;
    const version = VERSION_CONTEXT.test(textBefore(text, m.index, 24));
    out.push({
      detector: "ip_address",
      kind: "pii",
      start: m.index,
      end: m.index + m[0].length,
      confidence: version ? 0.1 : ipv4Confidence(octets),
      masked: maskIp(m[0]),
    });
  }
  for (const { start, end } of ipv6Candidates(text)) {
    const value = text.slice(start, end);
    if (!value.includes("::") && value.split(":").length < 8) continue;
    if (!/[0-9a-fA-F]{2}/.test(value) || !isIPv6(value)) continue;
    out.push({ detector: "ip_address", kind: "pii", start, end, confidence: ipv6Confidence(value), masked: maskIp(value) });
  }
};
