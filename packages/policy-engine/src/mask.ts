// Findings leave the engine (UI, stored violations, logs), so what they carry must identify a value
// to its owner ("the key ending 9f2a") without being usable. The vendor prefix is public, it only
// names the key type; of the random part at most a quarter, and never more than 4 characters, shows.

const ELLIPSIS = "…";

/** Longest first, so `sk-proj-` wins over `sk-`. */
const KNOWN_PREFIXES = [
  "sk-ant-api03-",
  "sk-ant-admin01-",
  "sk-ant-",
  "sk-svcacct-",
  "sk-admin-",
  "sk-proj-",
  "sk-None-",
  "sk-",
  "github_pat_",
  "ghp_",
  "gho_",
  "ghu_",
  "ghs_",
  "ghr_",
  "glpat-",
  "xoxa-",
  "xoxb-",
  "xoxo-",
  "xoxp-",
  "xoxr-",
  "xoxs-",
  "xapp-",
  "AKIA",
  "ASIA",
  "AIza",
  "dapi",
  "npm_",
  "hf_",
  "gsk_",
  "sk_live_",
  "sk_test_",
  "rk_live_",
  "rk_test_",
  "AccountKey=",
  "SharedAccessKey=",
  "sig=",
].sort((a, b) => b.length - a.length);

export function knownPrefix(value: string): string {
  return KNOWN_PREFIXES.find((p) => value.startsWith(p)) ?? "";
}

/**
 * `sk-proj-abc…xyz9f2a` → `sk-proj-…9f2a`. `prefix` is the public part to keep (a string it starts
 * with, or a length); by default a known vendor prefix is recognised.
 */
export function maskSecret(value: string, prefix?: string | number): string {
  let keep = typeof prefix === "number" ? prefix : prefix !== undefined && value.startsWith(prefix) ? prefix.length : knownPrefix(value).length;
  keep = Math.max(0, Math.min(keep, value.length));
  const secretPart = value.length - keep;
  // A prefix longer than the rest means the "prefix" is the secret; show none of it.
  if (keep > secretPart) keep = 0;
  const tail = Math.min(4, Math.floor((value.length - keep) / 4));
  return value.slice(0, keep) + ELLIPSIS + (tail > 0 ? value.slice(value.length - tail) : "");
}

/** `john.doe@example.com` → `j***@example.com` */
export function maskEmail(value: string): string {
  const at = value.lastIndexOf("@");
  if (at <= 0) return "***";
  return `${value[0]}***${value.slice(at)}`;
}

/** `4111 1111 1111 1111` → `****1111` */
export function maskCard(value: string): string {
  const digits = value.replace(/\D/g, "");
  return `****${digits.slice(-4)}`;
}

/** `123-45-6789` → `***-**-6789` */
export function maskSsn(value: string): string {
  const digits = value.replace(/\D/g, "");
  return `***-**-${digits.slice(-4)}`;
}

/** Keeps the layout and the last two digits: `+1 415-555-2671` → `+* ***-***-**71`. */
export function maskPhone(value: string): string {
  const total = value.replace(/\D/g, "").length;
  let seen = 0;
  let out = "";
  for (const ch of value) {
    if (ch >= "0" && ch <= "9") {
      seen++;
      out += seen > total - 2 ? ch : "*";
    } else out += ch;
  }
  return out;
}

/** `DE89 3704 0044 0532 0130 00` → `DE**…3000` */
export function maskIban(value: string): string {
  const compact = value.replace(/\s/g, "");
  return `${compact.slice(0, 2)}**${ELLIPSIS}${compact.slice(-4)}`;
}

/** `203.0.113.42` → `203.0.*.*`; IPv6 keeps the first group. */
export function maskIp(value: string): string {
  if (value.includes(":")) {
    const first = value.split(":")[0] ?? "";
    return `${first || ""}:${ELLIPSIS}`;
  }
  const parts = value.split(".");
  return `${parts[0]}.${parts[1]}.*.*`;
}

/** `postgres://user:pw@db.example.com:5432/x` → `postgres://***:***@db.example.com` */
export function maskUrlCredentials(value: string): string {
  const scheme = value.indexOf("://");
  const at = value.lastIndexOf("@");
  if (scheme === -1 || at < scheme) return maskSecret(value, 0);
  const host = value.slice(at + 1).split(/[/:?]/)[0] ?? "";
  return `${value.slice(0, scheme)}://***:***@${host}`;
}
