import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as s from "./synthetic.ts";

// Writes corpus.jsonl: labelled strings for the detectors' precision/recall test. Regenerate with
//   pnpm exec tsx packages/policy-engine/test/corpus/generate.ts
// Output is deterministic (seeded). Secret-looking substrings are stored with one character as a
// JSON \u escape, so the committed file matches no secret scanner's pattern; JSON.parse restores them.

export interface Expectation {
  detector: string;
  /** A substring of `text` the finding must overlap. */
  match?: string;
}

export interface CorpusEntry {
  text: string;
  expect: Expectation[];
}

const r = s.rng(20250601);
const entries: CorpusEntry[] = [];
const add = (text: string, ...expect: Expectation[]) => entries.push({ text, expect });

// ------------------------------------------------------------------------------------- secrets

type Context = (key: string) => string;
const CONTEXTS: Record<string, Context> = {
  prose: (k) => `Here is the key you asked for: ${k}. Please rotate it after the demo.`,
  json: (k) => JSON.stringify({ api_key: k, model: "gpt-4o", temperature: 0.2 }),
  code: (k) => `client = Client(api_key="${k}", timeout=30)\nresult = client.run(query)`,
  env: (k) => `export SERVICE_TOKEN=${k}\nexport LOG_LEVEL=debug`,
  yaml: (k) => `credentials:\n  token: '${k}'\n  region: us-east-1`,
  tool: (k) => `{"tool": "http_request", "arguments": {"headers": {"Authorization": "Bearer ${k}"}}}`,
  markdown: (k) => `Set the variable to \`${k}\` and restart.`,
  html: (k) => `<input type="hidden" name="token" value="${k}"/>`,
};

function keyed(detector: string, generators: Array<(r: s.Rng) => string>, count: number, contexts = ["prose", "json", "code"]): void {
  for (let i = 0; i < count; i++) {
    const key = (generators[i % generators.length] as (r: s.Rng) => string)(r);
    for (const c of contexts) add((CONTEXTS[c] as Context)(key), { detector, match: key });
  }
}

const k = s.keys;
keyed("openai", [k.openaiLegacy, k.openaiProject, k.openaiProjectUnmarked, k.openaiServiceAccount, k.openaiLegacyUnmarked], 5, [
  "prose",
  "json",
  "code",
  "env",
]);
keyed("anthropic", [k.anthropic, k.anthropicAdmin], 4, ["prose", "json", "code", "env"]);
keyed("aws_access_key", [k.awsAccessKey], 5, ["prose", "json", "code", "yaml"]);
keyed("github", [k.github, k.githubFineGrained], 6, ["prose", "json", "code", "markdown"]);
keyed("databricks", [k.databricks], 5, ["prose", "json", "code", "tool"]);
keyed("slack", [k.slackBot, k.slackUser, k.slackLegacy, k.slackOther], 4, ["prose", "json", "code", "env"]);
keyed("google_api_key", [k.google], 5, ["prose", "json", "code", "html"]);

const awsSecret = (rr: s.Rng) => s.mixed(rr, `${s.ALNUM}+/`, 39) + s.chars(rr, s.ALNUM, 1);
for (let i = 0; i < 4; i++) {
  const id = k.awsAccessKey(r);
  const secret = awsSecret(r);
  add(
    `[default]\naws_access_key_id = ${id}\naws_secret_access_key = ${secret}\n`,
    { detector: "aws_access_key", match: id },
    { detector: "aws_secret_key", match: secret },
  );
  const other = awsSecret(r);
  add(
    JSON.stringify({ AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: other }),
    { detector: "aws_access_key", match: id },
    { detector: "aws_secret_key", match: other },
  );
}

for (const kind of ["rsa", "pkcs8", "ec", "openssh"] as const) {
  for (let i = 0; i < 3; i++) {
    const pem = s.pemPrivateKey(r, kind);
    const header = pem.split("\n")[0] as string;
    add(`Use this deploy key:\n${pem}\nthen run the job.`, { detector: "private_key", match: header });
    add(JSON.stringify({ ssh_key: pem, host: "build-01" }), { detector: "private_key", match: header });
  }
}

for (let i = 0; i < 4; i++) {
  add(s.gcpServiceAccountJson(r, i % 2 === 0), { detector: "gcp_service_account", match: "PRIVATE KEY-----" });
  add(JSON.stringify({ role: "tool", content: s.gcpServiceAccountJson(r) }), { detector: "gcp_service_account", match: "PRIVATE KEY-----" });
  add(`The credentials file contains: ${s.gcpServiceAccountJson(r, true)}`, { detector: "gcp_service_account", match: "PRIVATE KEY-----" });
}

for (let i = 0; i < 5; i++) {
  const connection = k.azureConnection(r);
  const accountKey = /AccountKey=[^;]+/.exec(connection)?.[0] as string;
  add(`AZURE_STORAGE_CONNECTION_STRING="${connection}"`, { detector: "azure_connection_string", match: accountKey });
  add(JSON.stringify({ connection_string: connection }), { detector: "azure_connection_string", match: accountKey });
  add(`conn = BlobServiceClient.from_connection_string("${connection}")`, { detector: "azure_connection_string", match: accountKey });
  const sas = k.azureSas(r);
  const sig = /sig=.+$/.exec(sas)?.[0] as string;
  add(`Download it from ${sas} before Friday.`, { detector: "azure_sas_token", match: sig });
  add(JSON.stringify({ url: sas, expires: "2026-03-01" }), { detector: "azure_sas_token", match: sig });
  add(`requests.get("${sas}")`, { detector: "azure_sas_token", match: sig });
}

// ------------------------------------------------------------------------------------------ PII

const PII_CONTEXTS: Array<(v: string) => string> = [
  (v) => `Please contact the customer at ${v} about the refund.`,
  (v) => JSON.stringify({ customer: { name: "Test User", value: v } }),
  (v) => `| id | value |\n| 17 | ${v} |`,
  (v) => `Customer (${v}) asked for a callback.`,
];

function pii(detector: string, make: () => string, count: number): void {
  for (let i = 0; i < count; i++) {
    const value = make();
    add((PII_CONTEXTS[i % PII_CONTEXTS.length] as (v: string) => string)(value), { detector, match: value });
  }
}

pii("email", () => s.email(r), 15);
add(`cc: ${s.email(r)}, ${s.email(r)}`, { detector: "email" }, { detector: "email" });
add(`From: Grace Hopper <grace.hopper@navy.example.com>`, { detector: "email", match: "grace.hopper@navy.example.com" });
pii("phone", () => s.phone(r), 24);
pii("credit_card", () => s.creditCard(r), 20);
for (let i = 0; i < 3; i++) {
  const card = s.creditCard(r, " ");
  add(`card ${card} exp 12/27 cvv 123`, { detector: "credit_card", match: card });
}
pii("us_ssn", () => s.ssn(r), 14);
for (let i = 0; i < 4; i++) {
  const value = s.ssn(r, " ");
  add(`Applicant SSN: ${value}`, { detector: "us_ssn", match: value });
}
pii("iban", () => s.iban(r), 18);
pii("ip_address", () => s.publicIpv4(r), 10);
pii("ip_address", () => s.publicIpv6(r), 4);

// ------------------------------------------------------------------------------- hard negatives

const hex = (n: number) => s.chars(r, "0123456789abcdef", n);
const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
for (let i = 0; i < 6; i++) add(`request_id=${uuid()} trace ${uuid()}`);
for (let i = 0; i < 6; i++) add(`Merged commit ${hex(40)} into main (parent ${hex(40)})`);
for (let i = 0; i < 6; i++) add(`"digest": "sha256:${hex(64)}"`);
for (let i = 0; i < 4; i++) add(`"integrity": "sha512-${s.chars(r, `${s.ALNUM}+/`, 86)}=="`);
for (let i = 0; i < 6; i++)
  add(`{"ts": ${1_700_000_000_000 + Math.floor(r() * 99_999_999_999)}, "started_ms": "${1_690_000_000_000 + Math.floor(r() * 9_999_999_999)}"}`);
for (let i = 0; i < 8; i++) add(`Card on file: ${s.creditCard(r, pick([" ", "-", ""]), false)}`);
for (const v of [
  "1.2.3",
  "v10.0.0.1",
  "version 1.2.3.4",
  "release 4.3.2.1",
  "node v20.19.0",
  "Firmware 2.10.1.4 installed",
  "bump to 0.12.7",
  "build 1.0.0.1234",
])
  add(`Upgraded to ${v} yesterday.`);
for (const v of ["AKIAIOSFODNN7EXAMPLE", "AKIAI44QH8DHBEXAMPLE", "ASIAIOSFODNN7EXAMPLE", "AKIAXXXXXXXXXXXXXXXX"]) add(`aws_access_key_id = ${v}`);
add("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
for (let i = 0; i < 4; i++) add(`data:application/octet-stream;base64,${s.chars(r, s.ALNUM, 40)}sk-${s.chars(r, s.ALNUM, 48)}${s.chars(r, s.ALNUM, 20)}`);
for (let i = 0; i < 3; i++) add(`token=${s.chars(r, `${s.ALNUM}_-`, 30)}sk-proj-${s.chars(r, `${s.ALNUM}_-`, 60)}`);
const placeholders = [
  "sk-your-api-key-here",
  `sk-${"x".repeat(48)}`,
  `ghp_${"x".repeat(36)}`,
  ["xoxb", "your", "bot", "token"].join("-"),
  `AIza${"X".repeat(35)}`,
  "pip install scikit-learn  # sk-learn",
  "task-1234 and disk-usage",
];
for (const v of placeholders) {
  add(`OPENAI_API_KEY=${v}`);
}
for (const v of ["image@2x.png", "user@localhost", "npm install lodash@4.17.21", "@types/node@20.11.5", "icon@3x.jpg in assets/"]) add(`See ${v} for details.`);
for (const v of ["123-45-6789", "078-05-1120", "000-12-3456", "666-12-3456", "912-34-5678", "111-11-1111", "123-00-4567", "123-45-0000"])
  add(`SSN on the form: ${v}`);
for (let i = 0; i < 4; i++) {
  const valid = s.iban(r, false);
  const broken = valid.slice(0, 2) + String((Number(valid.slice(2, 4)) + 1) % 100).padStart(2, "0") + valid.slice(4);
  add(`IBAN ${broken}`);
}
for (const v of ["10.0.0.12", "192.168.1.20", "127.0.0.1", "0.0.0.0", "172.16.4.9"]) add(`listening on ${v}:8080`);
for (const v of [
  "2024-01-15 10:30:00",
  "Order #12345678 shipped",
  "Total: $1,234.56",
  "ISBN 978-3-16-148410-0",
  "color: #ff8800;",
  "at 12:30:45.123",
  "page 1 of 12",
  "20240611.3",
])
  add(v);
add(`-----BEGIN PUBLIC KEY-----\n${s.chars(r, `${s.ALNUM}+/`, 64)}\n${s.chars(r, `${s.ALNUM}+/`, 64)}\n-----END PUBLIC KEY-----`);
add(`-----BEGIN CERTIFICATE-----\nMIID${s.chars(r, `${s.ALNUM}+/`, 60)}\n-----END CERTIFICATE-----`);
add(`Bearer eyJhbGciOiJIUzI1NiJ9.${s.chars(r, `${s.ALNUM}_-`, 40)}.${s.chars(r, `${s.ALNUM}_-`, 43)}`);

function pick<T>(items: readonly T[]): T {
  return s.pick(r, items);
}

// -------------------------------------------------------------------------------------- writing

/** Split every secret-looking trigger with a \u escape (second character), inside the JSON text. */
const TRIGGERS = [
  "sk-",
  "AKIA",
  "ASIA",
  "ghp_",
  "gho_",
  "ghu_",
  "ghs_",
  "ghr_",
  "github_pat_",
  "dapi",
  "xox",
  "AIza",
  "BEGIN",
  "PRIVATE KEY",
  "AccountKey",
  "sig=",
  "service_account",
  "private_key",
  "secret",
  "SECRET",
];

function escapeTriggers(line: string): string {
  let out = line;
  for (const t of TRIGGERS) {
    const escaped = `${t[0]}\\u${(t.charCodeAt(1) as number).toString(16).padStart(4, "0")}${t.slice(2)}`;
    out = out.split(t).join(escaped);
  }
  return out;
}

export const CORPUS_PATH = fileURLToPath(new URL("./corpus.jsonl", import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const lines = entries.map((e) => escapeTriggers(JSON.stringify(e)));
  for (const [i, line] of lines.entries()) {
    if (JSON.stringify(JSON.parse(line)) !== JSON.stringify(entries[i])) throw new Error(`escaping broke entry ${i}`);
  }
  writeFileSync(CORPUS_PATH, `${lines.join("\n")}\n`);
  console.log(`wrote ${lines.length} entries to ${CORPUS_PATH}`);
}
