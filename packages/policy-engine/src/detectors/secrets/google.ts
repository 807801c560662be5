import { maskSecret } from "../../mask.ts";
import { BASE64URL, TOKEN, charBefore, inClass, looksRandom, occurrences, runEnd } from "../chars.ts";
import type { TextDetector } from "../types.ts";

// Google API keys (Maps, Gemini, Firebase…): `AIza` + 35 base64url characters. Not in secretlint.

export const detectGoogleApiKey: TextDetector = (text, out) => {
  for (const at of occurrences(text, "AIza")) {
    if (inClass(TOKEN, charBefore(text, at))) continue;
    const end = runEnd(text, at + 4, BASE64URL, 36);
    if (end - at !== 39 || !looksRandom(text, at + 4, end)) continue;
    out.push({ detector: "google_api_key", kind: "secret", start: at, end, confidence: 0.92, masked: maskSecret(text.slice(at, end), 4) });
  }
};
