export {
  BridgeClient,
  bridgeFromSettings,
  defaultScriptPath,
  PYTHON_TELEMETRY_OFF,
  type BridgeSettings,
  type BridgeClientOptions,
  type BridgeSource,
  type BridgeLogger,
  type RunOptions,
  type BridgeObserver,
} from "./client.ts";
export {
  BRIDGE_COMMANDS,
  BridgeErrorKind,
  BridgeMessage,
  bridgeContract,
  bridgeJsonSchemas,
  CATALOG_KINDS,
  CATALOG_LISTINGS,
  CatalogObject,
  messageSchema,
  paramMax,
  StatsParams,
  StreamCatalogParams,
  StreamTracesParams,
  type BridgeCommand,
  type CatalogCheckpointMessage,
  type CheckpointMessage,
  type CheckpointOf,
  type ErrorMessage,
  type MessageOf,
  type ParamsOf,
  type RecordDataOf,
  type RecordMessage,
  type RecordOf,
  type ResultMessage,
  type ResultOf,
  type StepMessage,
} from "./contract.ts";
export { BridgeError, type BridgeErrorDetails } from "./errors.ts";
export { authEnv, type BridgeAuth } from "./auth-env.ts";
export { readLines, LineTooLongError } from "./line-reader.ts";
export { LineScrubber, secretScrubber } from "./scrubber.ts";
