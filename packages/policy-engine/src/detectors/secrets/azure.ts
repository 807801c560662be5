import { maskSecret } from "../../mask.ts";
import { BASE64, charBefore, looksRandom, occurrences, runEnd } from "../chars.ts";
import type { TextDetector } from "../types.ts";

// Neither Azure format is in secretlint. Storage/Service Bus connection strings carry an
// `AccountKey=` or `SharedAccessKey=` (base64); SAS tokens are query strings whose `sig=` is the
// signature, and always also carry the signed version `sv=` and expiry `se=`.

const KEY_LABELS = ["AccountKey=", "SharedAccessKey="];
const CONNECTION_CONTEXT = ["DefaultEndpointsProtocol=", "AccountName=", "Endpoint=sb://", "EndpointSuffix="];

export const detectAzureConnectionString: TextDetector = (text, out) => {
  for (const label of KEY_LABELS) {
    for (const at of occurrences(text, label)) {
      const body = at + label.length;
      const end = runEnd(text, body, BASE64, 200);
      if (end - body < 40 || !looksRandom(text, body, end)) continue;
      const around = text.slice(Math.max(0, at - 400), Math.min(text.length, end + 200));
      const confidence = CONNECTION_CONTEXT.some((c) => around.includes(c)) ? 0.95 : 0.75;
      out.push({ detector: "azure_connection_string", kind: "secret", start: at, end, confidence, masked: maskSecret(text.slice(at, end), label) });
    }
  }
};

const SIG_VALUE = (() => {
  const t = new Uint8Array(128);
  for (let i = 0; i < 128; i++) if (BASE64[i]) t[i] = 1;
  t[37] = 1; // % (url-encoded + / =)
  return t;
})();
const QUERY_STOP = new Uint8Array(128);
for (const c of " \t\r\n\"'<>`") QUERY_STOP[c.charCodeAt(0)] = 1;
const stops = (code: number) => Number.isNaN(code) || (code < 128 && QUERY_STOP[code] === 1);
const MAX_QUERY = 1000;

/** The URL query (or connection string) around a `sig=`: up to whitespace, quotes or brackets. */
function queryBounds(text: string, from: number, to: number): [number, number] {
  let start = from;
  while (start > 0 && from - start < MAX_QUERY && !stops(text.charCodeAt(start - 1))) start--;
  let end = to;
  while (end < text.length && end - to < MAX_QUERY && !stops(text.charCodeAt(end))) end++;
  return [start, end];
}

function hasParam(query: string, name: string): boolean {
  return query.startsWith(`${name}=`) || ["?", "&", ";"].some((sep) => query.includes(`${sep}${name}=`));
}

export const detectAzureSas: TextDetector = (text, out) => {
  for (const at of occurrences(text, "sig=")) {
    const before = String.fromCharCode(charBefore(text, at));
    if (at > 0 && !"?&;".includes(before)) continue;
    const end = runEnd(text, at + 4, SIG_VALUE, 200);
    if (end - at - 4 < 30) continue;
    const [qStart, qEnd] = queryBounds(text, at, end);
    const query = text.slice(qStart, qEnd);
    if (!hasParam(query, "sv") || !hasParam(query, "se")) continue;
    out.push({ detector: "azure_sas_token", kind: "secret", start: at, end, confidence: 0.93, masked: maskSecret(text.slice(at, end), "sig=") });
  }
};
