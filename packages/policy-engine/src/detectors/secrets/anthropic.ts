import { maskSecret } from "../../mask.ts";
import { BASE64URL, TOKEN, charBefore, inClass, looksRandom, occurrences, runEnd } from "../chars.ts";
import type { TextDetector } from "../types.ts";

// secretlint covers `sk-ant-api0N-…AA` API keys; admin (`sk-ant-admin01-`) and OAuth
// (`sk-ant-oat01-`) keys, and API keys whose length drifts from its window, are caught here.
// Both carry the `anthropic` detector, so a key is never reported as OpenAI's `sk-`.

const KIND = /^[a-z]{2,8}\d{2}-/;

export const detectAnthropic: TextDetector = (text, out) => {
  for (const at of occurrences(text, "sk-ant-")) {
    if (inClass(TOKEN, charBefore(text, at))) continue;
    const kind = KIND.exec(text.slice(at + 7, at + 18));
    if (!kind) continue;
    const body = at + 7 + kind[0].length;
    const end = runEnd(text, body, BASE64URL, 300);
    const length = end - body;
    if (length < 80 || length >= 300 || !looksRandom(text, body, end)) continue;
    const confidence = text.startsWith("AA", end - 2) ? 0.99 : 0.93;
    out.push({ detector: "anthropic", kind: "secret", start: at, end, confidence, masked: maskSecret(text.slice(at, end), body - at) });
  }
};
