// Tool names inside LLM payloads. Providers spell them differently:
//   OpenAI     tool_calls[].function.name (calls), tools[].function.name (offered)
//   Anthropic  content[] {type: "tool_use", name} (calls), tools[].name (offered)
//   LangChain  tool_calls[].name (calls)
//   Gemini     functionCall.name (calls), functionDeclarations[].name (offered)
// Payloads may arrive as JSON text (MLflow stores span inputs/outputs serialised), so strings that
// look like a JSON object or array are parsed once, up to a size limit.

export type ToolMention = "call" | "offer";

const MAX_DEPTH = 24;
const MAX_JSON_TEXT = 512 * 1024;

function nameOf(value: unknown): string | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  const fn = v.function;
  if (typeof fn === "object" && fn !== null && typeof (fn as Record<string, unknown>).name === "string") return (fn as Record<string, string>).name ?? null;
  return typeof v.name === "string" ? v.name : null;
}

function parseJsonText(value: string): unknown {
  const trimmed = value.trimStart();
  if (value.length > MAX_JSON_TEXT || !(trimmed.startsWith("{") || trimmed.startsWith("["))) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

export function collectToolMentions(payload: unknown, found: (name: string, mention: ToolMention) => void): void {
  const visit = (value: unknown, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    if (typeof value === "string") {
      const parsed = parseJsonText(value);
      if (parsed !== undefined) visit(parsed, depth + 1);
      return;
    }
    if (typeof value !== "object" || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    const v = value as Record<string, unknown>;
    if (v.type === "tool_use" && typeof v.name === "string") found(v.name, "call");
    const called = nameOf(v.functionCall ?? v.function_call);
    if (called) found(called, "call");
    for (const [list, mention] of [
      [v.tool_calls, "call"],
      [v.tools, "offer"],
      [v.functionDeclarations ?? v.function_declarations, "offer"],
    ] as const) {
      if (!Array.isArray(list)) continue;
      for (const item of list) {
        const name = nameOf(item);
        if (name) found(name, mention);
      }
    }
    for (const key in v) visit(v[key], depth + 1);
  };
  visit(payload, 0);
}
