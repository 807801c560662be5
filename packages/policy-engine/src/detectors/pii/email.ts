import { parse } from "tldts";
import { maskEmail } from "../../mask.ts";
import { charAt, charBefore, occurrences } from "../chars.ts";
import type { TextDetector } from "../types.ts";

// Anchored on `@` (indexOf) and grown outwards, so text without `@` costs one indexOf. The domain
// must end in a public suffix tldts knows (ICANN or private section): that is what rejects
// `user@localhost`, `image@2x.png`, `pkg@1.2.3` and most other `x@y.z` lookalikes.

const LOCAL = new Uint8Array(128);
const DOMAIN = new Uint8Array(128);
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") {
  LOCAL[c.charCodeAt(0)] = 1;
  DOMAIN[c.charCodeAt(0)] = 1;
}
for (const c of "._%+-") LOCAL[c.charCodeAt(0)] = 1;
for (const c of ".-") DOMAIN[c.charCodeAt(0)] = 1;

const isLocal = (code: number) => code >= 0 && code < 128 && LOCAL[code] === 1;
const isDomain = (code: number) => code >= 0 && code < 128 && DOMAIN[code] === 1;

/** Top-level domains that are also common file extensions: `logo@brand.zip` is more likely a file. */
const FILE_LIKE_TLDS = new Set(["zip", "mov"]);
/** Addresses of machine identities, not people: a service account's e-mail is not personal data. */
const MACHINE_DOMAINS = /(?:^|\.)(?:iam\.gserviceaccount\.com|developer\.gserviceaccount\.com|users\.noreply\.github\.com)$/i;

function validDomain(domain: string): { ok: boolean; fileLike: boolean } {
  if (!domain.includes(".") || domain.length > 253) return { ok: false, fileLike: false };
  for (const label of domain.split(".")) {
    if (!label || label.length > 63 || label.startsWith("-") || label.endsWith("-")) return { ok: false, fileLike: false };
  }
  const parsed = parse(domain, { allowPrivateDomains: true });
  const ok = !parsed.isIp && parsed.domain !== null && (parsed.isIcann === true || parsed.isPrivate === true);
  return { ok, fileLike: FILE_LIKE_TLDS.has(parsed.publicSuffix ?? "") };
}

export const detectEmails: TextDetector = (text, out) => {
  for (const at of occurrences(text, "@")) {
    let start = at;
    while (start > 0 && at - start < 64 && isLocal(text.charCodeAt(start - 1))) start--;
    if (isLocal(charBefore(text, start))) continue; // local part longer than 64: not an address
    while (start < at && text[start] === ".") start++;
    if (start === at) continue;
    // `scheme://user:pass@host` is a URL credential, reported by the secret rules.
    const before = charBefore(text, start);
    if (before === 58 /* : */ || before === 47 /* / */) continue;
    let end = at + 1;
    while (end < text.length && end - at <= 253 && isDomain(text.charCodeAt(end))) end++;
    while (end > at + 1 && (text[end - 1] === "." || text[end - 1] === "-")) end--;
    if (charAt(text, end) === 64 /* @ */) continue;
    const local = text.slice(start, at);
    if (local.endsWith(".") || local.includes("..")) continue;
    const domain = text.slice(at + 1, end);
    const { ok, fileLike } = validDomain(domain);
    if (!ok) continue;
    const confidence = MACHINE_DOMAINS.test(domain) ? 0.2 : fileLike ? 0.4 : 0.95;
    out.push({ detector: "email", kind: "pii", start, end, confidence, masked: maskEmail(text.slice(start, end)) });
  }
};
