// Compiles each service to one JavaScript file under dist/, so production runs `node dist/<service>.mjs`:
// node itself receives SIGTERM (no package manager or loader in between) and starts without a
// TypeScript compiler. Our workspace packages are bundled in; every npm dependency stays external
// and is loaded from node_modules as usual.
import { build } from "esbuild";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildConsole, INITIAL_JS_BUDGET } from "./lib/console-build.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
export const services = {
  gateway: "services/gateway/src/main.ts",
  "trace-sync": "services/trace-sync/src/main.ts",
  "policy-evaluation": "services/policy-evaluation/src/main.ts",
  "catalog-sync": "services/catalog-sync/src/main.ts",
};
/** What the image runs besides the services: the operator's commands and its HEALTHCHECK. */
export const tools = {
  admin: "scripts/admin.ts",
  healthcheck: "scripts/healthcheck.ts",
};

/** Worker-thread entry points a service loads from next to its own file. */
const threadEntries = { "policy-test-worker": "services/gateway/src/policy-test/worker.ts" };

// Bare imports are npm packages, except our own workspace packages, which are TypeScript. pnpm
// links each package's dependencies next to that package only, so an npm import is resolved from
// the file that makes it and kept external under its resolved path.
const externalDependencies = {
  name: "external-dependencies",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith("@langguard/") || args.path.startsWith("node:") || path.isAbsolute(args.path) || args.pluginData === "resolving")
        return undefined;
      const resolved = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: "resolving" });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: resolved.path, external: true };
    });
  },
};

await Promise.all(
  Object.entries({ ...services, ...tools, ...threadEntries }).map(([name, entry]) =>
    build({
      entryPoints: [path.join(root, entry)],
      outfile: path.join(root, "dist", `${name}.mjs`),
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      sourcemap: "linked",
      plugins: [externalDependencies],
      conditions: ["import", "node", "default"],
      logLevel: "warning",
      // ESM output still meets the odd CommonJS helper in bundled code.
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    }),
  ),
);
console.log(
  `build: ${Object.keys({ ...services, ...tools })
    .map((s) => `dist/${s}.mjs`)
    .join(", ")}`,
);

// The console, served by the gateway from apps/console/dist.
const consoleSize = await buildConsole(root);
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(
  `build: apps/console/dist, initial JavaScript ${kb(consoleSize.initialJsGzip)} gzipped (budget ${kb(INITIAL_JS_BUDGET)}; ${consoleSize.files.length} files), CSS ${kb(consoleSize.initialCssGzip)}, ${consoleSize.lazyChunks} pages loaded on demand`,
);
if (consoleSize.initialJsGzip > INITIAL_JS_BUDGET) {
  console.error(`build: the console's initial JavaScript is over its budget of ${kb(INITIAL_JS_BUDGET)} gzipped`);
  process.exit(1);
}
