import { detectInText } from "./scan-text.ts";

/** `text` with every secret and PII hit replaced by its masked form: safe to put in a message. */
export function redactText(text: string): string {
  const matches = detectInText(text);
  if (matches.length === 0) return text;
  let out = "";
  let at = 0;
  for (const m of matches) {
    out += text.slice(at, m.start) + m.masked;
    at = m.end;
  }
  return out + text.slice(at);
}
