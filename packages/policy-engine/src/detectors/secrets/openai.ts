import { maskSecret } from "../../mask.ts";
import { BASE64URL, ALNUM, TOKEN, charAt, charBefore, inClass, looksRandom, occurrences, runEnd } from "../chars.ts";
import type { TextDetector } from "../types.ts";

// secretlint's OpenAI rule only knows keys that carry the `T3BlbkFJ` marker at a fixed offset;
// project, service-account and admin keys issued since 2024 often do not, and legacy keys are
// plain `sk-` + 48 alphanumerics. This rule covers those; overlaps with secretlint are merged.

const TYPED = ["proj-", "svcacct-", "admin-", "None-"];
const MARKER = "T3BlbkFJ";

export const detectOpenAi: TextDetector = (text, out) => {
  for (const at of occurrences(text, "sk-")) {
    // Inside a longer token (a base64url blob, `task-…`): not a key.
    if (inClass(TOKEN, charBefore(text, at))) continue;
    let body = at + 3;
    if (text.startsWith("ant-", body)) continue; // Anthropic, see anthropic.ts
    const type = TYPED.find((t) => text.startsWith(t, body));
    if (type) body += type.length;
    const end = runEnd(text, body, type ? BASE64URL : ALNUM, 400);
    const next = charAt(text, end);
    if (inClass(TOKEN, next) || next === 61 /* = padding: a blob */) continue;
    const length = end - body;
    if (type ? length < 40 || length >= 400 : length !== 48) continue;
    if (!looksRandom(text, body, end)) continue;
    const marked = text.slice(body, end).includes(MARKER);
    out.push({ detector: "openai", kind: "secret", start: at, end, confidence: marked ? 0.99 : 0.9, masked: maskSecret(text.slice(at, end), body - at) });
  }
};
