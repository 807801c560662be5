/** Realistic agent traces for the benchmark: 8 spans, ~2 KB of text per input and output, a few
 * percent carrying a secret or PII. Secrets are assembled at run time from parts. */
const WORDS =
  "the agent asked for the quarterly revenue report and summarised the customer feedback from support tickets before drafting a reply with the refund policy and shipping times for orders placed last week in the europe region".split(
    " ",
  );

export function prose(bytes: number, seed: number): string {
  let out = "";
  let i = seed;
  while (out.length < bytes) {
    i = (i * 1103515245 + 12345) % 2147483648;
    out += `${WORDS[i % WORDS.length]}${i % 11 === 0 ? ". " : " "}`;
  }
  return out.slice(0, bytes);
}

const SECRETS = [
  () => `my key is ${["sk-proj-", "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa9876543210Qw"].join("")} please use it`,
  () => `card ${["4111", "1111", "1111", "1111"].join(" ")} expires 12/29`,
  () => `my social security number is ${["536", "22", "4478"].join("-")}`,
  () => `reach me at ${["jane.doe", "acme-corp.com"].join("@")} or +1 415 555 0132`,
];

export function traceText(index: number, bytes: number): string {
  const base = prose(bytes, index);
  // About 3% of traces carry one sensitive value.
  return index % 33 === 0 ? `${SECRETS[index % SECRETS.length]!()} ${base}`.slice(0, bytes + 120) : base;
}

export const CUSTOM_EXPRESSIONS = [
  `trace.durationMs != null && trace.durationMs > 60000.0`,
  `observations.exists(o, o.type == "TOOL" && o.name.matches("^(drop|delete)_"))`,
  `{"violated": size(observations) > 50, "message": "unusually many spans", "evidence": []}`,
  `trace.status == "ERROR" && !("retry" in trace.tags)`,
  `agents.exists(a, a.name.startsWith("experimental-")) && identity.userId == null`,
];
