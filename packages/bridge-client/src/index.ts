export { BridgeClient, defaultScriptPath, type BridgeClientOptions, type BridgeSource, type BridgeCommand, type BridgeLogger, type RunOptions } from "./client.ts";
export { BridgeError } from "./errors.ts";
export { readLines, LineTooLongError } from "./line-reader.ts";
export { BridgeMessage, BridgeErrorKind, type CheckpointMessage, type RecordMessage, type ErrorMessage, type ResultMessage } from "./messages.ts";
