// Builds the console (apps/console) with Vite and measures what a first visit loads: the entry
// chunk and every chunk it imports statically, gzipped. Pages loaded later (dynamic imports) do
// not count. The budget is the issue's: 250 KB of initial JavaScript, gzipped.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { gzipSync } from "node:zlib";

export const INITIAL_JS_BUDGET = 250 * 1024;

export async function buildConsole(root) {
  const consoleDir = path.join(root, "apps", "console");
  const require = createRequire(path.join(consoleDir, "package.json"));
  const { build } = await import(require.resolve("vite"));
  await build({ root: consoleDir, logLevel: "warn", configFile: path.join(consoleDir, "vite.config.ts") });
  return measureConsole(path.join(consoleDir, "dist"));
}

/** Gzipped bytes of the initial JavaScript and CSS, from Vite's manifest. */
export function measureConsole(dist) {
  const manifest = JSON.parse(readFileSync(path.join(dist, ".vite", "manifest.json"), "utf8"));
  const entry = Object.keys(manifest).find((key) => manifest[key].isEntry);
  const seen = new Set();
  const css = new Set();
  const visit = (key) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const file of manifest[key].css ?? []) css.add(file);
    for (const next of manifest[key].imports ?? []) visit(next);
  };
  visit(entry);
  const gz = (file) => gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length;
  const files = [...seen].map((key) => manifest[key].file);
  const js = files.reduce((sum, file) => sum + gz(file), 0);
  const styles = [...css].reduce((sum, file) => sum + gz(file), 0);
  const lazy = Object.values(manifest).filter((chunk) => chunk.isDynamicEntry).length;
  return { files, initialJsGzip: js, initialCssGzip: styles, lazyChunks: lazy };
}
