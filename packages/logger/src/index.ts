import { pino, type Logger, type LoggerOptions, type DestinationStream } from "pino";

export type { Logger };

/**
 * Keys whose values must never reach a log line, wherever they sit in a logged object.
 * pino's redaction works on paths, so the common nestings are listed explicitly.
 */
const SECRET_KEYS = [
  "token",
  "apiKey",
  "api_key",
  "authorization",
  "password",
  "encryptionKey",
  "DATABRICKS_API_KEY",
  "DATABRICKS_TOKEN",
  "MLFLOW_TRACKING_TOKEN",
  // The other authentication methods' secrets, by their API field and environment names.
  "clientSecret",
  "DATABRICKS_CLIENT_SECRET",
  "ARM_CLIENT_SECRET",
  "MLFLOW_TRACKING_PASSWORD",
  "ENCRYPTION_KEY",
  "tokenCiphertext",
];
export const redactPaths = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `req.headers.${key.toLowerCase()}`]);

export interface LoggerSettings {
  name: string;
  level?: string;
  destination?: DestinationStream;
}

export function createLogger({ name, level = "info", destination }: LoggerSettings): Logger {
  const options: LoggerOptions = {
    name,
    level,
    redact: { paths: redactPaths, censor: "[redacted]" },
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
