// USD per 1M tokens (input, output): providers' public list prices for standard (non-batch,
// non-cached) usage, checked in 2025. Databricks-hosted foundation models are billed in DBUs;
// their rows are the pay-per-token DBU rates × $0.07/DBU. These are estimates for governance
// thresholds, not invoices: override or extend them with the budget policy's `prices` config.

export interface ModelPrice {
  /** USD per 1M input tokens */
  input: number;
  /** USD per 1M output tokens */
  output: number;
}

export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  // OpenAI
  "gpt-5": { input: 1.25, output: 10 },
  "gpt-5-mini": { input: 0.25, output: 2 },
  "gpt-5-nano": { input: 0.05, output: 0.4 },
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  "gpt-4-turbo": { input: 10, output: 30 },
  "gpt-4-1106-preview": { input: 10, output: 30 },
  "gpt-4-0125-preview": { input: 10, output: 30 },
  "gpt-4": { input: 30, output: 60 },
  "gpt-3.5-turbo": { input: 0.5, output: 1.5 },
  o1: { input: 15, output: 60 },
  "o1-mini": { input: 1.1, output: 4.4 },
  o3: { input: 2, output: 8 },
  "o3-mini": { input: 1.1, output: 4.4 },
  "o4-mini": { input: 1.1, output: 4.4 },
  "text-embedding-3-small": { input: 0.02, output: 0 },
  "text-embedding-3-large": { input: 0.13, output: 0 },
  // Anthropic
  "claude-opus-4": { input: 15, output: 75 },
  "claude-sonnet-4": { input: 3, output: 15 },
  "claude-haiku-4.5": { input: 1, output: 5 },
  "claude-3.7-sonnet": { input: 3, output: 15 },
  "claude-3.5-sonnet": { input: 3, output: 15 },
  "claude-3.5-haiku": { input: 0.8, output: 4 },
  "claude-3-opus": { input: 15, output: 75 },
  "claude-3-sonnet": { input: 3, output: 15 },
  "claude-3-haiku": { input: 0.25, output: 1.25 },
  // Google
  "gemini-2.5-pro": { input: 1.25, output: 10 },
  "gemini-2.5-flash": { input: 0.3, output: 2.5 },
  "gemini-2.5-flash-lite": { input: 0.1, output: 0.4 },
  "gemini-2.0-flash": { input: 0.1, output: 0.4 },
  "gemini-1.5-pro": { input: 1.25, output: 5 },
  "gemini-1.5-flash": { input: 0.075, output: 0.3 },
  // Meta Llama on typical hosted APIs (AWS Bedrock list prices)
  "llama-3.3-70b": { input: 0.72, output: 0.72 },
  "llama-3.1-405b": { input: 2.4, output: 2.4 },
  "llama-3.1-70b": { input: 0.72, output: 0.72 },
  "llama-3.1-8b": { input: 0.22, output: 0.22 },
  "llama-4-maverick": { input: 0.24, output: 0.97 },
  "llama-4-scout": { input: 0.17, output: 0.66 },
  // Databricks Foundation Model APIs, pay-per-token (DBU/1M tokens × $0.07)
  "databricks-meta-llama-3.3-70b-instruct": { input: 0.5, output: 1.5 },
  "databricks-meta-llama-3.1-405b-instruct": { input: 5, output: 15 },
  "databricks-meta-llama-3.1-8b-instruct": { input: 0.15, output: 0.45 },
  "databricks-llama-4-maverick": { input: 0.5, output: 1.5 },
  "databricks-claude-3.7-sonnet": { input: 3, output: 15 },
  "databricks-claude-sonnet-4": { input: 3, output: 15 },
  "databricks-claude-opus-4": { input: 15, output: 75 },
  "databricks-gpt-oss-120b": { input: 0.15, output: 0.6 },
  "databricks-gpt-oss-20b": { input: 0.07, output: 0.3 },
  "databricks-dbrx-instruct": { input: 0.75, output: 2.25 },
  "databricks-mixtral-8x7b-instruct": { input: 0.5, output: 1 },
  "databricks-gte-large-en": { input: 0.13, output: 0 },
  "databricks-bge-large-en": { input: 0.1, output: 0 },
};

// Vendor/router prefixes in front of the model name: `openai/gpt-4o`, `bedrock/anthropic.claude…`,
// `us.anthropic.claude…` (Bedrock cross-region), `models/gemini…`, `meta-llama/Llama-3.3-70B…`.
const VENDOR_PREFIX =
  /^(?:(?:openai|azure|azure_ai|anthropic|bedrock|vertex_ai|google|gemini|models|meta|meta-llama|together_ai|groq|fireworks_ai)\/)+|^(?:(?:us|eu|apac)\.)?(?:anthropic|meta|amazon)\./;

/**
 * Lower case, vendor prefixes dropped, `.` and `_` between version digits unified to `-`:
 * `claude-3.5-sonnet` and `claude-3-5-sonnet-20241022` meet on `claude-3-5-sonnet`.
 */
export function normaliseModelName(model: string): string {
  let name = model.trim().toLowerCase();
  for (let previous = ""; previous !== name; ) {
    previous = name;
    name = name.replace(VENDOR_PREFIX, "");
  }
  return name
    .replace(/(\d)[._](?=\d)/g, "$1-")
    .replace(/_/g, "-")
    .replace(/\bllama(?=\d)/, "llama-");
}

interface PriceIndex {
  entries: Array<[string, ModelPrice]>;
}

function buildIndex(prices: Readonly<Record<string, ModelPrice>>): PriceIndex {
  const entries = Object.entries(prices).map(([name, price]): [string, ModelPrice] => [normaliseModelName(name), price]);
  // Longest first, so `gpt-4o-mini` is tried before `gpt-4o`, and `gpt-4o` before `gpt-4`.
  entries.sort((a, b) => b[0].length - a[0].length);
  return { entries };
}

const defaultIndex = buildIndex(MODEL_PRICES);

/** The price of a model, matched by the longest table name that prefixes its normalised name. */
export function priceFor(model: string, overrides?: Readonly<Record<string, ModelPrice>>): ModelPrice | null {
  const name = normaliseModelName(model);
  const indexes = overrides && Object.keys(overrides).length > 0 ? [buildIndex(overrides), defaultIndex] : [defaultIndex];
  for (const index of indexes) {
    for (const [prefix, price] of index.entries) {
      if (name === prefix || (name.startsWith(prefix) && /[-:@/]/.test(name[prefix.length] ?? ""))) return price;
    }
  }
  return null;
}

export function costUsd(price: ModelPrice, inputTokens: number, outputTokens: number): number {
  return (inputTokens * price.input + outputTokens * price.output) / 1_000_000;
}
