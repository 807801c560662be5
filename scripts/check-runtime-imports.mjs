// The image's last build step (scripts/image.sh prune) runs this after removing development
// dependencies: every npm import of every compiled file, and of the migration, must still be
// there, inside this checkout. A pruned dependency fails the build here, naming the file and the
// import, instead of failing the first container that starts.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const problems = [];
const dist = path.join(root, "dist");
const compiled = readdirSync(dist).filter((name) => name.endsWith(".mjs"));
if (compiled.length === 0) problems.push("dist/ holds no compiled files (run scripts/image.sh build first)");
for (const name of compiled) {
  const text = readFileSync(path.join(dist, name), "utf8");
  // scripts/build.mjs keeps each npm import external under its resolved, absolute path.
  for (const [, target] of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)"(\/[^"]+)"/g)) {
    if (!target.startsWith(root)) problems.push(`dist/${name} imports ${target}, outside this checkout`);
    else if (!existsSync(target)) problems.push(`dist/${name} imports ${path.relative(root, target)}, which is missing`);
  }
}
// The migration runs from scripts/ with the root package's dependencies.
for (const module of ["./lib/schema-engine.mjs", "pg"]) {
  try {
    await import(module);
  } catch (error) {
    problems.push(`the migration cannot load ${module}: ${error.message}`);
  }
}
if (problems.length > 0) {
  console.error(`The runtime is missing what it needs:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exit(1);
}
console.log(`runtime imports: all present (${compiled.length} compiled files and the migration)`);
