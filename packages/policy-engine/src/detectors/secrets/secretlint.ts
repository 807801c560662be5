import { rules as recommendedRules } from "@secretlint/secretlint-rule-preset-recommend";
import { charge } from "../../budget.ts";
import { rarestOffset } from "../chars.ts";
import { maskSecret, maskUrlCredentials } from "../../mask.ts";
import type { TextDetector } from "../types.ts";
import { awsSecretRange, isAwsAccessKeyId } from "./aws.ts";
import { hasSlackIds, isPlaceholder } from "./placeholder.ts";

// secretlint's recommended preset is the maintained rule set, so it is the first source for every
// provider it covers. Its entry point, `lintSource`, is async (it fans out through a promise event
// emitter) although each rule's `file()` handler is synchronous; policies are pure synchronous
// functions, so this module calls the rules' handlers directly with the small part of the rule
// context they use (`report` and `createTranslator`). test/secretlint-parity.test.ts checks that
// this gives the same hits as `lintSource` on the labelled corpus.

type Refine = (text: string, start: number, end: number) => { detector: string; start: number; end: number; masked: string } | null;

const plain =
  (detector: string, valid: (value: string) => boolean = () => true): Refine =>
  (text, start, end) => {
    const value = text.slice(start, end);
    return isPlaceholder(value) || !valid(value) ? null : { detector, start, end, masked: maskSecret(value) };
  };
const urlCredentials =
  (detector: string): Refine =>
  (text, start, end) => ({ detector, start, end, masked: maskUrlCredentials(text.slice(start, end)) });

interface RuleUse {
  /**
   * Literals (or case-insensitive patterns) the rule's own regexes cannot match without: when none
   * occurs, the rule is skipped. Most traces contain none of them, which halves scanning time.
   */
  triggers: ReadonlyArray<string | RegExp>;
  options?: Record<string, unknown>;
  /** By messageId; `*` for any. Returning null drops the report. */
  refine: Record<string, Refine>;
}

const RULES: Record<string, RuleUse> = {
  "@secretlint/secretlint-rule-aws": {
    triggers: ["AKIA", "ASIA", /secret/i],
    // Access key ids are off by default in secretlint; they are what leaks most in agent traces.
    options: { enableIDScanRule: true },
    refine: {
      AWSAccessKeyID: (text, start, end) =>
        isAwsAccessKeyId(text.slice(start, end)) ? { detector: "aws_access_key", start, end, masked: maskSecret(text.slice(start, end), 4) } : null,
      // secretlint's range starts at the `aws_secret_access_key=` label, not at the key.
      AWSSecretAccessKey: (text, start) => {
        const range = awsSecretRange(text, start);
        return range ? { detector: "aws_secret_key", ...range, masked: maskSecret(text.slice(range.start, range.end), 0) } : null;
      },
      // Account ids identify, they do not authenticate.
      AWSAccountID: () => null,
    },
  },
  "@secretlint/secretlint-rule-privatekey": {
    triggers: ["PRIVATE KEY"],
    refine: {
      "*": (text, start, end) => {
        const header = /PRIVATE KEY/.exec(text.slice(start, Math.min(end, start + 60)));
        const label = text.slice(start, start + (header ? header.index + header[0].length : 0)).replace(/^-+BEGIN ?/, "");
        return { detector: "private_key", start, end, masked: `PEM ${label || "PRIVATE KEY"} …(${end - start} chars)` };
      },
    },
  },
  "@secretlint/secretlint-rule-github": { triggers: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"], refine: { "*": plain("github") } },
  "@secretlint/secretlint-rule-databricks": { triggers: ["dapi"], refine: { "*": plain("databricks") } },
  "@secretlint/secretlint-rule-slack": {
    triggers: ["xox", "xapp-", /hooks\.slack\.com/i],
    refine: { SLACK_TOKEN: plain("slack", hasSlackIds), "*": plain("slack_webhook") },
  },
  "@secretlint/secretlint-rule-openai": { triggers: ["sk-"], refine: { "*": plain("openai") } },
  "@secretlint/secretlint-rule-anthropic": { triggers: ["sk-ant-api0"], refine: { "*": plain("anthropic") } },
  "@secretlint/secretlint-rule-npm": { triggers: ["npm_", "_authToken", "x-oauth-basic"], refine: { "*": plain("npm") } },
  "@secretlint/secretlint-rule-basicauth": { triggers: ["://"], refine: { "*": urlCredentials("basic_auth") } },
  "@secretlint/secretlint-rule-database-connection-string": { triggers: ["://"], refine: { "*": urlCredentials("database_connection_string") } },
  "@secretlint/secretlint-rule-shopify": { triggers: ["shppa_", "shpca_", "shpat_", "shpss_"], refine: { "*": plain("shopify") } },
  "@secretlint/secretlint-rule-stripe": { triggers: ["k_live_", "k_test_"], refine: { "*": plain("stripe") } },
  "@secretlint/secretlint-rule-gitlab": { triggers: ["glpat-"], refine: { "*": plain("gitlab") } },
  "@secretlint/secretlint-rule-grafana": { triggers: ["glc_", "glsa_"], refine: { "*": plain("grafana") } },
  "@secretlint/secretlint-rule-groq": { triggers: ["gsk_"], refine: { "*": plain("groq") } },
  "@secretlint/secretlint-rule-huggingface": { triggers: ["hf_"], refine: { "*": plain("huggingface") } },
  "@secretlint/secretlint-rule-linear": { triggers: ["lin_api_"], refine: { "*": plain("linear") } },
  "@secretlint/secretlint-rule-notion": { triggers: ["ntn_"], refine: { "*": plain("notion") } },
  "@secretlint/secretlint-rule-1password": { triggers: ["ops_ey"], refine: { "*": plain("1password") } },
  "@secretlint/secretlint-rule-hashicorp-vault": { triggers: ["hvs.", "hvb.", "hvr."], refine: { "*": plain("hashicorp_vault") } },
  "@secretlint/secretlint-rule-vercel": { triggers: ["vcp_", "vci_", "vca_", "vcr_", "vck_"], refine: { "*": plain("vercel") } },
  "@secretlint/secretlint-rule-docker": { triggers: ["dckr_pat_"], refine: { "*": plain("docker") } },
  "@secretlint/secretlint-rule-figma": { triggers: ["figd_"], refine: { "*": plain("figma") } },
  "@secretlint/secretlint-rule-cloudflare": { triggers: ["cfk_", "cfut_", "cfat_"], refine: { "*": plain("cloudflare") } },
  "@secretlint/secretlint-rule-tailscale": { triggers: ["tskey-"], refine: { "*": plain("tailscale") } },
  // Left out on purpose:
  // - gcp: only inspects whole `.json`/`.p12` files; gcp-service-account.ts covers fields.
  // - sendgrid: `\w{1,128}([-_]?)\w{1,128}` can backtrack quadratically on long word runs.
  // - filter-comments: honours `secretlint-disable` comments, which the traced text itself could carry.
};

export const SECRETLINT_RULE_IDS: readonly string[] = Object.keys(RULES);

export interface SecretlintReport {
  ruleId: string;
  messageId: string;
  range: readonly [number, number];
}

type FileHandler = (source: { content: string; filePath?: string; ext: string; contentType: "text" }) => unknown;

/** The part of secretlint's rule creator type used here (its types package is not a direct dependency). */
interface RuleCreator {
  meta: { id: string };
  create(context: unknown, options: unknown): { file?: FileHandler };
}

let pending: Array<Omit<SecretlintReport, "ruleId">> = [];

const context = {
  sharedOptions: {},
  createTranslator: () => (messageId: string) => ({ message: messageId, messageId }),
  report: (descriptor: { message: { messageId: string }; range: readonly [number, number] }) => {
    pending.push({ messageId: descriptor.message.messageId, range: descriptor.range });
  },
  ignore: () => {},
};

// The literal triggers are found by `indexOf` of each literal's rarest character (`_`, `-`, `:` or a
// capital before any lower-case letter, and lower-case letters by their frequency in English),
// checked for the whole literal where found. An alternation of all ~50 literals tried at every
// position, or `includes` of literals starting with common letters, cost more than every rule
// together on ordinary prose. A found literal also counts for the literals inside it
// (`npm_authToken` holds `npm_` and `_authToken`).
const LITERALS = [...new Set(Object.values(RULES).flatMap((u) => u.triggers.filter((t): t is string => typeof t === "string")))];
const CONTAINED = new Map(LITERALS.map((l) => [l, LITERALS.filter((other) => l.includes(other))]));
/** The literal's rarest character, and the character next to it that narrows the search most. */
function anchorOf(literal: string): { char: string; offset: number; side: "after" | "before" | "none" } {
  const offset = rarestOffset(literal);
  const side = offset + 1 < literal.length ? "after" : offset > 0 ? "before" : "none";
  return { char: literal[offset] as string, offset, side };
}

interface Anchored {
  literal: string;
  /** Where the anchor character is in the literal. */
  offset: number;
}

/**
 * Per anchor character, one `indexOf` walk over its occurrences; at each, only the literals whose
 * neighbouring character matches the text's are compared. Code and JSON are full of `_` and `-`:
 * one walk each, not one per literal.
 */
const BY_CHAR = new Map<string, { after: Map<number, Anchored[]>; before: Map<number, Anchored[]>; always: Anchored[] }>();
for (const literal of LITERALS) {
  const { char, offset, side } = anchorOf(literal);
  let group = BY_CHAR.get(char);
  if (!group) BY_CHAR.set(char, (group = { after: new Map(), before: new Map(), always: [] }));
  const entry = { literal, offset };
  if (side === "none") group.always.push(entry);
  else {
    const map = side === "after" ? group.after : group.before;
    const neighbour = literal.charCodeAt(side === "after" ? offset + 1 : offset - 1);
    map.set(neighbour, [...(map.get(neighbour) ?? []), entry]);
  }
}

export function literalsIn(text: string): Set<string> {
  const found = new Set<string>();
  const check = (entries: Anchored[] | undefined, at: number) => {
    if (!entries) return;
    for (const { literal, offset } of entries) {
      if (found.has(literal) || !text.startsWith(literal, at - offset)) continue;
      for (const l of CONTAINED.get(literal) ?? []) found.add(l);
    }
  };
  for (const [char, { after, before, always }] of BY_CHAR) {
    for (let at = text.indexOf(char); at !== -1; at = text.indexOf(char, at + 1)) {
      check(always, at);
      check(after.get(text.charCodeAt(at + 1)), at);
      check(before.get(text.charCodeAt(at - 1)), at);
    }
  }
  return found;
}

const mayMatch = (use: RuleUse, text: string, literals: ReadonlySet<string>) =>
  use.triggers.some((t) => (typeof t === "string" ? literals.has(t) : t.test(text)));

const handlers: Array<{ ruleId: string; use: RuleUse; file: FileHandler }> = (recommendedRules as unknown as RuleCreator[]).flatMap((rule) => {
  const use = RULES[rule.meta.id];
  if (!use) return [];
  const created = rule.create(context, use.options ?? {});
  return created.file ? [{ ruleId: rule.meta.id, use, file: created.file }] : [];
});

/** The options each used rule runs with (for running the same set through `lintSource`). */
export function secretlintRuleOptions(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Object.entries(RULES).map(([id, use]) => [id, use.options ?? {}]));
}

if (handlers.length !== SECRETLINT_RULE_IDS.length) {
  throw new Error(`secretlint preset no longer provides every rule this engine uses (${handlers.length}/${SECRETLINT_RULE_IDS.length})`);
}

function runRule(file: FileHandler, text: string): Array<Omit<SecretlintReport, "ruleId">> {
  pending = [];
  try {
    const result = file({ content: text, ext: "", contentType: "text" });
    if (result instanceof Promise) throw new Error("a secretlint rule became asynchronous; see secretlint.ts");
    return pending;
  } finally {
    pending = [];
  }
}

/** What the rules report, unrefined: for comparing with `lintSource`. */
export function secretlintReports(text: string): SecretlintReport[] {
  const literals = literalsIn(text);
  return handlers.flatMap(({ ruleId, use, file }) => (mayMatch(use, text, literals) ? runRule(file, text).map((r) => ({ ruleId, ...r })) : []));
}

export const detectWithSecretlint: TextDetector = (text, out) => {
  const literals = literalsIn(text);
  for (const { use, file } of handlers) {
    if (!mayMatch(use, text, literals)) continue;
    charge(0); // a custom policy's clock, between rules
    for (const report of runRule(file, text)) {
      const refine = use.refine[report.messageId] ?? use.refine["*"];
      const hit = refine?.(text, report.range[0], report.range[1]);
      if (hit) out.push({ ...hit, kind: "secret", confidence: 0.95 });
    }
  }
};
