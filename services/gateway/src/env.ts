import { z } from "zod";
import { bridgeEnv, coreEnv, databricksEnv, encryptionKeyEnv, loadEnv } from "@langguard/config";

export const envSchema = {
  ...coreEnv,
  ...encryptionKeyEnv,
  ...bridgeEnv,
  ...databricksEnv,
  HOST: z.string().default("127.0.0.1"),
  PORT: z.coerce.number({ error: "expected a port number" }).int().min(0).max(65535).default(3000),
};

export type GatewayEnv = ReturnType<typeof loadGatewayEnv>;

export function loadGatewayEnv(source: NodeJS.ProcessEnv = process.env) {
  return loadEnv(envSchema, source);
}
