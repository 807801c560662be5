import { maskSecret } from "../../mask.ts";
import { ALNUM, TOKEN, charBefore, inClass, occurrences, runEnd } from "../chars.ts";
import type { TextDetector } from "../types.ts";

// secretlint's Slack rule knows xoxb/xoxp/xoxa/xoxo/xoxr and xapp; legacy workspace tokens
// (`xoxs-`) are only caught here. Token: `xox?-` then dash-separated numeric ids and a random part.

const TYPES = new Set(["a", "b", "p", "o", "s", "r"]);
const BODY = (() => {
  const t = new Uint8Array(128);
  for (let i = 0; i < 128; i++) if (ALNUM[i]) t[i] = 1;
  t[45] = 1; // -
  return t;
})();

export const detectSlack: TextDetector = (text, out) => {
  for (const at of occurrences(text, "xox")) {
    if (!TYPES.has(text[at + 3] ?? "") || text[at + 4] !== "-") continue;
    if (inClass(TOKEN, charBefore(text, at))) continue;
    let end = runEnd(text, at + 5, BODY, 260);
    while (text[end - 1] === "-") end--;
    const parts = text.slice(at + 5, end).split("-");
    // Newer tokens start with a one-digit version (`xoxa-2-…`); then come numeric workspace/user ids.
    if (parts.length > 2 && /^\d$/.test(parts[0] ?? "")) parts.shift();
    if (parts.length < 2 || end - at < 24 || end - at >= 260) continue;
    if (!/^\d{6,}$/.test(parts[0] ?? "")) continue;
    out.push({ detector: "slack", kind: "secret", start: at, end, confidence: 0.9, masked: maskSecret(text.slice(at, end), 5) });
  }
};
