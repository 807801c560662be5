import { parsePhoneNumberFromString } from "libphonenumber-js/max";

// Synthetic credentials and PII with the right shape (charset, length, checksums) and random
// content: none is real. Seeded, so the corpus and the tests are reproducible. Formats that
// repository secret scanners flag (Databricks tokens, PEM private keys) are only ever built here,
// at runtime; corpus.jsonl stores every secret with a \u escape in it (see generate.ts).

export type Rng = () => number;

export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = LOWER.toUpperCase();
const DIGITS = "0123456789";
export const ALNUM = LOWER + UPPER + DIGITS;
const BASE64URL = `${ALNUM}-_`;
const BASE64 = `${ALNUM}+/`;
const HEX = "0123456789abcdef";
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function pick<T>(r: Rng, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)] as T;
}

export function chars(r: Rng, alphabet: string, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(r() * alphabet.length)];
  return out;
}

/** Random text over `alphabet` that contains a lower-case letter, an upper-case letter and a digit. */
export function mixed(r: Rng, alphabet: string, length: number): string {
  for (;;) {
    const s = chars(r, alphabet, length);
    if (/[a-z]/.test(s) && /[A-Z]/.test(s) && /\d/.test(s)) return s;
  }
}

const digits = (r: Rng, n: number) => chars(r, DIGITS, n);

export const keys = {
  openaiLegacy: (r: Rng) => `sk-${mixed(r, ALNUM, 20)}T3BlbkFJ${mixed(r, ALNUM, 20)}`,
  openaiLegacyUnmarked: (r: Rng) => `sk-${mixed(r, ALNUM, 48)}`,
  openaiProject: (r: Rng) => `sk-proj-${mixed(r, BASE64URL, 74)}T3BlbkFJ${mixed(r, BASE64URL, 74)}`,
  openaiProjectUnmarked: (r: Rng) => `sk-proj-${mixed(r, BASE64URL, 156)}`,
  openaiServiceAccount: (r: Rng) => `sk-svcacct-${mixed(r, BASE64URL, 74)}T3BlbkFJ${mixed(r, BASE64URL, 74)}`,
  anthropic: (r: Rng) => `sk-ant-api03-${mixed(r, BASE64URL, 93)}AA`,
  anthropicAdmin: (r: Rng) => `sk-ant-admin01-${mixed(r, BASE64URL, 93)}AA`,
  awsAccessKey: (r: Rng) => `${pick(r, ["AKIA", "ASIA"])}${chars(r, BASE32, 16)}`,
  awsSecretKey: (r: Rng) => mixed(r, BASE64, 40),
  github: (r: Rng) => `${pick(r, ["ghp", "gho", "ghu", "ghs", "ghr"])}_${mixed(r, ALNUM, 36)}`,
  githubFineGrained: (r: Rng) => `github_pat_${mixed(r, ALNUM, 22)}_${mixed(r, ALNUM, 59)}`,
  databricks: (r: Rng) => ["d", "a", "p", "i"].join("") + chars(r, HEX, 32),
  slackBot: (r: Rng) => `xoxb-${digits(r, 12)}-${digits(r, 13)}-${mixed(r, ALNUM, 24)}`,
  slackUser: (r: Rng) => `xoxp-${digits(r, 12)}-${digits(r, 12)}-${digits(r, 13)}-${chars(r, HEX, 32)}`,
  slackLegacy: (r: Rng) => `xoxs-${digits(r, 12)}-${digits(r, 12)}-${digits(r, 12)}-${chars(r, HEX, 64)}`,
  slackOther: (r: Rng) => `${pick(r, ["xoxa", "xoxr", "xoxo"])}-${digits(r, 11)}-${digits(r, 12)}-${mixed(r, ALNUM, 32)}`,
  google: (r: Rng) => `AIza${mixed(r, BASE64URL, 35)}`,
  azureConnection: (r: Rng) =>
    `DefaultEndpointsProtocol=https;AccountName=${chars(r, LOWER, 10)}store;AccountKey=${mixed(r, BASE64, 86)}==;EndpointSuffix=core.windows.net`,
  azureSas: (r: Rng) =>
    `https://${chars(r, LOWER, 8)}.blob.core.windows.net/reports/q3.pdf?sv=2022-11-02&ss=b&srt=sco&sp=rl&se=2026-03-01T00:00:00Z&st=2025-01-01T00:00:00Z&spr=https&sig=${mixed(r, ALNUM, 40)}%2B${mixed(r, ALNUM, 3)}%3D`,
};

const PEM_KINDS = {
  rsa: { label: "RSA PRIVATE KEY", head: "MIIEpAIBAAKCAQEA", size: 1560 },
  pkcs8: { label: "PRIVATE KEY", head: "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", size: 1590 },
  ec: { label: "EC PRIVATE KEY", head: "MHcCAQEEI", size: 220 },
  openssh: { label: "OPENSSH PRIVATE KEY", head: "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW", size: 360 },
} as const;

/** A PEM private-key block with a random body; `newline` is "\n", or "\\n" as inside JSON text. */
export function pemPrivateKey(r: Rng, kind: keyof typeof PEM_KINDS, newline = "\n"): string {
  const { label, head, size } = PEM_KINDS[kind];
  const body = head + chars(r, BASE64, size - head.length);
  const lines = body.match(/.{1,64}/g) ?? [];
  const dashes = "-----";
  return [`${dashes}${"BEG"}IN ${label}${dashes}`, ...lines, `${dashes}END ${label}${dashes}`].join(newline) + newline;
}

export function gcpServiceAccountJson(r: Rng, pretty = false): string {
  const project = `${chars(r, LOWER, 6)}-${digits(r, 6)}`;
  const value = {
    type: "service_account",
    project_id: project,
    private_key_id: chars(r, HEX, 40),
    private_key: pemPrivateKey(r, "pkcs8"),
    client_email: `etl-runner@${project}.iam.gserviceaccount.com`,
    client_id: digits(r, 21),
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    token_uri: "https://oauth2.googleapis.com/token",
  };
  return JSON.stringify(value, null, pretty ? 2 : undefined);
}

// ---------------------------------------------------------------------------------------------- PII

const FIRST = ["john", "maria", "wei", "fatima", "lars", "aiko", "pedro", "olga", "samir", "grace"];
const LAST = ["doe", "garcia", "zhang", "khan", "nielsen", "tanaka", "silva", "petrova", "haddad", "hopper"];
const DOMAINS = ["example.com", "gmail.com", "acme-corp.co.uk", "mail.example.org", "contoso.io", "uni-berlin.de", "fastmail.fm"];

export function email(r: Rng): string {
  const sep = pick(r, [".", "_", "", "+"]);
  const local = sep === "+" ? `${pick(r, FIRST)}+${pick(r, ["news", "test", "ai"])}` : `${pick(r, FIRST)}${sep}${pick(r, LAST)}`;
  return `${local}@${pick(r, DOMAINS)}`;
}

const PHONE_SHAPES: Array<(r: Rng) => string> = [
  (r) => `+1 ${pick(r, ["212", "415", "646", "312", "617"])}-${pick(r, "23456789".split(""))}${digits(r, 2)}-${digits(r, 4)}`,
  (r) => `(${pick(r, ["212", "415", "646", "312", "617"])}) ${pick(r, "23456789".split(""))}${digits(r, 2)}-${digits(r, 4)}`,
  (r) => `+44 20 7${digits(r, 3)} ${digits(r, 4)}`,
  (r) => `+49 30 ${digits(r, 8)}`,
  (r) => `+33 1 ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)}`,
  (r) => `+81 3-${digits(r, 4)}-${digits(r, 4)}`,
  (r) => `${pick(r, ["212", "415", "646"])}.${pick(r, "23456789".split(""))}${digits(r, 2)}.${digits(r, 4)}`,
  (r) => `+1-${pick(r, ["312", "617"])}-${pick(r, "23456789".split(""))}${digits(r, 2)}-${digits(r, 4)}`,
  (r) => `+1${pick(r, ["212", "415"])}${pick(r, "23456789".split(""))}${digits(r, 6)}`,
];

export function phone(r: Rng): string {
  for (;;) {
    const candidate = pick(r, PHONE_SHAPES)(r);
    if (parsePhoneNumberFromString(candidate, "US")?.isValid()) return candidate;
  }
}

function luhnCheckDigit(payload: string): string {
  let sum = 0;
  let double = true;
  for (let i = payload.length - 1; i >= 0; i--) {
    let d = Number(payload[i]);
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return String((10 - (sum % 10)) % 10);
}

const CARD_SHAPES = [
  { prefix: "4", length: 16, groups: [4, 4, 4, 4] },
  { prefix: "51", length: 16, groups: [4, 4, 4, 4] },
  { prefix: "2221", length: 16, groups: [4, 4, 4, 4] },
  { prefix: "37", length: 15, groups: [4, 6, 5] },
  { prefix: "6011", length: 16, groups: [4, 4, 4, 4] },
  { prefix: "3530", length: 16, groups: [4, 4, 4, 4] },
];

export function creditCard(r: Rng, separator: "" | " " | "-" = pick(r, ["", " ", "-"] as const), valid = true): string {
  const shape = pick(r, CARD_SHAPES);
  const payload = shape.prefix + digits(r, shape.length - shape.prefix.length - 1);
  const check = luhnCheckDigit(payload);
  const number = payload + (valid ? check : String((Number(check) + 1 + Math.floor(r() * 8)) % 10));
  if (!separator) return number;
  const parts: string[] = [];
  let i = 0;
  for (const g of shape.groups) {
    parts.push(number.slice(i, i + g));
    i += g;
  }
  return parts.join(separator);
}

export function ssn(r: Rng, separator = "-"): string {
  for (;;) {
    const area = String(1 + Math.floor(r() * 899)).padStart(3, "0");
    if (area === "666") continue;
    const group = String(1 + Math.floor(r() * 99)).padStart(2, "0");
    const serial = String(1 + Math.floor(r() * 9999)).padStart(4, "0");
    return [area, group, serial].join(separator);
  }
}

const IBAN_SHAPES: Record<string, (r: Rng) => string> = {
  DE: (r) => digits(r, 18),
  GB: (r) => `${pick(r, ["NWBK", "BARC", "HBUK"])}${digits(r, 14)}`,
  FR: (r) => `${digits(r, 10)}${chars(r, UPPER + DIGITS, 11)}${digits(r, 2)}`,
  NL: (r) => `${pick(r, ["ABNA", "INGB", "RABO"])}${digits(r, 10)}`,
  ES: (r) => digits(r, 20),
  IT: (r) => `${pick(r, UPPER.split(""))}${digits(r, 10)}${chars(r, UPPER + DIGITS, 12)}`,
  CH: (r) => digits(r, 17),
};

function ibanCheckDigits(country: string, bban: string): string {
  const rearranged = `${bban}${country}00`;
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return String(98 - remainder).padStart(2, "0");
}

export function iban(r: Rng, grouped = r() < 0.5): string {
  const country = pick(r, Object.keys(IBAN_SHAPES));
  const bban = (IBAN_SHAPES[country] as (r: Rng) => string)(r);
  const compact = `${country}${ibanCheckDigits(country, bban)}${bban}`;
  return grouped ? (compact.match(/.{1,4}/g) ?? []).join(" ") : compact;
}

export function publicIpv4(r: Rng): string {
  for (;;) {
    const o = [1 + Math.floor(r() * 222), Math.floor(r() * 256), Math.floor(r() * 256), 1 + Math.floor(r() * 254)];
    const [a, b] = o as [number, number];
    if (a === 10 || a === 127 || a === 100 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254)) continue;
    return o.join(".");
  }
}

export function publicIpv6(r: Rng): string {
  const group = () => chars(r, HEX, 1 + Math.floor(r() * 4)).replace(/^0+(?=.)/, "");
  return `2a0${1 + Math.floor(r() * 8)}:${group()}:${group()}:${group()}::${group()}`;
}
