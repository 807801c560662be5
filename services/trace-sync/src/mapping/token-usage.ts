import { asObject, parseMaybeJson, toInt } from "./json.ts";

export interface TokenUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
}

/** Reads MLflow's `{input_tokens, output_tokens, total_tokens}` (also as JSON text). */
export function readTokenUsage(value: unknown): TokenUsage {
  const usage = asObject(parseMaybeJson(value));
  const inputTokens = toInt(usage.input_tokens ?? usage.prompt_tokens);
  const outputTokens = toInt(usage.output_tokens ?? usage.completion_tokens);
  const totalTokens = toInt(usage.total_tokens) ?? (inputTokens !== undefined && outputTokens !== undefined ? inputTokens + outputTokens : undefined);
  return { inputTokens, outputTokens, totalTokens };
}
