// Development and tests run the gateway from TypeScript under tsx; a worker thread does not inherit
// that loader, so this entry registers it before loading the TypeScript worker. The build compiles
// the worker itself instead (dist/policy-test-worker.mjs).
import { register } from "tsx/esm/api";

register();
const worker = await import("./worker.ts");
export default worker.default;
