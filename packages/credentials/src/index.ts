export { needsResealing, openToken, openWebhookSecret, sealToken, sealWebhookSecret, tokenBinding, type TokenOwner } from "./tokens.ts";
export { resealAllTokens, type RotationReport } from "./rotation.ts";
export { bridgeAuthOf, bridgeSourceOf } from "./source.ts";
