/**
 * Locating the repository from a test, whether it runs from sources (Deno)
 * or from compiled JavaScript under dist/ (Node).
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: the nearest ancestor of this file whose package.json is spawn-audit's. */
export function repoRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "spawn-audit") return dir;
  }
  throw new Error("spawn-audit repository root not found above the test file");
}

/** Path of the built CLI entry point (run `npm run build` first). */
export function builtCli(): string {
  return join(repoRoot(), "dist", "src", "main.js");
}
