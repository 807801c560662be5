import { detectCreditCards } from "./pii/credit-card.ts";
import { detectEmails } from "./pii/email.ts";
import { detectIbans } from "./pii/iban.ts";
import { detectIps } from "./pii/ip.ts";
import { detectPhones } from "./pii/phone.ts";
import { detectSsn } from "./pii/ssn.ts";
import { detectAnthropic } from "./secrets/anthropic.ts";
import { detectAzureConnectionString, detectAzureSas } from "./secrets/azure.ts";
import { detectGcpServiceAccount } from "./secrets/gcp-service-account.ts";
import { detectGoogleApiKey } from "./secrets/google.ts";
import { detectOpenAi } from "./secrets/openai.ts";
import { detectPemPrivateKey } from "./secrets/pem.ts";
import { detectWithSecretlint } from "./secrets/secretlint.ts";
import { detectSlack } from "./secrets/slack.ts";
import type { TextDetector } from "./types.ts";

export const SECRET_DETECTORS: readonly TextDetector[] = [
  detectWithSecretlint,
  detectOpenAi,
  detectAnthropic,
  detectSlack,
  detectGoogleApiKey,
  detectAzureConnectionString,
  detectAzureSas,
  detectGcpServiceAccount,
  detectPemPrivateKey,
];

export const PII_DETECTORS: readonly TextDetector[] = [detectCreditCards, detectSsn, detectIbans, detectEmails, detectIps, detectPhones];

export const PII_TYPES = ["email", "phone", "credit_card", "us_ssn", "iban", "ip_address"] as const;
export type PiiType = (typeof PII_TYPES)[number];

/** Secret detector → the provider a `providers` allow-list names. Unlisted detectors are their own provider. */
const PROVIDERS: Record<string, string> = {
  aws_access_key: "aws",
  aws_secret_key: "aws",
  google_api_key: "google",
  gcp_service_account: "gcp",
  azure_connection_string: "azure",
  azure_sas_token: "azure",
  slack_webhook: "slack",
};

export function providerOf(detector: string): string {
  return PROVIDERS[detector] ?? detector;
}

const PII_SET: ReadonlySet<string> = new Set(PII_TYPES);

export function isPiiDetector(detector: string): boolean {
  return PII_SET.has(detector);
}
