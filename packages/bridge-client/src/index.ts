export {
  BRIDGE_COMMANDS,
  BridgeClient,
  bridgeFromSettings,
  defaultScriptPath,
  PYTHON_TELEMETRY_OFF,
  type BridgeSettings,
  type BridgeClientOptions,
  type BridgeSource,
  type BridgeCommand,
  type BridgeLogger,
  type RunOptions,
  type BridgeObserver,
} from "./client.ts";
export { BridgeError, type BridgeErrorDetails } from "./errors.ts";
export { readLines, LineTooLongError } from "./line-reader.ts";
export { LineScrubber, secretScrubber } from "./scrubber.ts";
export {
  BridgeMessage,
  BridgeErrorKind,
  type CheckpointMessage,
  type CatalogCheckpointMessage,
  type RecordMessage,
  type ErrorMessage,
  type ResultMessage,
  type StepMessage,
} from "./messages.ts";
