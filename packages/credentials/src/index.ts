export { needsResealing, openToken, openWebhookSecret, sealToken, sealWebhookSecret, tokenBinding, type TokenOwner } from "./tokens.ts";
export { resealAllTokens, type RotationReport } from "./rotation.ts";
export { bridgeSourceOf } from "./source.ts";
